#!/usr/bin/env node
// Shim so the package can expose a bin while the code is compiled TypeScript in dist/.
import "../dist/src/cli/paxos-client.js";

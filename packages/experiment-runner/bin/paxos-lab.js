#!/usr/bin/env node
// The `paxos-lab` command: the compiled CLI does the work (build first with `tsc -b`).
import "../dist/src/cli.js";

// The shared driver suite against network namespaces (root, ip, tc and nft; skipped without).
import { netnsUnavailable } from "../src/netns/preflight.js";
import { processFixture } from "./driver-fixtures.js";
import { driverSuite } from "./driver-suite.js";

driverSuite("netns driver", () => processFixture("netns"), netnsUnavailable());

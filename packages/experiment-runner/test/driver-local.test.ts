// The shared driver suite against processes on loopback.
import { processFixture } from "./driver-fixtures.js";
import { driverSuite } from "./driver-suite.js";

driverSuite("local driver", () => processFixture("local"));

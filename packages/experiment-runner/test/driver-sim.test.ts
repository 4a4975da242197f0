// The shared driver suite against the simulator.
import { simFixture } from "./driver-fixtures.js";
import { driverSuite } from "./driver-suite.js";

driverSuite("sim driver", simFixture);

import { test } from "uvu";
import { chaosSimConfig, sweepTest } from "./chaos-sweep.js";

sweepTest("flexible", chaosSimConfig(), ["flexible 4/2", "flexible 2/4"], 60);

test.run();

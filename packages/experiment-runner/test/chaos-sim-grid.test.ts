import { test } from "uvu";
import { chaosSimConfig, sweepTest } from "./chaos-sweep.js";

sweepTest("grid", chaosSimConfig(), ["grid 3x3", "grid 2x3 col"], 60);

test.run();

import { test } from "uvu";
import { chaosSimConfig, sweepTest } from "./chaos-sweep.js";

sweepTest("majority", chaosSimConfig(), ["majority n=3", "majority n=5"], 60);

test.run();

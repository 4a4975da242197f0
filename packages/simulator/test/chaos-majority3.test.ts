import { test } from "uvu";
import { sweep } from "./chaos.js";

sweep("majority3");

test.run();

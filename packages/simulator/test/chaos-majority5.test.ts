import { test } from "uvu";
import { sweep } from "./chaos.js";

sweep("majority5");

test.run();

import { test } from "uvu";
import { sweep } from "./chaos.js";

sweep("grid9");

test.run();

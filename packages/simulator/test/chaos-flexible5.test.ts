import { test } from "uvu";
import { sweep } from "./chaos.js";

sweep("flexible5");

test.run();

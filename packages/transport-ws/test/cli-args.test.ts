// The commands' arguments as `pnpm <script> -- ...` passes them: pnpm keeps the `--`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { commandArgs } from "../src/cli/argv.js";

test("a leading -- is the package manager's separator; any later one is the command's", () => {
  assert.equal(commandArgs(["node", "bench.js", "--", "--nodes", "5"]), ["--nodes", "5"]);
  assert.equal(commandArgs(["node", "bench.js", "--nodes", "5"]), ["--nodes", "5"]);
  assert.equal(commandArgs(["node", "cli.js", "put", "--", "-k"]), ["put", "--", "-k"]);
  assert.equal(commandArgs(["node", "cli.js"]), []);
});

test.run();

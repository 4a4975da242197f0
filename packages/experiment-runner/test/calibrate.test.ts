// --calibrate: a local run also runs in the simulator, and the report puts the two side by side
// per variant (the comparison's figures in a Calibration section, the table in calibration/).
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cli, removeDir, tempDir, writeConfig } from "./helpers.js";

test("run --mode local --calibrate: the simulator's run beside the local one, in the report", async () => {
  const dir = tempDir();
  try {
    const file = writeConfig(dir, {
      name: "cal",
      cluster: { acceptors: 3 },
      quorums: [{ kind: "majority", label: "majority" }],
      network: { default: { latency: { dist: "constant", ms: 1 } } },
      workload: { durationMs: 1200, warmupMs: 300, cooldownMs: 100 },
    });
    const out = join(dir, "results");
    const r = await cli(["run", file, "--mode", "local", "--calibrate", "--out", out]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    const results = realpathSync(join(out, "latest"));
    const md = readFileSync(join(results, "calibration", "compare.md"), "utf8");
    assert.match(md, /cal\.sim, sim mode/);
    assert.match(md, /cal, local mode/);
    assert.ok(existsSync(join(results, "calibration", "plots", "compare-throughput.svg")));
    const html = readFileSync(join(results, "report.html"), "utf8");
    assert.match(html, /Calibration: the simulator against this run/);
    assert.match(html, /<figure id="cal-1"><svg/);
  } finally {
    removeDir(dir);
  }
});

test.run();

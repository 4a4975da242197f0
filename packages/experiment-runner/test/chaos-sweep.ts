// Shared body of the runner-level chaos sweeps: seeds of configs/chaos-sim.json (or a variation
// of it) through the runner's own path, every run checked (sim invariants, commits resume after
// every heal, linearizability with final reads). One test file per group of quorum systems, so
// each stays well under a minute.
//
//   CHAOS_SEEDS=1000 CHAOS_FROM=5000 node packages/experiment-runner/dist/test/chaos-sim-grid.test.js
//
// sweeps other or more seeds; the soak script (dist/bench/chaos-soak.js) goes further.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chaosSweep, formatFailures } from "../src/chaos/sweep.js";
import type { RawConfig } from "../src/config/types.js";
import { findRoot } from "../src/results.js";
import { removeDir, tempDir } from "./helpers.js";

export function chaosSimConfig(): RawConfig {
  return JSON.parse(
    readFileSync(join(findRoot(), "configs", "chaos-sim.json"), "utf8"),
  ) as RawConfig;
}

export function sweepTest(
  name: string,
  config: RawConfig,
  variants: readonly string[],
  defaultSeeds: number,
): void {
  const seeds = Number(process.env.CHAOS_SEEDS ?? defaultSeeds);
  const from = Number(process.env.CHAOS_FROM ?? 1);
  test(`${name}: ${seeds} chaos seeds x ${variants.length} quorum systems, every run safe, linearizable and live`, async () => {
    const dir = tempDir("paxos-chaos-");
    let keep = false;
    try {
      const r = await chaosSweep(config, { from, seeds, outBase: dir, variants });
      const faults = Object.entries(r.faults)
        .map(([k, n]) => `${n} ${k}`)
        .join(", ");
      console.log(
        `  ${name}: ${r.runs} runs (${variants.join(", ")}), ${r.operations} operations checked ` +
          `(${r.finalReads} final reads), ${r.healsChecked} heals checked, ${faults}, ` +
          `${r.leaderChanges} elections, ${r.failures.length} violations, ${(r.wallMs / 1000).toFixed(1)} s`,
      );
      keep = r.failures.length > 0;
      assert.is(r.runs, seeds * variants.length);
      assert.ok(
        r.failures.length === 0,
        `${r.failures.length} of ${r.runs} runs failed:\n${formatFailures(r.failures)}`,
      );
      // the chaos must actually have reached the cluster, or passing means nothing
      if (seeds >= 50) {
        for (const kind of [
          "crash",
          "restart",
          "partition",
          "isolate",
          "link",
          "heal",
          "recover",
        ]) {
          assert.ok((r.faults[kind] ?? 0) > 0, `no ${kind} happened in ${r.runs} runs`);
        }
        assert.ok(r.healsChecked >= r.runs, `only ${r.healsChecked} heals checked`);
        assert.ok(r.finalReads > 0, "no final reads");
        assert.ok(r.leaderChanges > r.runs, `only ${r.leaderChanges} elections`);
      }
    } finally {
      if (!keep) removeDir(dir);
    }
  });
}

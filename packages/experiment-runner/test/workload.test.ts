// Open-loop arrivals: the one Poisson arrival player the simulator and the load generator
// share. It follows its rate, replays from its seed, and a late clock loses no arrivals.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openLoopArrivals, seededStream } from "../src/workload.js";
import { cli, removeDir, tempDir, writeConfig } from "./helpers.js";

/** Arrival count on a fake clock whose timers fire `lateMs` after they were due. */
function arrivals(seed: number, lateMs: number): number {
  const timers: { at: number; fn: () => void }[] = [];
  let now = 0;
  let count = 0;
  let done = false;
  openLoopArrivals({
    rng: seededStream(seed, "arrivals/c1"),
    ratePerMs: 2,
    durationMs: 1_000,
    now: () => now,
    at: (ms, fn) => timers.push({ at: Math.max(ms, now) + lateMs, fn }),
    arrive: () => count++,
    done: () => {
      done = true;
    },
  });
  while (timers.length > 0) {
    timers.sort((a, b) => a.at - b.at);
    const t = timers.shift()!;
    now = t.at;
    t.fn();
  }
  assert.ok(done, "done() after the last arrival");
  return count;
}

test("Poisson arrivals follow the rate, replay from the seed, and survive a late clock", () => {
  const exact = arrivals(1, 0);
  assert.ok(Math.abs(exact - 2_000) < 150, `${exact} arrivals at 2/ms over 1 s`);
  assert.is(arrivals(1, 0), exact, "same seed, same arrivals");
  assert.is.not(arrivals(2, 0), exact);
  assert.is(arrivals(1, 7), exact, "timers 7 ms late lose no arrival");
});

test("an open-loop sim run completes about rate x duration operations", async () => {
  const dir = tempDir();
  try {
    const file = writeConfig(dir, {
      name: "open",
      cluster: { acceptors: 3 },
      quorums: [{ kind: "majority" }],
      workload: {
        clients: { type: "open", count: 2, ratePerSec: 1000, maxOutstanding: 50 },
        durationMs: 2_000,
        warmupMs: 0,
        cooldownMs: 0,
      },
    });
    const r = await cli(["run", file, "--out", dir, "--no-report"]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    const ops = Number(/majority n=3\s+(\d+)/.exec(r.stdout)?.[1]);
    assert.ok(Math.abs(ops - 1_000) < 100, `${ops} ops/s at 1000/s offered`);
  } finally {
    removeDir(dir);
  }
});

test.run();

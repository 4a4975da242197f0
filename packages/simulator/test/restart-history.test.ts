// Restart after a long history (issue 9): a full restart of every server reads a snapshot and
// a bounded tail, phase 1 carries bounded p1bs, and a leader serves again within a bound that
// does not grow with the history. Virtual time, so the bound is exact and the test cannot be
// flaky on a busy machine.
import type { Message } from "@paxos/core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkSafety, formatViolations } from "../src/checkers.js";
import { estimateWireBytes } from "../src/message-size.js";
import { Simulation } from "../src/simulation.js";
import { cluster, serverIds } from "./helpers.js";

interface RestartFigures {
  slots: number;
  /** virtual ms from the restart to the first operation completed after it */
  serveAfterMs: number;
  /** the largest p1b any acceptor sent after the restart, in wire bytes */
  largestP1bBytes: number;
  /** records on the largest node disk (log records, plus one for its snapshot) */
  diskRecords: number;
}

function restartAfter(historyMs: number): RestartFigures {
  const servers = serverIds(3);
  let restartedAt = Number.POSITIVE_INFINITY;
  let largestP1bBytes = 0;
  const sim = new Simulation(
    cluster(3, 2, 7, {
      workload: { outstandingPerClient: 8, keyCount: 200, valueBytes: 64 },
      replica: { snapshotEverySlots: 500 },
      onDeliver: (t: number, _from: string, _to: string, m: Message) => {
        if (m.type === "p1b" && t >= restartedAt)
          largestP1bBytes = Math.max(largestP1bBytes, estimateWireBytes(m));
      },
    }),
  );
  sim.runUntil(historyMs);
  const slots = sim.node("n1")!.replica!.appliedBelow;
  for (const id of servers) sim.crash(id);
  sim.runFor(50);
  restartedAt = sim.now;
  for (const id of servers) sim.restart(id);
  const done = sim.history.filter((h) => h.returnedAt !== null).length;
  let serveAfterMs = Number.POSITIVE_INFINITY;
  for (let step = 0; step < 200 && !Number.isFinite(serveAfterMs); step++) {
    sim.runFor(10);
    const after = sim.history.filter((h) => h.returnedAt !== null && h.returnedAt > restartedAt);
    if (sim.history.filter((h) => h.returnedAt !== null).length > done && after.length > 0) {
      serveAfterMs = Math.min(...after.map((h) => h.returnedAt!)) - restartedAt;
    }
  }
  const violations = checkSafety(sim);
  assert.is(violations.length, 0, formatViolations(violations));
  const diskRecords = Math.max(...servers.map((id) => sim.durableLog(id).length));
  return { slots, serveAfterMs, largestP1bBytes, diskRecords };
}

test("a full restart after a long history serves within a bound that does not grow with the history", () => {
  const short = restartAfter(2_000);
  const long = restartAfter(12_000);
  const show = JSON.stringify({ short, long });
  console.log(`  restart after history: ${show}`);
  assert.ok(long.slots > 4 * short.slots, `the long history is longer: ${show}`);
  assert.ok(Number.isFinite(long.serveAfterMs), `served after the restart: ${show}`);
  // the election and one round trip: the default leader timeout (300 ms) plus a little
  assert.ok(long.serveAfterMs <= 600, `served within 600 ms of the restart: ${show}`);
  assert.ok(
    long.serveAfterMs <= short.serveAfterMs + 100,
    `restart time does not grow with the history: ${show}`,
  );
  assert.ok(
    long.largestP1bBytes <= 2 * short.largestP1bBytes + 64 * 1024,
    `p1b size does not grow with the history: ${show}`,
  );
  assert.ok(long.diskRecords <= 2 * short.diskRecords + 1_100, `disk is compacted: ${show}`);
});

test.run();

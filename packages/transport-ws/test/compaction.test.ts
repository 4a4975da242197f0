// Compaction on real processes: with small snapshot and compaction thresholds, a history many
// times the size of the state leaves every data dir bounded, across a SIGKILL and restart of
// one node and a SIGTERM and restart of all of them, and every acknowledged write is still
// there afterwards.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, type PaxosClient } from "../src/client.js";
import { colocated, LocalCluster, waitFor } from "./harness.js";

const KEYS = 32;
const VALUE_BYTES = 1024;
const COMPACT_LOG_BYTES = 64 * 1024;
/** the log's bound, plus a snapshot of KEYS values, plus slack: far below the history */
const DIR_BOUND_BYTES = 512 * 1024;

function dirBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    // a node renames its temp files (snapshot.tmp, a compacted segment) while we look
    const stat = statSync(join(dir, name), { throwIfNoEntry: false });
    total += stat?.size ?? 0;
  }
  return total;
}

test("a history far larger than the state leaves every data dir bounded, across restarts", async () => {
  const cluster = await LocalCluster.start({
    nodes: colocated("n1", "n2", "n3"),
    quorum: { kind: "majority" },
    // "file": the same files without a sync per drain, to keep the test short
    storage: "file",
    extra: {
      compactLogBytes: COMPACT_LOG_BYTES,
      replica: { snapshotEverySlots: 20 },
      leader: { persistDecidedEverySlots: 16 },
    },
  });
  let client: PaxosClient | undefined;
  try {
    client = await connect(cluster.clusterPath, { timeoutMs: 60_000 });
    const last = new Map<string, string>();
    let peak = 0;
    let written = 0;
    const write = async (count: number) => {
      const workers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = w; i < count; i += 4) {
          const key = `k${(written + i) % KEYS}`;
          const value = `${written + i}:`.padEnd(VALUE_BYTES, "x");
          await client!.put(key, value);
          last.set(key, value);
        }
      });
      await Promise.all(workers);
      written += count;
      for (const id of cluster.ids) {
        if (cluster.isRunning(id)) peak = Math.max(peak, dirBytes(cluster.dataDir(id)));
      }
    };
    for (let round = 0; round < 5; round++) await write(200);
    await cluster.kill("n3", "SIGKILL");
    for (let round = 0; round < 3; round++) await write(200);
    await cluster.spawn("n3");
    for (let round = 0; round < 3; round++) await write(200);
    // n3 caught up (from a peer's snapshot or decisions) and compacted too
    await waitFor(
      "n3 to catch up",
      async () =>
        (await cluster.status("n3")).replica!.appliedBelow >=
        (await cluster.status("n1")).replica!.appliedBelow,
      60_000,
    );
    await client.close();
    client = undefined;
    for (const id of cluster.ids) await cluster.kill(id, "SIGTERM");
    await Promise.all(cluster.ids.map((id) => cluster.spawn(id)));
    client = await connect(cluster.clusterPath, { timeoutMs: 60_000 });
    await write(100);
    const history = written * VALUE_BYTES;
    for (const [key, value] of last) assert.is(await client.get(key), value, key);
    const statuses = await Promise.all(cluster.ids.map((id) => cluster.status(id)));
    const compactions = statuses.map((s) => s.storage.compactions);
    const sizes = cluster.ids.map((id) => dirBytes(cluster.dataDir(id)));
    const context = `history ${history} bytes, peak ${peak}, now ${sizes.join("/")}, compactions since restart ${compactions.join("/")}`;
    assert.ok(history > 4 * DIR_BOUND_BYTES, context);
    assert.ok(peak < DIR_BOUND_BYTES, context);
    for (const size of sizes) assert.ok(size < DIR_BOUND_BYTES, context);
    for (const s of statuses)
      assert.ok(s.storage.snapshotBytes > KEYS * VALUE_BYTES, `${s.id} holds a snapshot`);
  } finally {
    await client?.close();
    await cluster.stop();
  }
});

test.run();

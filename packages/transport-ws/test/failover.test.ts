// SIGKILL the leader's process under load: another leader takes over, the client's writes
// continue, no acknowledged write is lost, and the killed node restarts and catches up.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, type PaxosClient } from "../src/client.js";
import { colocated, LocalCluster, waitFor } from "./harness.js";

let cluster: LocalCluster | undefined;
let client: PaxosClient | undefined;

test.after(async () => {
  await client?.close();
  await cluster?.stop();
});

test("leader killed under load: a new leader takes over and no acknowledged write is lost", async () => {
  cluster = await LocalCluster.start({
    nodes: colocated("n1", "n2", "n3"),
    quorum: { kind: "majority" },
  });
  const lc = cluster;
  client = await connect(lc.clusterPath, { timeoutMs: 120_000 });
  const c = client;
  await c.put("warm", "up");
  const oldLeader = await waitFor("a leader", () => lc.activeLeader());

  const acked = new Map<string, string>();
  const ackedAt: number[] = [];
  const failures: string[] = [];
  let running = true;
  const worker = async (w: number) => {
    for (let i = 0; running; i++) {
      const key = `w${w}-${i}`;
      const value = `${w}:${i}:${"x".repeat(16)}`;
      try {
        await c.put(key, value);
        acked.set(key, value);
        ackedAt.push(performance.now());
      } catch (error) {
        failures.push(`${key}: ${(error as Error).message}`);
      }
    }
  };
  const workers = Array.from({ length: 8 }, (_, w) => worker(w));
  // the load runs: wait for it (however slowly the machine goes), not for a fixed second
  await waitFor("the load to run", () => acked.size > 20);
  const beforeKill = acked.size;
  const killedAt = performance.now();
  await lc.kill(oldLeader, "SIGKILL");
  const newLeader = await waitFor("a new leader", async () => {
    const leader = await lc.activeLeader();
    return leader !== undefined && leader !== oldLeader ? leader : undefined;
  });
  // writes go on: wait for a good number of acknowledgements after the kill
  await waitFor(
    "writes after the kill",
    () => ackedAt.filter((t) => t > killedAt).length >= 100,
    undefined,
    50,
    () => acked.size, // the load moving counts as progress
  );
  running = false;
  await Promise.all(workers);
  assert.equal(failures, []);
  const firstAfter = ackedAt.find((t) => t > killedAt)!;
  process.stdout.write(
    `  leader ${oldLeader} killed after ${beforeKill} writes; ${newLeader} took over; ` +
      `first write acknowledged ${(firstAfter - killedAt).toFixed(0)} ms after the kill; ${acked.size} writes in all\n`,
  );

  // every acknowledged write is there, read by a fresh client
  const readStart = performance.now();
  const reader = await connect(lc.clusterPath, { timeoutMs: 120_000 });
  try {
    const keys = [...acked.keys()];
    const values = await Promise.all(keys.map((k) => reader.get(k))).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await lc.diagnose()}`);
    });
    const lost = keys.filter((k, i) => values[i] !== acked.get(k));
    assert.equal(lost, [], `${lost.length} acknowledged writes lost`);
    process.stdout.write(
      `  read back ${keys.length} writes in ${(performance.now() - readStart).toFixed(0)} ms\n`,
    );
  } finally {
    await reader.close();
  }
});

test("the killed leader restarts from its durable log and catches up", async () => {
  const lc = cluster!;
  const dead = lc.ids.find((id) => !lc.isRunning(id))!;
  await lc.spawn(dead);
  const pid = lc.pidOf(dead);
  const lines = await lc.waitForLog(
    dead,
    "node started",
    (l) => l.msg === "node started" && l.pid === pid,
  );
  assert.ok((lines.recoveredRecords as number) > 0, "it replayed its acceptor state");
  const t0 = performance.now();
  await client!.put("after-restart", "yes");
  const t1 = performance.now();
  const agreed = await lc.waitForAgreement(1);
  process.stdout.write(
    `  after the restart: a write took ${(t1 - t0).toFixed(0)} ms, all replicas agreed ${(performance.now() - t1).toFixed(0)} ms later\n`,
  );
  assert.ok(agreed.appliedBelow > 0);
  assert.is((await lc.status(dead)).replica!.appliedBelow, agreed.appliedBelow);
});

test.run();

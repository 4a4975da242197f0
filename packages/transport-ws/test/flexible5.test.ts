// Flexible Paxos with separate processes: two replica+leader nodes and five acceptor-only
// nodes, phase-1 quorums of 4 and phase-2 quorums of 2. Writes and reads go through; with
// three acceptors down, phase 2 (2 of 5) still commits; restarted acceptors rejoin on their
// own; a leader change needs 4 acceptors and happens once they are back.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, type PaxosClient } from "../src/client.js";
import { LocalCluster, waitFor } from "./harness.js";

let cluster: LocalCluster | undefined;
let client: PaxosClient | undefined;

test.after(async () => {
  await client?.close();
  await cluster?.stop();
});

test("7 processes, flexible phase1=4/phase2=2 over 5 separate acceptors: reads and writes", async () => {
  cluster = await LocalCluster.start({
    nodes: [
      { id: "r1", roles: ["replica", "leader"] },
      { id: "r2", roles: ["replica", "leader"] },
      ...["a1", "a2", "a3", "a4", "a5"].map((id) => ({ id, roles: ["acceptor"] as const })),
    ],
    quorum: { kind: "flexible", phase1: 4, phase2: 2 },
  });
  assert.is(cluster.cluster.layout.quorum.describe(), "flexible(n=5, phase1=4, phase2=2)");
  client = await connect(cluster.clusterPath, { timeoutMs: 120_000 });
  await Promise.all(Array.from({ length: 100 }, (_, i) => client!.put(`k${i}`, `v${i}`)));
  for (let i = 0; i < 100; i += 7) assert.is(await client.get(`k${i}`), `v${i}`);
  assert.equal(await client.cas("k1", "v1", "w1"), { ok: true, value: "w1" });
  const agreed = await cluster.waitForAgreement();
  assert.ok(agreed.appliedBelow > 0);
  // acceptors hold what they accepted
  const statuses = await Promise.all(
    ["a1", "a2", "a3", "a4", "a5"].map((id) => cluster!.status(id)),
  );
  for (const s of statuses) {
    assert.is(s.replica, null);
    assert.is(s.leader, null);
    assert.ok(s.acceptor !== null);
  }
  assert.ok(statuses.some((s) => s.acceptor!.acceptedSlots > 0));
});

test("with three of five acceptors killed, phase-2 quorums of 2 still commit", async () => {
  const lc = cluster!;
  for (const id of ["a1", "a2", "a3"]) await lc.kill(id, "SIGKILL");
  for (let i = 0; i < 20; i++) await client!.put(`degraded-${i}`, String(i));
  assert.is(await client!.get("degraded-19"), "19");
  await lc.waitForAgreement();
});

test("killed acceptors restart and rejoin; a new leader needs (and gets) a phase-1 quorum of 4", async () => {
  const lc = cluster!;
  for (const id of ["a1", "a2", "a3"]) await lc.spawn(id);
  const before = await lc.activeLeader();
  assert.ok(before !== undefined, "one active leader");
  await lc.kill(before!, "SIGKILL");
  const other = before === "r1" ? "r2" : "r1";
  await waitFor(`${other} to lead`, async () => (await lc.status(other)).leader?.active === true);
  // the restarted acceptors took part in the new leader's phase 1 (4 of 5 needed)
  const promised = await Promise.all(
    ["a1", "a2", "a3", "a4", "a5"].map(
      async (id) => (await lc.status(id)).acceptor!.promised.leader,
    ),
  );
  assert.ok(promised.filter((p) => p === other).length >= 4, JSON.stringify(promised));
  await client!.put("after-failover", "ok");
  assert.is(await client!.get("after-failover"), "ok");
  assert.is(await client!.get("degraded-7"), "7");
  // the old leader restarts as a follower and catches up
  await lc.spawn(before!);
  await client!.put("after-rejoin", "ok");
  await lc.waitForAgreement();
});

test.run();

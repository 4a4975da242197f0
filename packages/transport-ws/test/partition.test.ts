// Link emulation on a live cluster, driven through the control channel: a node partitioned
// away falls behind and catches up once healed; delay and loss set at run time show in the
// client's latency and are survived by the protocol's retries.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, type PaxosClient } from "../src/client.js";
import { colocated, LocalCluster, sleep, waitFor } from "./harness.js";

let cluster: LocalCluster | undefined;
let client: PaxosClient | undefined;

test.before(async () => {
  cluster = await LocalCluster.start({
    nodes: colocated("n1", "n2", "n3"),
    quorum: { kind: "majority" },
  });
  client = await connect(cluster.clusterPath, { timeoutMs: 120_000 });
});

test.after(async () => {
  await client?.close();
  await cluster?.stop();
});

test("a partitioned node falls behind, and catches up when the partition heals", async () => {
  const lc = cluster!;
  const c = client!;
  await Promise.all(Array.from({ length: 50 }, (_, i) => c.put(`before-${i}`, String(i))));
  await lc.waitForAgreement();
  const leader = await waitFor("a leader", () => lc.activeLeader());
  const cut = lc.ids.find((id) => id !== leader)!;
  await lc.control.isolate(cut);
  const status = await lc.status(cut);
  assert.equal([...status.partitioned].sort(), lc.ids.filter((id) => id !== cut).sort());

  for (let i = 0; i < 100; i++) await c.put(`during-${i}`, String(i));
  const behind = (await lc.status(cut)).replica!.appliedBelow;
  const ahead = (await lc.status(leader)).replica!.appliedBelow;
  assert.ok(behind < ahead, `the partitioned node is behind (${behind} < ${ahead})`);
  const drops = (await lc.status(leader)).links[cut]!.emulationDrops;
  assert.ok(
    drops !== null && (drops.down ?? 0) > 0,
    "the leader dropped what it sent to the cut node",
  );

  await lc.control.healAll();
  assert.equal((await lc.status(cut)).partitioned, []);
  const agreed = await lc.waitForAgreement(ahead);
  assert.ok(agreed.appliedBelow >= ahead);
  // what was written during the partition is there (read through the cluster)
  assert.is(await c.get("during-99"), "99");
});

test("delay set at run time shows in the latency; clearing it restores the link", async () => {
  const lc = cluster!;
  const c = client!;
  const time = async () => {
    const t0 = performance.now();
    await c.put("timed", "x");
    return performance.now() - t0;
  };
  await time();
  for (const id of lc.ids)
    await (await lc.control.node(id)).setLink("*", {
      delayMs: 40,
      jitterMs: 5,
      distribution: "normal",
    });
  // phase 2 alone is a round trip between nodes: at least 2 x (40 - jitter) ms
  const slow = Math.min(await time(), await time(), await time());
  assert.ok(slow >= 60, `latency with 40 ms one-way delay: ${slow.toFixed(1)} ms`);
  for (const id of lc.ids) await (await lc.control.node(id)).setLink("*", null);
  // no wall-clock bound here (a busy machine adds its own delay): faster than with the delay
  const fast = Math.min(await time(), await time(), await time());
  assert.ok(
    fast < slow,
    `latency without emulation: ${fast.toFixed(1)} ms (with: ${slow.toFixed(1)} ms)`,
  );
  const status = await lc.status(lc.ids[0]!);
  for (const link of Object.values(status.links))
    assert.is(link.spec, null, "no shaper left behind");
});

test("30% message loss on every link: writes still commit through the retries", async () => {
  const lc = cluster!;
  const c = client!;
  for (const id of lc.ids) await (await lc.control.node(id)).setLink("*", { lossRate: 0.3 });
  try {
    const droppedSoFar = async () => {
      const links = await Promise.all(lc.ids.map(async (id) => (await lc.status(id)).links));
      return links
        .flatMap((l) => Object.values(l))
        .reduce((n, l) => n + (l.emulationDrops?.loss ?? 0), 0);
    };
    // concurrent puts share frames (fewer frames on a busy machine): write one at a time until
    // the loss has hit something; 200 puts of several frames each all surviving 30% loss
    // would take a probability below 1e-90
    let dropped = 0;
    for (let i = 0; i < 200 && dropped === 0; i++) {
      await c.put(`lossy-${i}`, String(i));
      dropped = await droppedSoFar();
    }
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.put(`lossy-${i}`, String(i))));
    assert.ok(dropped > 0, "messages were dropped");
  } finally {
    for (const id of lc.ids) await (await lc.control.node(id)).setLink("*", null);
  }
  await sleep(100);
  assert.is(await c.get("lossy-19"), "19");
  await lc.waitForAgreement();
});

test.run();

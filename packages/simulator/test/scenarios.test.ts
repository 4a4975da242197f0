import { test } from "uvu";
import * as assert from "uvu/assert";
import { applyFaults, describeFault, type Fault } from "../src/faults.js";
import { SimRng } from "../src/rng.js";
import { PRESETS, randomFaults, runChaosCase, splitBrainFaults } from "../src/scenarios.js";
import { Simulation } from "../src/simulation.js";
import { cluster } from "./helpers.js";

const servers = ["n1", "n2", "n3", "n4", "n5"];
const options = { servers, clients: ["c1", "c2"], fromMs: 100, healByMs: 1_500 };

test("random schedules are seeded, sorted, inside the window, and end with recoverAll", () => {
  let partitions = 0;
  let crashes = 0;
  for (let seed = 0; seed < 300; seed++) {
    const faults = randomFaults(SimRng.fromSeed(seed), options);
    assert.equal(faults, randomFaults(SimRng.fromSeed(seed), options));
    for (let i = 1; i < faults.length; i++) assert.ok(faults[i - 1]!.atMs <= faults[i]!.atMs);
    assert.equal(faults.at(-1), { atMs: 1_500, kind: "recoverAll" });
    for (const f of faults) {
      assert.ok(f.atMs >= 100 && f.atMs <= 1_500, describeFault(f));
      if ("restartAtMs" in f) assert.ok(f.restartAtMs > f.atMs && f.restartAtMs <= 1_500);
      if (f.kind === "partition") {
        partitions++;
        const listed = f.groups.flat();
        assert.is(new Set(listed).size, listed.length, "no node in two groups");
        for (const s of servers) assert.ok(listed.includes(s), "every server is in some group");
        assert.ok(
          f.groups.every((g) => g.some((id) => servers.includes(id))),
          "no group without a server",
        );
      }
      if (f.kind === "crash" || f.kind === "crashLeader") crashes++;
    }
    // partition episodes do not overlap: each is healed before the next starts
    let open = false;
    for (const f of faults) {
      if (f.kind === "partition" || f.kind === "isolateLeader") {
        assert.not.ok(open, `seed ${seed}: overlapping partitions`);
        open = true;
      } else if (f.kind === "heal") open = false;
    }
  }
  assert.ok(partitions > 100 && crashes > 100, `${partitions} partitions, ${crashes} crashes`);
});

test("applyFaults plays a schedule: leader crash and restart, isolation, weather, recovery", () => {
  const sim = new Simulation(cluster(5, 1, 3, { workload: { outstandingPerClient: 2 } }));
  const faults: Fault[] = [
    // mild enough that the election after the crash ends well before the isolation
    { atMs: 100, kind: "weather", lossRate: 0.2, duplicateRate: 0.1, reorderRate: 0.1 },
    { atMs: 200, kind: "crashLeader", restartAtMs: 400 },
    { atMs: 250, kind: "crash", node: "n4", restartAtMs: 2_000 },
    { atMs: 700, kind: "isolateLeader" },
    { atMs: 1_000, kind: "recoverAll" },
  ];
  applyFaults(sim, faults);
  sim.runUntil(199);
  const leader = sim.activeLeader()!;
  sim.runUntil(201);
  assert.not.ok(sim.isAlive(leader), "the active leader was crashed");
  assert.is(sim.network.link("n1", "n2").lossRate, 0.2);
  sim.runUntil(401);
  assert.ok(sim.isAlive(leader), "and restarted on time");
  assert.is(sim.incarnation(leader), 1);
  sim.runUntil(1_001);
  assert.ok(sim.isAlive("n4"), "recoverAll restarts nodes still down");
  assert.not.ok(sim.network.partitioned);
  assert.is(sim.network.link("n1", "n2").lossRate, 0);
  sim.runUntil(2_500);
  assert.is(
    sim.incarnation("n4"),
    1,
    "the later scheduled restart finds n4 running and does nothing",
  );
  assert.ok(sim.completedBetween(1_000, 2_500) > 10);
  assert.ok(sim.faults.some((f) => f.what.startsWith("isolate")));
});

test("a chaos case replays exactly from its seed", () => {
  const a = runChaosCase("majority5", 123);
  const b = runChaosCase("majority5", 123);
  assert.is(a.sim.traceHash(), b.sim.traceHash());
  assert.equal(a.faults, b.faults);
  assert.equal(a.sim.faults, b.sim.faults);
  assert.equal(
    a.sim.history.map((h) => [h.clientId, h.seq, h.returnedAt]),
    b.sim.history.map((h) => [h.clientId, h.seq, h.returnedAt]),
  );
  assert.is.not(runChaosCase("majority5", 124).sim.traceHash(), a.sim.traceHash());
});

test("presets build valid clusters; the split-brain schedule cuts the servers in two", () => {
  for (const make of Object.values(PRESETS)) {
    const p = make();
    assert.ok(p.servers.length >= 3 && p.clients.length === 2);
    new Simulation({ nodes: p.nodes, quorum: p.quorum, seed: 1 });
  }
  const faults = splitBrainFaults(SimRng.fromSeed(1), servers, 100, 1_500);
  const cut = faults.find((f) => f.kind === "partition");
  assert.ok(cut && cut.kind === "partition");
  assert.equal(
    cut.groups.map((g) => g.length),
    [2, 3],
  );
});

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { type ChaosFault, chaosSchedule, EVERY, LEADER } from "../src/chaos/schedule.js";
import { applyFaults, describeFault } from "../src/faults.js";
import { SimRng } from "../src/rng.js";
import { PRESETS, runChaosCase, SCHEDULES } from "../src/scenarios.js";
import { Simulation } from "../src/simulation.js";
import { cluster } from "./helpers.js";

const preset = PRESETS.majority5();
const servers = preset.servers;
const clients = preset.clients;

test("the sweeps' random schedules are seeded, sorted, inside the window, end with recover, and reach every nemesis", () => {
  const seen = new Set<string>();
  for (let seed = 0; seed < 300; seed++) {
    const options = SCHEDULES.random(preset, 100, 1_500);
    const faults = chaosSchedule(SimRng.fromSeed(seed), options);
    assert.equal(faults, chaosSchedule(SimRng.fromSeed(seed), options));
    for (let i = 1; i < faults.length; i++) assert.ok(faults[i - 1]!.atMs <= faults[i]!.atMs);
    assert.equal(faults.at(-1), { atMs: 1_500, action: "recover" });
    const down: string[] = [];
    let cut = false;
    let link = false;
    for (const f of faults) {
      assert.ok(f.atMs >= 100 && f.atMs <= 1_500, describeFault(f));
      switch (f.action) {
        case "crash":
          assert.ok(
            f.node === LEADER || !down.includes(f.node),
            `seed ${seed}: ${f.node} crashed twice`,
          );
          down.push(f.node);
          assert.ok(down.length <= 2, `seed ${seed}: more than two down at once`);
          seen.add(
            f.node === LEADER
              ? "crash leader"
              : clients.includes(f.node)
                ? "crash client"
                : "crash server",
          );
          break;
        case "restart":
          down.splice(down.indexOf(f.node), 1);
          break;
        case "partition": {
          assert.not.ok(cut, `seed ${seed}: overlapping partitions`);
          cut = true;
          const listed = f.groups.flat();
          assert.is(new Set(listed).size, listed.length, "no node in two groups");
          assert.ok(
            f.groups.every((g) => g.some((id) => servers.includes(id))),
            "no group without a server",
          );
          seen.add(
            listed.some((id) => clients.includes(id)) ? "partition with clients" : "partition",
          );
          if (servers.some((id) => !listed.includes(id))) seen.add("bridge");
          break;
        }
        case "isolate":
          assert.not.ok(cut, `seed ${seed}: overlapping partitions`);
          cut = true;
          seen.add("isolate leader");
          break;
        case "heal":
          cut = false;
          break;
        case "link":
          if ("set" in f) {
            assert.not.ok(link, `seed ${seed}: overlapping link faults`);
            link = true;
            for (const k of Object.keys(f.set))
              seen.add(`link ${k}${f.from === EVERY ? " everywhere" : ""}`);
          } else link = false;
          break;
        case "recover":
          break;
      }
    }
  }
  for (const what of [
    "crash leader",
    "crash server",
    "crash client",
    "partition",
    "partition with clients",
    "bridge",
    "isolate leader",
    "link loss everywhere",
    "link duplicate everywhere",
    "link reorder everywhere",
    "link loss",
    "link latencyMs",
  ]) {
    assert.ok(seen.has(what), `no "${what}" in 300 schedules (saw ${[...seen].join(", ")})`);
  }
});

test("applyFaults plays a schedule: leader crash and restart, isolation, weather, recovery", () => {
  const sim = new Simulation(cluster(5, 1, 3, { workload: { outstandingPerClient: 2 } }));
  const everywhere = { from: EVERY, to: EVERY, symmetric: true } as const;
  const faults: ChaosFault[] = [
    // mild enough that the election after the crash ends well before the isolation
    { atMs: 100, action: "link", ...everywhere, set: { loss: 0.2, duplicate: 0.1, reorder: 0.1 } },
    { atMs: 200, action: "crash", node: LEADER },
    { atMs: 250, action: "crash", node: "n4" },
    { atMs: 400, action: "restart", node: LEADER },
    { atMs: 500, action: "link", from: "n5", to: "n3", set: { latencyMs: 7 }, symmetric: true },
    { atMs: 600, action: "link", from: "n5", to: "n3", reset: true, symmetric: true },
    // with half the messages lost and two nodes down, a new leader takes a few hundred ms
    { atMs: 900, action: "isolate", node: LEADER },
    { atMs: 1_000, action: "recover" },
    { atMs: 2_000, action: "restart", node: "n4" },
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
  sim.runUntil(501);
  assert.equal(sim.network.link("n3", "n5").latency, { kind: "constant", ms: 7 });
  assert.is(sim.network.link("n3", "n5").lossRate, 0.2, "a link fault keeps the weather");
  sim.runUntil(601);
  assert.equal(sim.network.link("n3", "n5").latency, sim.network.link("n1", "n2").latency);
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
  const faults = chaosSchedule(SimRng.fromSeed(1), SCHEDULES["split-brain"](preset, 100, 1_500));
  const cut = faults.find((f) => f.action === "partition");
  assert.ok(cut && cut.action === "partition");
  assert.equal(
    cut.groups.map((g) => g.length),
    [2, 3],
  );
});

test.run();

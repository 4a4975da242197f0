import { type Ballot, compareBallots, type KeyValueStore } from "@paxos/core";
import { majority } from "@paxos/quorum-system";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkSafety, formatViolations } from "../src/checkers.js";
import { Simulation } from "../src/simulation.js";
import { cluster, nodes, serverIds } from "./helpers.js";

test("at() actions run in time order, FIFO at equal times; runUntil/runFor move the clock", () => {
  const sim = new Simulation(cluster(3, 0, 1));
  const seen: string[] = [];
  sim.at(20, () => seen.push("20a"));
  sim.at(10, (s) => seen.push(`10@${s.now}`));
  sim.at(20, () => seen.push("20b"));
  sim.runUntil(15);
  assert.equal(seen, ["10@10"]);
  assert.is(sim.now, 15);
  sim.runFor(5);
  assert.equal(seen, ["10@10", "20a", "20b"]);
  assert.is(sim.now, 20);
  assert.throws(() => sim.at(5, () => {}), /before the current time/);
  sim.at(30, (s) => s.runUntil(40));
  assert.throws(() => sim.runUntil(50), /from inside the simulation/);
});

test("a fault-free 5-node cluster commits thousands of operations and every replica applies the same log", () => {
  const sim = new Simulation(
    cluster(5, 3, 1, { workload: { outstandingPerClient: 8, keyCount: 50, stopMs: 2_500 } }),
  );
  sim.runUntil(3_000);
  const stats = sim.stats();
  assert.ok(stats.opsCompleted >= 5_000, `only ${stats.opsCompleted} ops completed`);
  assert.is(
    stats.opsCompleted,
    stats.opsInvoked,
    "after the clients stop every operation completes",
  );
  assert.is(stats.messagesDropped, 0);
  assert.ok(
    // at least ~4 one-way hops of 1 +/- 0.2 ms: request to the replica beside the leader,
    // phase 2 to the fastest remote acceptors and back, response
    stats.latencyMs.p50Ms >= 3.5 && stats.latencyMs.p99Ms < 20,
    JSON.stringify(stats.latencyMs),
  );
  const violations = checkSafety(sim);
  assert.is(violations.length, 0, formatViolations(violations));
  // every replica applied the same slots, in the same order, and holds the same state
  const runs = sim.replicaRuns;
  assert.is(runs.length, 5);
  const logOf = (i: number) =>
    runs[i]!.events.filter((e) => e.type === "slotApplied").map(
      (e) => e.type === "slotApplied" && e.value,
    );
  const reference = logOf(0);
  assert.ok(reference.length > 100);
  for (let i = 1; i < runs.length; i++) assert.equal(logOf(i), reference);
  const state = (id: string) => (sim.node(id)!.replica!.service as KeyValueStore).snapshot();
  for (const id of serverIds(5)) assert.equal(state(id), state("n1"));
  // the history records every operation with its result
  assert.ok(sim.history.every((h) => h.result !== null && h.returnedAt! >= h.invokedAt));
});

test("the same seed gives the identical trace; another seed a different one", () => {
  const run = (seed: number) => {
    const sim = new Simulation(
      cluster(5, 2, seed, {
        workload: { outstandingPerClient: 4 },
        network: {
          link: {
            latency: { kind: "normal", meanMs: 2, stdDevMs: 0.5 },
            lossRate: 0.02,
            duplicateRate: 0.02,
            reorderRate: 0.05,
          },
        },
      }),
    );
    sim.at(300, (s) => s.crash(s.activeLeader()!));
    sim.at(600, (s) => s.restart("n1"));
    sim.runUntil(1_000);
    return {
      hash: sim.traceHash(),
      ops: sim.stats().opsCompleted,
      deliveries: sim.counters.delivered,
    };
  };
  const a = run(7);
  const b = run(7);
  assert.equal(a, b);
  assert.ok(a.ops > 50);
  assert.match(a.hash, /^[0-9a-f]{8}$/);
  const c = run(8);
  assert.is.not(c.hash, a.hash);
});

test("a crashed node gets no messages and no ticks; the others carry on", () => {
  const sim = new Simulation(cluster(5, 1, 2, { workload: { outstandingPerClient: 2 } }));
  sim.runUntil(200);
  const victim = "n5";
  sim.crash(victim);
  assert.not.ok(sim.isAlive(victim));
  assert.is(sim.node(victim), undefined);
  const before = sim.stats(0, 200).opsCompleted;
  sim.runUntil(1_200);
  assert.ok(sim.counters.toDeadNode > 0, "messages addressed to the crashed node were dropped");
  // (the client may have been talking to n5: it moves on after its 500 ms retry timeout)
  assert.ok(sim.completedBetween(700, 1_200) > before, "the majority kept committing");
  const runs = sim.replicaRuns.filter((r) => r.node === victim);
  assert.is(runs.length, 1);
  assert.is(runs[0]!.crashedAt, 200);
  const lastApplied = runs[0]!.events.length;
  sim.runUntil(1_300);
  assert.is(runs[0]!.events.length, lastApplied, "a crashed replica applies nothing");
  assert.equal(checkSafety(sim), []);
});

test("restart recovers persisted acceptor state: a promise survives a crash", () => {
  const sim = new Simulation(cluster(3, 1, 3, { workload: { outstandingPerClient: 1 } }));
  sim.runUntil(300);
  const acceptor = sim.node("n2")!.acceptor!;
  const promised: Ballot = acceptor.promised;
  assert.ok(promised.round >= 1, "n2 promised the first leader's ballot");
  const someSlot = 0;
  const accepted = acceptor.accepted(someSlot);
  assert.ok(accepted, "n2 accepted slot 0");
  const log = sim.durableLog("n2");
  assert.ok(log.some((r) => r.type === "promise" || r.type === "accept"));
  const logLength = log.length;

  sim.crash("n2");
  sim.restart("n2");
  assert.is(sim.incarnation("n2"), 1);
  const reborn = sim.node("n2")!.acceptor!;
  assert.is(
    compareBallots(reborn.promised, promised),
    0,
    "the promise came back from the durable log",
  );
  assert.equal(reborn.accepted(someSlot), accepted);
  assert.is(sim.durableLog("n2").length, logLength, "restarting does not rewrite the disk");
  // a restarted leader never reuses a round: its persisted round is recovered
  const leaderId = sim.activeLeader()!;
  const round = sim.node(leaderId)!.leader!.currentBallot.round;
  sim.crash(leaderId);
  sim.restart(leaderId);
  sim.runUntil(2_000);
  const again = sim.leadership.filter(
    (l) => l.node === leaderId && l.incarnation === 1 && l.active,
  );
  for (const l of again) assert.ok(l.ballot.round > round);
  assert.equal(checkSafety(sim), []);
});

test("a restarted client gets a new client id; its unfinished operations stay open in the history", () => {
  const sim = new Simulation(cluster(3, 1, 4, { workload: { outstandingPerClient: 3 } }));
  sim.runUntil(100);
  assert.is(sim.clientIdOf("c1"), "c1/0");
  sim.crash("c1");
  sim.runUntil(150);
  sim.restart("c1");
  assert.is(sim.clientIdOf("c1"), "c1/1");
  sim.runUntil(400);
  const first = sim.history.filter((h) => h.clientId === "c1/0");
  const second = sim.history.filter((h) => h.clientId === "c1/1");
  assert.ok(first.length > 0 && second.length > 0);
  assert.is(second[0]!.seq, 0, "sequence numbers restart with the new id");
  assert.ok(
    first.some((h) => h.returnedAt === null),
    "operations in flight at the crash never return",
  );
  assert.ok(second.filter((h) => h.returnedAt !== null).length > 10);
  assert.equal(checkSafety(sim), []);
});

test("partitions through the simulation: the minority side stops committing, heal restores it", () => {
  const sim = new Simulation(cluster(5, 1, 5, { workload: { outstandingPerClient: 2 } }));
  sim.runUntil(300);
  const leader = sim.activeLeader()!;
  const others = serverIds(5).filter((id) => id !== leader);
  // the leader and one other node on the minority side; the client with the majority
  sim.partition([
    [leader, others[0]!],
    [...others.slice(1), "c1"],
  ]);
  sim.runUntil(2_000);
  const newLeader = sim.activeLeader();
  assert.ok(newLeader && others.slice(1).includes(newLeader), `majority side elected ${newLeader}`);
  assert.ok(sim.completedBetween(1_500, 2_000) > 0, "the majority side commits");
  sim.heal();
  sim.runUntil(3_000);
  assert.ok(sim.completedBetween(2_500, 3_000) > 0);
  assert.equal(checkSafety(sim), []);
  assert.ok(
    sim.faults.some((f) => f.what.startsWith("partition")) &&
      sim.faults.some((f) => f.what === "heal"),
  );
});

test("manual submit() goes through the client and lands in the history", () => {
  const sim = new Simulation(cluster(3, 1, 6));
  sim.runUntil(50);
  const put = sim.submit("c1", { type: "put", key: "x", value: "1" });
  sim.runUntil(100);
  const get = sim.submit("c1", { type: "get", key: "x" });
  sim.runUntil(150);
  assert.equal(put.result, { type: "put" });
  assert.equal(get.result, { type: "get", value: "1" });
  assert.is(put.auto, false);
  assert.is(sim.history.length, 2, "no workload: nothing else was submitted");
  assert.throws(() => sim.submit("n1", { type: "get", key: "x" }), /no client role/);
});

test("configurations are validated", () => {
  const base = cluster(3, 1, 1);
  const bad: [unknown, RegExp][] = [
    [{ ...base, nodes: [] }, /at least one node/],
    [{ ...base, nodes: [...nodes(3, 1), { id: "n1", roles: ["client"] }] }, /duplicate id "n1"/],
    [{ ...base, nodes: [...nodes(3, 1), { id: "x", roles: ["oracle"] }] }, /unknown role "oracle"/],
    [{ ...base, quorum: majority(["n1", "n2", "n9"]) }, /quorum acceptor "n9"/],
    [
      { ...base, quorum: majority(["n1", "n2"]) },
      /"n3" has the acceptor role but is not an acceptor/,
    ],
    [
      { ...cluster(3, 0, 1), workload: { outstandingPerClient: 1 } },
      /needs at least one node with the client role/,
    ],
    [
      {
        ...base,
        workload: { outstandingPerClient: 1, mix: { get: 0, put: 0, delete: 0, cas: 0 } },
      },
      /every weight is 0/,
    ],
    [{ ...base, seed: 0.5 }, /seed must be a safe integer/],
  ];
  for (const [config, message] of bad) {
    assert.throws(() => new Simulation(config as never), message);
  }
});

test("continuous time (timeResolution 0) still runs; the default grid keeps times exact", () => {
  const sim = new Simulation(
    cluster(3, 1, 9, {
      workload: { outstandingPerClient: 2 },
      network: { link: { latency: { kind: "uniform", minMs: 0.5, maxMs: 2 } } },
    }),
  );
  sim.runUntil(500);
  for (const h of sim.history) {
    assert.is(
      h.invokedAt * 1024,
      Math.round(h.invokedAt * 1024),
      "times are multiples of 1/1024 ms",
    );
  }
  assert.ok(sim.stats().opsCompleted > 50);
});

test.run();

// Whole nodes (all roles through PaxosNode) on a perfect network the test steps by hand.
import { majority } from "@paxos/quorum-system";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { commandKey } from "../src/command.js";
import { MiniCluster, put } from "./harness.js";

const ids = ["n1", "n2", "n3"];
const colocated = () =>
  new MiniCluster(
    { leaders: ids, replicas: ids, quorum: majority(ids) },
    {
      n1: ["replica", "leader", "acceptor"],
      n2: ["replica", "leader", "acceptor"],
      n3: ["replica", "leader", "acceptor"],
      c1: ["client"],
    },
  );

function appliedLogs(cluster: MiniCluster) {
  return ids.map((id) =>
    cluster.events
      .filter((e) => e.node === id && e.event.type === "slotApplied")
      .map((e) => (e.event.type === "slotApplied" ? e.event.value.map(commandKey).join(",") : "")),
  );
}

test("three colocated nodes elect a leader, commit requests, and apply the same log", () => {
  const cluster = colocated();
  cluster.run(50);
  assert.ok(cluster.node("n1").leader?.isActive, "the first-ranked leader leads");
  for (let i = 0; i < 20; i++) cluster.submit("c1", put(`k${i}`, `v${i}`));
  cluster.run(100);
  assert.is(cluster.eventsOf("completed").length, 20);
  const [first, ...rest] = appliedLogs(cluster);
  assert.ok(first && first.length > 0);
  for (const log of rest) assert.equal(log, first);
});

test("an acceptor's p1b and p2b are drained after the promise and accept they depend on", () => {
  // The node's output contract, read from drain() itself (the harness persists everything before
  // it sends, so its durable log cannot show the order): every p1b/p2b sits at or after
  // sendsBeforePersist, i.e. behind the record the host must make durable first.
  const cluster = colocated();
  cluster.run(50);
  const acceptor = cluster.node("n2");
  const ballot = { round: 99, leader: "n3" };
  const late = (out: ReturnType<typeof acceptor.drain>, type: string) =>
    out.sends.flatMap((e, i) => (e.message.type === type ? [i >= out.sendsBeforePersist] : []));

  acceptor.receive("n3", { type: "p1a", ballot, fromSlot: 0 }, cluster.now);
  const promised = acceptor.drain();
  assert.ok(
    promised.persists.some((r) => r.type === "promise"),
    "the promise is persisted",
  );
  assert.equal(late(promised, "p1b"), [true], "the p1b waits for the promise");

  acceptor.receive("n3", { type: "p2a", ballot, slot: 7, value: [] }, cluster.now);
  const accepted = acceptor.drain();
  assert.ok(accepted.persists.some((r) => r.type === "accept" && r.pvalue.slot === 7));
  assert.equal(late(accepted, "p2b"), [true], "the p2b waits for the accept");
});

test("a leader's p2a to other acceptors may leave before its own acceptor's record is durable; its decision may not", () => {
  const cluster = colocated();
  cluster.run(50);
  const leader = cluster.node("n1");
  leader.receive("n2", { type: "propose", slot: 0, value: [] }, cluster.now);
  const out = leader.drain();
  const early = out.sends.slice(0, out.sendsBeforePersist).map((e) => e.message.type);
  const late = out.sends.slice(out.sendsBeforePersist).map((e) => e.message.type);
  assert.equal(early, ["p2a", "p2a"]);
  assert.equal(
    out.persists.map((r) => r.type),
    ["accept"],
  );
  assert.not.ok(late.includes("p2a"));
  leader.receive(
    "n2",
    { type: "p2b", ballot: leader.leader!.currentBallot, slot: 0, accepted: true },
    cluster.now,
  );
  const decided = leader.drain();
  assert.is(decided.persists.length, 0);
  assert.is(decided.sendsBeforePersist, decided.sends.length);
});

test("when the leader's node crashes, another takes over and commits resume", () => {
  const cluster = colocated();
  cluster.run(50);
  cluster.submit("c1", put("before", "1"));
  cluster.run(50);
  cluster.crash("n1");
  cluster.submit("c1", put("after", "2"));
  cluster.run(3_000);
  const leaders = ["n2", "n3"].filter((id) => cluster.node(id).leader?.isActive);
  assert.is(leaders.length, 1, "exactly one new leader");
  assert.equal(
    cluster.eventsOf("completed").map((e) => e.seq),
    [0, 1],
  );
});

test("a restarted node catches up on decisions it missed", () => {
  const cluster = colocated();
  cluster.run(50);
  cluster.crash("n3");
  for (let i = 0; i < 10; i++) cluster.submit("c1", put(`k${i}`, "v"));
  cluster.run(200);
  cluster.start("n3");
  cluster.submit("c1", put("last", "v"));
  cluster.run(2_000);
  assert.is(cluster.node("n3").replica?.appliedBelow, cluster.node("n1").replica?.appliedBelow);
});

test("a replica whose acceptor was sent the p2a gets a commit (slot, ballot), not the value", () => {
  const cluster = colocated();
  cluster.run(50);
  const seen = new Map<string, number>();
  const count = (m: { to: string; message: { type: string } }) => {
    if (m.to !== "n1")
      seen.set(`${m.message.type}->${m.to}`, (seen.get(`${m.message.type}->${m.to}`) ?? 0) + 1);
    return true;
  };
  for (let i = 0; i < 10; i++) cluster.submit("c1", put(`k${i}`, `v${i}`));
  cluster.run(100, 10, count);
  assert.is(cluster.eventsOf("completed").length, 10);
  // whichever follower's p2b came after the quorum holds the value as well: no value twice
  for (const n of ["n2", "n3"]) {
    assert.ok((seen.get(`commit->${n}`) ?? 0) > 0, `${n}: commits`);
    assert.is(seen.get(`decision->${n}`) ?? 0, 0, `${n}: no values twice`);
  }
  const [first, ...rest] = appliedLogs(cluster);
  for (const log of rest) assert.equal(log, first);
});

test("a node whose p2a was lost gets the value: its p2b did not come within COMMIT_DELAY_MS", () => {
  const cluster = colocated();
  cluster.run(50);
  const seen = new Map<string, number>();
  const noP2aToN3 = (m: { to: string; message: { type: string } }) => {
    if (m.to !== "n1")
      seen.set(`${m.message.type}->${m.to}`, (seen.get(`${m.message.type}->${m.to}`) ?? 0) + 1);
    return !(m.message.type === "p2a" && m.to === "n3");
  };
  for (let i = 0; i < 10; i++) cluster.submit("c1", put(`k${i}`, `v${i}`));
  cluster.run(100, 10, noP2aToN3);
  assert.is(cluster.eventsOf("completed").length, 10);
  assert.ok((seen.get("commit->n2") ?? 0) > 0, "n2 acked: commits");
  assert.is(seen.get("decision->n2") ?? 0, 0, "n2 acked: no values twice");
  assert.ok((seen.get("decision->n3") ?? 0) > 0, "n3 never saw the p2a: decisions");
  assert.is(seen.get("commit->n3") ?? 0, 0);
  const [first, ...rest] = appliedLogs(cluster);
  for (const log of rest) assert.equal(log, first);
});

test("a commit the node's acceptor cannot resolve (it restarted empty) leaves a hole catch-up fills", () => {
  const cluster = colocated();
  cluster.run(50);
  const held: (typeof cluster.inFlight)[number][] = [];
  const holdCommitsToN2 = (m: (typeof cluster.inFlight)[number]) => {
    if (m.message.type !== "commit" || m.to !== "n2") return true;
    held.push(m);
    return false;
  };
  for (let i = 0; i < 10; i++) cluster.submit("c1", put(`k${i}`, `v${i}`));
  cluster.run(100, 10, holdCommitsToN2);
  assert.ok(held.length > 0);
  cluster.crash("n2");
  cluster.durable.delete("n2"); // a node without storage: its acceptor holds nothing now
  cluster.start("n2");
  cluster.inFlight.push(...held);
  cluster.deliver();
  assert.is(
    cluster.eventsOf("slotApplied", "n2").length,
    0,
    "nothing applied from a commit it cannot resolve",
  );
  cluster.run(2_000);
  const [first, ...rest] = appliedLogs(cluster);
  assert.ok(first!.length > 0);
  for (const log of rest) assert.equal(log, first, "n2 caught up");
});

test.run();

// The leader's rules: scouts, commanders, pmax, preemption and the quorum system it is given.
import { flexible, majority, type QuorumSystem } from "@paxos/quorum-system";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Ballot, BOTTOM } from "../src/ballot.js";
import type { Batch } from "../src/command.js";
import { DEFAULT_LEADER } from "../src/config.js";
import type { PersistRecord } from "../src/effects.js";
import { COMMIT_DELAY_MS, Leader } from "../src/roles/leader.js";
import { layout, put, Recorder, tickToP1a } from "./harness.js";

const A3 = ["a1", "a2", "a3"];
const A5 = ["a1", "a2", "a3", "a4", "a5"];
const cmd = (key: string, seq = 0) => ({ clientId: "c", seq, ackedBelow: 0, op: put(key, "v") });
const one = (key: string, seq = 0): Batch => [cmd(key, seq)];

function startLeader(
  opts: { acceptors?: string[]; quorum?: QuorumSystem; thrifty?: boolean } = {},
  recovered: PersistRecord[] = [],
) {
  const acceptors = opts.acceptors ?? A3;
  const ctx = new Recorder(
    "L1",
    layout(acceptors, { quorum: opts.quorum ?? majority(acceptors) }),
    { leaderTimeoutMs: 100, heartbeatIntervalMs: 10, electionBackoffMaxMs: 1_000 },
  );
  const leader = new Leader(ctx, { ...DEFAULT_LEADER, thrifty: opts.thrifty ?? false }, recovered);
  return { ctx, leader };
}

/** Run phase 1 to adoption: every listed acceptor answers with its accepted pvalues. */
function adopt(
  ctx: Recorder,
  leader: Leader,
  answers: Record<string, { ballot: Ballot; slot: number; value: Batch }[]> = {},
  acceptors = Object.keys(answers).length ? Object.keys(answers) : A3,
) {
  const p1a = tickToP1a(ctx, leader, acceptors)[0]!.message;
  for (const a of acceptors) {
    leader.onP1b(a, {
      type: "p1b",
      ballot: p1a.ballot,
      accepted: answers[a] ?? [],
      trimmedBelow: 0,
      chunk: 0,
      chunks: 1,
    });
  }
  return p1a.ballot;
}

test("the first-ranked leader starts phase 1 at once, persisting its round before the p1a", () => {
  const { ctx, leader } = startLeader();
  const p1as = tickToP1a(ctx, leader);
  assert.equal(ctx.persisted, [{ type: "round", round: 1 }]);
  assert.equal(
    p1as.map((e) => e.to),
    A3,
  );
  assert.equal(p1as[0]?.message.ballot, { round: 1, leader: "L1" });
});

test("a restarted leader never reuses a round it persisted", () => {
  const { ctx, leader } = startLeader({}, [{ type: "round", round: 7 }]);
  assert.equal(tickToP1a(ctx, leader)[0]?.message.ballot.round, 8);
});

test("phase 1 waits for a phase-1 quorum of the configured system (flexible phase1=4 of 5)", () => {
  const quorum = flexible(A5, { phase1: 4, phase2: 2 });
  const { ctx, leader } = startLeader({ acceptors: A5, quorum });
  const ballot = tickToP1a(ctx, leader)[0]!.message.ballot;
  for (const a of ["a1", "a2", "a3"])
    leader.onP1b(a, { type: "p1b", ballot, accepted: [], trimmedBelow: 0, chunk: 0, chunks: 1 });
  assert.not.ok(leader.isActive, "three of five is a majority but not a phase-1 quorum here");
  leader.onP1b("a4", { type: "p1b", ballot, accepted: [], trimmedBelow: 0, chunk: 0, chunks: 1 });
  assert.ok(leader.isActive);
});

test("a leader adopts the highest-ballot value of each slot (pmax) and proposes it", () => {
  const { ctx, leader } = startLeader();
  leader.onPropose("R1", { type: "propose", slot: 0, value: one("mine") });
  adopt(ctx, leader, {
    a1: [{ ballot: { round: 0, leader: "L9" }, slot: 0, value: one("low") }],
    a2: [{ ballot: { round: 0, leader: "L2" }, slot: 0, value: one("lower") }],
  });
  const p2as = ctx.take("p2a").filter((e) => e.message.slot === 0);
  assert.ok(p2as.length > 0);
  for (const e of p2as) assert.equal(e.message.value, one("low"), "(0,L9) beats (0,L2)");
});

test("after adoption a leader fills holes below the highest adopted slot with no-ops", () => {
  const { ctx, leader } = startLeader();
  adopt(ctx, leader, {
    a1: [{ ballot: { round: 0, leader: "L2" }, slot: 3, value: one("x") }],
    a2: [],
  });
  const bySlot = new Map(ctx.take("p2a").map((e) => [e.message.slot, e.message.value]));
  assert.equal([...bySlot.keys()].sort(), [0, 1, 2, 3]);
  assert.equal(bySlot.get(1), []);
  assert.equal(bySlot.get(3), one("x"));
});

test("phase 2 decides on a phase-2 quorum (flexible phase2=2) and tells every replica", () => {
  const quorum = flexible(A5, { phase1: 4, phase2: 2 });
  const { ctx, leader } = startLeader({ acceptors: A5, quorum });
  const ballot = adopt(ctx, leader, {}, ["a1", "a2", "a3", "a4"]);
  leader.onPropose("R1", { type: "propose", slot: 0, value: one("x") });
  leader.onP2b("a5", { type: "p2b", ballot, slot: 0, accepted: true });
  assert.is(ctx.take("decision").length, 0, "one acceptor is not a phase-2 quorum");
  leader.onP2b("a3", { type: "p2b", ballot, slot: 0, accepted: true });
  const decisions = ctx.take("decision");
  assert.equal(
    decisions.map((e) => e.to),
    ["R1", "R2"],
  );
  assert.equal(decisions[0]?.message, { type: "decision", slot: 0, value: one("x") });
});

test("p2b votes for an older ballot of the same leader do not count", () => {
  const { ctx, leader } = startLeader();
  const ballot = adopt(ctx, leader);
  leader.onPropose("R1", { type: "propose", slot: 0, value: one("x") });
  const stale = { round: ballot.round - 1, leader: "L1" };
  leader.onP2b("a1", { type: "p2b", ballot: stale, slot: 0, accepted: true });
  leader.onP2b("a2", { type: "p2b", ballot: stale, slot: 0, accepted: true });
  assert.is(ctx.take("decision").length, 0);
});

test("a refusal carrying the leader's current ballot is not an acceptance (majority3 seed 571)", () => {
  // An acceptor that promised this ballot after refusing an older p2a of the same leader
  // answers that p2a with its promise: the same ballot the leader's commander now runs.
  const { ctx, leader } = startLeader();
  const ballot = adopt(ctx, leader);
  leader.onPropose("R1", { type: "propose", slot: 0, value: one("x") });
  leader.onP2b("a1", { type: "p2b", ballot, slot: 0, accepted: false });
  leader.onP2b("a2", { type: "p2b", ballot, slot: 0, accepted: false });
  assert.is(ctx.take("decision").length + ctx.take("commit").length, 0, "nothing decided");
  leader.onP2b("a1", { type: "p2b", ballot, slot: 0, accepted: true });
  leader.onP2b("a2", { type: "p2b", ballot, slot: 0, accepted: true });
  assert.ok(ctx.take("decision").length + ctx.take("commit").length > 0, "decided on acceptances");
});

test("a preempted leader follows the higher ballot and does not scout while it hears heartbeats", () => {
  const { ctx, leader } = startLeader();
  const ballot = adopt(ctx, leader);
  const higher = { round: ballot.round + 1, leader: "L2" };
  leader.onP2b("a1", { type: "p2b", ballot: higher, slot: 0, accepted: false });
  assert.not.ok(leader.isActive);
  assert.equal(ctx.events.at(-1), { type: "leadership", ballot, active: false });
  ctx.take("p1a");
  for (let t = 0; t < 1_000; t += 50) {
    ctx.now += 50;
    leader.onHeartbeat("L2", { type: "heartbeat", ballot: higher, decidedBelow: 0 });
    leader.tick();
  }
  assert.is(ctx.take("p1a").length, 0, "no duel while the other leader is alive");
  ctx.now += 10_000;
  const p1a = tickToP1a(ctx, leader)[0]?.message;
  assert.equal(p1a?.ballot, { round: higher.round + 1, leader: "L1" }, "then it outbids");
});

test("repeated failed attempts back off exponentially up to the cap", () => {
  const { ctx, leader } = startLeader();
  const waits: number[] = [];
  for (let attempt = 0; attempt < 6; attempt++) {
    const p1a = tickToP1a(ctx, leader)[0]!.message;
    const higher = { round: p1a.ballot.round, leader: "L9" };
    leader.onP1b("a1", {
      type: "p1b",
      ballot: higher,
      accepted: [],
      trimmedBelow: 0,
      chunk: 0,
      chunks: 1,
    });
    waits.push(leader.nextWakeAt() - ctx.now);
    ctx.now = leader.nextWakeAt();
  }
  // leaderTimeoutMs = 100, jitter = 0.5 * 100 from the fixed rng, cap 1000
  assert.equal(waits, [250, 450, 850, 1_050, 1_050, 1_050]);
});

test("an active leader heartbeats only with a live quorum; otherwise it only probes", () => {
  const { ctx, leader } = startLeader();
  adopt(ctx, leader);
  ctx.take("heartbeat");
  ctx.take("probe");
  // the p1bs made a1..a3 fresh, but no replica has answered yet: probes, not heartbeats
  ctx.now += 10;
  leader.tick();
  assert.equal(ctx.take("heartbeat"), []);
  assert.equal(
    ctx
      .take("probe")
      .map((e) => e.to)
      .sort(),
    ["R1", "R2", "a1", "a2", "a3"],
  );
  leader.onProbeAck("R1", { type: "probeAck", ballot: BOTTOM });
  ctx.now += 10;
  leader.tick();
  assert.equal(
    ctx
      .take("heartbeat")
      .map((e) => e.to)
      .sort(),
    ["L2", "R1", "R2", "a1", "a2", "a3"],
  );
  ctx.now += 500; // everyone fell silent
  leader.tick();
  assert.equal(ctx.take("heartbeat"), []);
  assert.is(ctx.take("probe").length, 5);
  for (const a of ["a1", "a2", "R2"]) leader.onProbeAck(a, { type: "probeAck", ballot: BOTTOM });
  ctx.now += 10;
  leader.tick();
  assert.is(ctx.take("heartbeat").length, 6);
});

test("a probe answered with a higher promise deposes the leader", () => {
  const { ctx, leader } = startLeader();
  const ballot = adopt(ctx, leader);
  leader.onProbeAck("a3", { type: "probeAck", ballot: { round: ballot.round + 1, leader: "L2" } });
  assert.not.ok(leader.isActive);
  assert.equal(ctx.events.at(-1), { type: "leadership", ballot, active: false });
});

test("PreVote: no p1a (and no new round) until a phase-1 quorum grants", () => {
  const { ctx, leader } = startLeader({ acceptors: A5 });
  leader.tick();
  const prevotes = ctx.take("prevote");
  assert.equal(
    prevotes.map((e) => e.to),
    A5,
  );
  assert.equal(ctx.persisted, [], "a prevote persists nothing and raises no promise");
  const no = { type: "prevoteReply", ballot: BOTTOM, granted: false } as const;
  const yes = { ...no, granted: true } as const;
  leader.onPrevoteReply("a1", yes);
  leader.onPrevoteReply("a2", no);
  leader.onPrevoteReply("a3", yes);
  assert.equal(ctx.take("p1a"), []);
  leader.onPrevoteReply("a4", no);
  leader.onPrevoteReply("a5", no);
  assert.equal(ctx.take("p1a"), [], "three refusals of five: no majority can grant");
  assert.ok(leader.nextWakeAt() > ctx.now + 100, "it backs off before asking again");
  ctx.now = leader.nextWakeAt();
  leader.tick();
  assert.is(ctx.take("prevote").length, 5);
  for (const a of ["a1", "a2", "a3"]) leader.onPrevoteReply(a, yes);
  assert.is(ctx.take("p1a").length, 5);
  assert.equal(ctx.persisted, [{ type: "round", round: 1 }]);
});

test("an unanswered prevote gives up after a leader timeout; a heartbeat ends the attempt", () => {
  const { ctx, leader } = startLeader();
  leader.tick();
  assert.is(ctx.take("prevote").length, 3);
  ctx.now = leader.nextWakeAt();
  assert.is(ctx.now, 100, "leaderTimeoutMs 100 comes before the first resend (125)");
  leader.tick();
  assert.equal(ctx.take("prevote"), []);
  assert.equal(ctx.take("p1a"), []);
  ctx.now = leader.nextWakeAt();
  leader.tick();
  assert.is(ctx.take("prevote").length, 3, "asks again after the backoff");
  leader.onHeartbeat("L2", {
    type: "heartbeat",
    ballot: { round: 1, leader: "L2" },
    decidedBelow: 0,
  });
  leader.onPrevoteReply("a1", { type: "prevoteReply", ballot: BOTTOM, granted: true });
  leader.onPrevoteReply("a2", { type: "prevoteReply", ballot: BOTTOM, granted: true });
  assert.equal(ctx.take("p1a"), [], "it follows the live leader instead");
});

test("a scout resends p1a with exponential backoff and gives up after a leader timeout", () => {
  const ctx = new Recorder("L1", layout(A3), { leaderTimeoutMs: 1_000, p1aRetryMs: 100 });
  const leader = new Leader(ctx, DEFAULT_LEADER);
  assert.is(tickToP1a(ctx, leader).length, 3);
  const times: number[] = [];
  for (;;) {
    ctx.now = leader.nextWakeAt();
    leader.tick();
    if (ctx.take("p1a").length === 0) break;
    times.push(ctx.now);
  }
  // p1aRetryMs 100, doubled per resend, stretched by the fixed jitter (x1.25)
  assert.equal(times, [125, 375, 875]);
  assert.is(ctx.now, 1_000, "then it gives up, one leader timeout after it started");
  assert.not.ok(leader.isActive);
  assert.ok(leader.nextWakeAt() >= 1_000 + 2_000, "and backs off before trying again");
});

test("a thrifty leader sends p2a to a minimal phase-2 quorum, and to everyone on retry", () => {
  const quorum = flexible(A5, { phase1: 4, phase2: 2 });
  const { ctx, leader } = startLeader({ acceptors: A5, quorum, thrifty: true });
  adopt(ctx, leader, {}, ["a1", "a2", "a3", "a4"]);
  ctx.take("p2a");
  leader.onPropose("R1", { type: "propose", slot: 0, value: one("x") });
  const first = ctx.take("p2a").map((e) => e.to);
  assert.equal(first, ["a1", "a2"]);
  ctx.now += 1_000;
  leader.tick();
  assert.equal(
    ctx
      .take("p2a")
      .map((e) => e.to)
      .sort(),
    A5,
  );
});

test("thrifty targets come from acceptors that answer; a suspect is replaced at once", () => {
  const quorum = flexible(A5, { phase1: 4, phase2: 2 });
  const { ctx, leader } = startLeader({ acceptors: A5, quorum, thrifty: true });
  // a1 never answered phase 1: it is not a target
  const ballot = adopt(ctx, leader, {}, ["a2", "a3", "a4", "a5"]);
  ctx.take("p2a");
  leader.onPropose("R1", { type: "propose", slot: 0, value: one("x") });
  assert.equal(
    ctx.take("p2a").map((e) => e.to),
    ["a2", "a3"],
  );
  leader.onP2b("a2", { type: "p2b", ballot, slot: 0, accepted: true });
  ctx.now += 5;
  leader.onPropose("R1", { type: "propose", slot: 1, value: one("y") });
  assert.equal(
    ctx.take("p2a").map((e) => e.to),
    ["a2", "a3"],
  );
  // a3 stays silent; the others answer probes. Once a3 is stale (no answer for the live
  // window, 50 ms here) or suspect (a message unanswered for p2aRetryMs, 100), slots 0 and 1
  // go to its replacement, without waiting for the resend timer (at 100 + 5).
  leader.onP2b("a2", { type: "p2b", ballot, slot: 1, accepted: true });
  let resent: string[] = [];
  while (resent.length === 0) {
    ctx.now = leader.nextWakeAt();
    leader.tick();
    for (const e of ctx.take("probe")) {
      if (e.to !== "a3" && e.to !== "a1") leader.onProbeAck(e.to, { type: "probeAck", ballot });
    }
    resent = ctx.take("p2a").map((e) => `${e.message.slot}>${e.to}`);
  }
  assert.ok(ctx.now <= 100, `replaced at ${ctx.now} ms`);
  assert.equal(resent, ["0>a4", "1>a4"]);
  leader.onPropose("R1", { type: "propose", slot: 2, value: one("z") });
  assert.equal(
    ctx.take("p2a").map((e) => e.to),
    ["a2", "a4"],
  );
});

test("a thrifty leader in doubt (too few healthy acceptors) addresses every acceptor", () => {
  const quorum = flexible(A5, { phase1: 4, phase2: 2 });
  const { ctx, leader } = startLeader({ acceptors: A5, quorum, thrifty: true });
  adopt(ctx, leader, {}, ["a1", "a2", "a3", "a4"]);
  ctx.take("p2a");
  ctx.now += 1_000; // every answer is stale now
  leader.tick();
  ctx.take("p2a");
  leader.onPropose("R1", { type: "propose", slot: 0, value: one("x") });
  assert.equal(
    ctx.take("p2a").map((e) => e.to),
    A5,
  );
});

test("a leader never proposes into a slot a heartbeat reported decided", () => {
  const { ctx, leader } = startLeader();
  leader.onHeartbeat("L2", {
    type: "heartbeat",
    ballot: { round: 0, leader: "L2" },
    decidedBelow: 5,
  });
  leader.onPropose("R1", { type: "propose", slot: 3, value: one("late") });
  ctx.now += 10_000; // L2 went quiet: L1 takes over
  const p1a = tickToP1a(ctx, leader)[0]!.message;
  assert.is(p1a.fromSlot, 5, "phase 1 asks only about undecided slots");
  for (const a of A3)
    leader.onP1b(a, {
      type: "p1b",
      ballot: p1a.ballot,
      accepted: [],
      trimmedBelow: 0,
      chunk: 0,
      chunks: 1,
    });
  assert.ok(leader.isActive);
  assert.equal(ctx.take("p2a"), []);
});

test("a leader resends a decision to a replica that proposes into a slot it decided", () => {
  const { ctx, leader } = startLeader();
  const ballot = adopt(ctx, leader);
  leader.onPropose("R1", { type: "propose", slot: 0, value: one("x") });
  for (const a of ["a1", "a2"]) leader.onP2b(a, { type: "p2b", ballot, slot: 0, accepted: true });
  ctx.take("decision");
  ctx.take("p2a");
  leader.onPropose("R2", { type: "propose", slot: 0, value: [] });
  assert.equal(ctx.take("decision"), [
    { to: "R2", message: { type: "decision", slot: 0, value: one("x") } },
  ]);
  assert.equal(ctx.take("p2a"), [], "no new phase 2 for a decided slot");
});

test("a batch that lost its slot to another replica's proposal gets the next free slot", () => {
  const { ctx, leader } = startLeader();
  adopt(ctx, leader);
  ctx.take("p2a");
  leader.onPropose("R1", { type: "propose", slot: 0, value: one("near") });
  leader.onPropose("R2", { type: "propose", slot: 0, value: one("far", 1) });
  leader.onPropose("R1", { type: "propose", slot: 0, value: one("near") });
  const bySlot = [...new Map(ctx.take("p2a").map((e) => [e.message.slot, e.message.value]))];
  assert.equal(
    bySlot,
    [
      [0, one("near")],
      [1, one("far", 1)],
    ],
    "a resent proposal is not placed twice",
  );
});

/** A leader on a3 of three colocated nodes (each replica and acceptor), adopted at once. */
function colocatedLeader() {
  const ctx = new Recorder("a3", layout(A3, { leaders: ["a3", "a2", "a1"], replicas: A3 }), {
    leaderTimeoutMs: 100,
    heartbeatIntervalMs: 10,
    electionBackoffMaxMs: 1_000,
  });
  const leader = new Leader(ctx, DEFAULT_LEADER, []);
  const ballot = adopt(ctx, leader);
  ctx.sent = [];
  return { ctx, leader, ballot };
}

test("a commit waits for the next p2a to its node, and goes before it in the same turn", () => {
  const { ctx, leader, ballot } = colocatedLeader();
  leader.onPropose("a3", { type: "propose", slot: 0, value: one("x") });
  leader.onP2b("a3", { type: "p2b", ballot, slot: 0, accepted: true });
  leader.onP2b("a1", { type: "p2b", ballot, slot: 0, accepted: true });
  // decided: a1 acked and learns by reference; a2, sent the p2a, may still ack
  assert.equal(
    ctx.take("decision").map((e) => e.to),
    ["a3"],
  );
  leader.onP2b("a2", { type: "p2b", ballot, slot: 0, accepted: true });
  assert.is(ctx.take("decision").length, 0, "a2 acked late: no value twice");
  assert.is(ctx.take("commit").length, 0, "held for the next p2a to a1 and a2");
  ctx.sent = [];
  leader.onPropose("a3", { type: "propose", slot: 1, value: one("y") });
  for (const node of ["a1", "a2"]) {
    const types = ctx.sent.filter((e) => e.to === node).map((e) => e.message.type);
    assert.equal(types, ["commit", "p2a"], node);
  }
});

test("thrifty: a replica whose acceptor was not sent the p2a gets the value itself", () => {
  const ctx = new Recorder("a3", layout(A3, { leaders: ["a3", "a2", "a1"], replicas: A3 }), {
    leaderTimeoutMs: 100,
    heartbeatIntervalMs: 10,
    electionBackoffMaxMs: 1_000,
  });
  const leader = new Leader(ctx, { ...DEFAULT_LEADER, thrifty: true }, []);
  const ballot = adopt(ctx, leader);
  ctx.sent = [];
  leader.onPropose("a3", { type: "propose", slot: 0, value: one("x") });
  const targets = ctx.take("p2a").map((e) => e.to);
  assert.is(targets.length, 2, "a minimal phase-2 quorum");
  for (const a of targets) leader.onP2b(a, { type: "p2b", ballot, slot: 0, accepted: true });
  const left = A3.find((a) => !targets.includes(a))!;
  assert.ok(
    ctx.take("decision").some((e) => e.to === left),
    `${left}, not sent the p2a, gets the value`,
  );
});

test("a held commit goes out after COMMIT_DELAY_MS without traffic, and before any trim", () => {
  const { ctx, leader, ballot } = colocatedLeader();
  leader.onPropose("a3", { type: "propose", slot: 0, value: one("x") });
  leader.onP2b("a3", { type: "p2b", ballot, slot: 0, accepted: true });
  leader.onP2b("a1", { type: "p2b", ballot, slot: 0, accepted: true });
  ctx.sent = [];
  assert.ok(leader.nextWakeAt() <= ctx.now + COMMIT_DELAY_MS);
  ctx.now += COMMIT_DELAY_MS;
  leader.tick();
  assert.equal(
    ctx.take("commit").map((e) => [e.to, e.message.slot]),
    [["a1", 0]],
  );
  assert.equal(
    ctx.take("decision").map((e) => [e.to, e.message.slot]),
    [["a2", 0]],
    "a2 did not ack in time: the value",
  );
  // held again, then a majority of replicas report snapshots: the trim that lets a1's
  // acceptor forget slot 1 must not overtake the commit a1's replica needs it for
  leader.onPropose("a3", { type: "propose", slot: 1, value: one("y") });
  leader.onP2b("a3", { type: "p2b", ballot, slot: 1, accepted: true });
  leader.onP2b("a1", { type: "p2b", ballot, slot: 1, accepted: true });
  ctx.sent = [];
  leader.onSnapshotted("a3", { type: "snapshotted", slot: 2 });
  leader.onSnapshotted("a2", { type: "snapshotted", slot: 2 });
  const toA1 = ctx.sent.filter((e) => e.to === "a1").map((e) => e.message.type);
  assert.equal(toA1, ["commit", "trim"]);
});

test.run();

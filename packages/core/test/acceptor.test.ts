// The acceptor's rules, as Paxos Made Moderately Complex states them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BOTTOM } from "../src/ballot.js";
import { DEFAULT_LIMITS } from "../src/config.js";
import { Acceptor } from "../src/roles/acceptor.js";
import { layout, put, Recorder } from "./harness.js";

const A = ["a1", "a2", "a3"];
const b = (round: number, leader = "L1") => ({ round, leader });
const batch = (key: string) => [{ clientId: "c", seq: 0, ackedBelow: 0, op: put(key, "v") }];

function freshAcceptor() {
  const ctx = new Recorder("a1", layout(A));
  return { ctx, acceptor: new Acceptor(ctx, DEFAULT_LIMITS) };
}

test("an acceptor adopts a p1a ballot higher than its promise and persists it before answering", () => {
  const { ctx, acceptor } = freshAcceptor();
  acceptor.onP1a("L1", { type: "p1a", ballot: b(1), fromSlot: 0 });
  assert.equal(acceptor.promised, b(1));
  assert.equal(ctx.persisted, [{ type: "promise", ballot: b(1) }]);
  assert.equal(ctx.take("p1b")[0]?.message, {
    type: "p1b",
    ballot: b(1),
    accepted: [],
    trimmedBelow: 0,
    chunk: 0,
    chunks: 1,
  });
});

test("an acceptor never lowers its promise: a lower p1a is answered with the higher promise", () => {
  const { ctx, acceptor } = freshAcceptor();
  acceptor.onP1a("L2", { type: "p1a", ballot: b(3, "L2"), fromSlot: 0 });
  ctx.persisted = [];
  acceptor.onP1a("L1", { type: "p1a", ballot: b(2), fromSlot: 0 });
  assert.equal(acceptor.promised, b(3, "L2"));
  assert.equal(ctx.persisted, [], "nothing new to persist");
  const replies = ctx.take("p1b");
  assert.equal(replies[1]?.message.ballot, b(3, "L2"), "the leader learns it was preempted");
});

test("ballots order by round, then by leader id", () => {
  const { acceptor } = freshAcceptor();
  acceptor.onP1a("L1", { type: "p1a", ballot: b(2, "L1"), fromSlot: 0 });
  acceptor.onP1a("L2", { type: "p1a", ballot: b(2, "L2"), fromSlot: 0 });
  assert.equal(acceptor.promised, b(2, "L2"));
  acceptor.onP1a("L1", { type: "p1a", ballot: b(2, "L1"), fromSlot: 0 });
  assert.equal(acceptor.promised, b(2, "L2"));
});

test("an acceptor never accepts a pvalue below its promise", () => {
  const { ctx, acceptor } = freshAcceptor();
  acceptor.onP1a("L2", { type: "p1a", ballot: b(5, "L2"), fromSlot: 0 });
  ctx.persisted = [];
  acceptor.onP2a("L1", { type: "p2a", ballot: b(4), slot: 0, value: batch("x") });
  assert.is(acceptor.accepted(0), undefined);
  assert.equal(ctx.persisted, []);
  assert.equal(ctx.take("p2b")[0]?.message, {
    type: "p2b",
    ballot: b(5, "L2"),
    slot: 0,
    accepted: false,
  });
});

test("an acceptor accepts at its promise or above, raising the promise, persisted before the p2b", () => {
  const { ctx, acceptor } = freshAcceptor();
  acceptor.onP1a("L1", { type: "p1a", ballot: b(1), fromSlot: 0 });
  acceptor.onP2a("L1", { type: "p2a", ballot: b(1), slot: 0, value: batch("x") });
  acceptor.onP2a("L1", { type: "p2a", ballot: b(2), slot: 1, value: batch("y") });
  assert.equal(acceptor.accepted(0)?.ballot, b(1));
  assert.equal(acceptor.promised, b(2));
  assert.equal(
    ctx.persisted.map((r) => r.type),
    ["promise", "accept", "accept"],
  );
  assert.equal(
    ctx.take("p2b").map((e) => e.message.ballot),
    [b(1), b(2)],
  );
});

test("an acceptor keeps only the highest-ballot pvalue of each slot", () => {
  const { acceptor } = freshAcceptor();
  acceptor.onP2a("L1", { type: "p2a", ballot: b(1), slot: 7, value: batch("old") });
  acceptor.onP2a("L2", { type: "p2a", ballot: b(2, "L2"), slot: 7, value: batch("new") });
  assert.is(acceptor.acceptedCount, 1);
  assert.equal(acceptor.accepted(7)?.value, batch("new"));
});

test("a p1b reports the accepted pvalues from the requested slot on", () => {
  const { ctx, acceptor } = freshAcceptor();
  for (const slot of [0, 1, 2, 3]) {
    acceptor.onP2a("L1", { type: "p2a", ballot: b(1), slot, value: batch(`k${slot}`) });
  }
  acceptor.onP1a("L2", { type: "p1a", ballot: b(2, "L2"), fromSlot: 2 });
  const p1b = ctx.take("p1b")[0]?.message;
  assert.equal(
    p1b?.accepted.map((p) => p.slot),
    [2, 3],
  );
});

test("what an acceptor persisted survives a restart: its promise and its accepted pvalues", () => {
  const { ctx, acceptor } = freshAcceptor();
  acceptor.onP1a("L1", { type: "p1a", ballot: b(3), fromSlot: 0 });
  acceptor.onP2a("L1", { type: "p2a", ballot: b(3), slot: 4, value: batch("x") });
  acceptor.onP2a("L1", { type: "p2a", ballot: b(4), slot: 4, value: batch("y") });
  const reborn = new Acceptor(new Recorder("a1", layout(A)), DEFAULT_LIMITS, ctx.persisted);
  assert.equal(reborn.promised, b(4));
  assert.equal(reborn.accepted(4)?.value, batch("y"));
  assert.equal(reborn.accepted(4)?.ballot, b(4));
});

test("PreVote: an acceptor refuses while it hears a live leader, then grants", () => {
  const { ctx, acceptor } = freshAcceptor();
  // leaderTimeoutMs 300 by default: the live window is 150 ms
  acceptor.onPrevote("L2", { type: "prevote", ballot: b(1, "L2") });
  assert.equal(ctx.take("prevoteReply")[0]?.message, {
    type: "prevoteReply",
    ballot: BOTTOM,
    granted: true,
  });
  acceptor.onP1a("L1", { type: "p1a", ballot: b(1), fromSlot: 0 });
  ctx.now = 1_000;
  acceptor.onHeartbeat("L1", { type: "heartbeat", ballot: b(1), decidedBelow: 0 });
  ctx.now = 1_100;
  acceptor.onPrevote("L2", { type: "prevote", ballot: b(2, "L2") });
  assert.is(ctx.take("prevoteReply")[0]?.message.granted, false);
  acceptor.onPrevote("L1", { type: "prevote", ballot: b(2) });
  assert.is(ctx.take("prevoteReply")[0]?.message.granted, true, "the live leader itself may");
  assert.equal(acceptor.promised, b(1), "a prevote changes nothing");
  ctx.now = 1_150;
  acceptor.onPrevote("L2", { type: "prevote", ballot: b(2, "L2") });
  assert.is(ctx.take("prevoteReply")[0]?.message.granted, true);
});

test("a heartbeat below the promise is not a live leader", () => {
  const { ctx, acceptor } = freshAcceptor();
  acceptor.onP1a("L2", { type: "p1a", ballot: b(2, "L2"), fromSlot: 0 });
  acceptor.onHeartbeat("L1", { type: "heartbeat", ballot: b(1), decidedBelow: 0 });
  acceptor.onPrevote("L3", { type: "prevote", ballot: b(3, "L3") });
  assert.is(ctx.take("prevoteReply")[0]?.message.granted, true);
});

test.run();

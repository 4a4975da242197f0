// Bounded state: acceptors forget below a safe slot, replicas snapshot, every message fits.
// Each test names the rule it checks (docs/bounded-state.md states them).
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Batch, Command } from "../src/command.js";
import { DEFAULT_LEADER, DEFAULT_LIMITS, DEFAULT_REPLICA } from "../src/config.js";
import type { PersistRecord, SnapshotRecord } from "../src/effects.js";
import type { Message, PValue } from "../src/messages.js";
import { Acceptor } from "../src/roles/acceptor.js";
import { Client } from "../src/roles/client.js";
import { safeToForgetBelow } from "../src/roles/forget-rule.js";
import { Leader } from "../src/roles/leader.js";
import { Replica } from "../src/roles/replica.js";
import { batchBytes } from "../src/size.js";
import { KeyValueStore } from "../src/state-machine.js";
import { layout, put, Recorder, tickToP1a } from "./harness.js";

const A3 = ["a1", "a2", "a3"];
const b = (round: number, leader = "L1") => ({ round, leader });
const command = (seq: number, value = `v${seq}`, clientId = "c"): Command => ({
  clientId,
  seq,
  ackedBelow: 0,
  op: put(`k${seq}`, value),
});
const batch = (seq: number): Batch => [command(seq)];
const SMALL = { maxMessageBytes: 4_096, maxValueBytes: 512 };

test("safe to forget: the slot a majority of replicas hold a durable snapshot at", () => {
  const replicas = ["R1", "R2", "R3"];
  assert.is(safeToForgetBelow(new Map(), replicas), 0);
  assert.is(safeToForgetBelow(new Map([["R1", 900]]), replicas), 0, "one of three is not enough");
  assert.is(
    safeToForgetBelow(
      new Map([
        ["R1", 900],
        ["R2", 400],
      ]),
      replicas,
    ),
    400,
  );
  assert.is(
    safeToForgetBelow(
      new Map([
        ["R1", 900],
        ["R2", 400],
        ["R3", 700],
      ]),
      replicas,
    ),
    700,
  );
});

test("an acceptor told to trim forgets below, persists the mark, and reports it in every p1b", () => {
  const ctx = new Recorder("a1", layout(A3));
  const acceptor = new Acceptor(ctx, DEFAULT_LIMITS);
  for (let slot = 0; slot < 10; slot++) {
    acceptor.onP2a("L1", { type: "p2a", ballot: b(1), slot, value: batch(slot) });
  }
  ctx.persisted = [];
  acceptor.onTrim("L1", { type: "trim", below: 6 });
  assert.equal(ctx.persisted, [{ type: "trim", below: 6 }]);
  assert.is(acceptor.acceptedCount, 4);
  acceptor.onTrim("L1", { type: "trim", below: 3 });
  assert.is(acceptor.trimmedBelow, 6, "a mark never goes back");
  acceptor.onP1a("L2", { type: "p1a", ballot: b(2, "L2"), fromSlot: 0 });
  const [p1b] = ctx.take("p1b");
  assert.is(p1b?.message.trimmedBelow, 6);
  assert.equal(
    p1b?.message.accepted.map((pv) => pv.slot),
    [6, 7, 8, 9],
  );
  // and after a restart from what it persisted
  const reborn = new Acceptor(new Recorder("a1", layout(A3)), DEFAULT_LIMITS, [
    ...ctx.persisted,
    ...acceptorLog(10),
  ]);
  assert.is(reborn.trimmedBelow, 6);
  assert.is(reborn.accepted(5), undefined, "a replayed accept below the mark stays forgotten");
});

function acceptorLog(slots: number): PersistRecord[] {
  return Array.from({ length: slots }, (_, slot) => ({
    type: "accept" as const,
    pvalue: { ballot: b(1), slot, value: batch(slot) },
  }));
}

test("an acceptor does not answer a p2a below its mark with its own ballot (it cannot vouch for it)", () => {
  const ctx = new Recorder("a1", layout(A3));
  const acceptor = new Acceptor(ctx, DEFAULT_LIMITS);
  acceptor.onTrim("L1", { type: "trim", below: 5 });
  acceptor.onP2a("L1", { type: "p2a", ballot: b(1), slot: 2, value: batch(2) });
  assert.equal(ctx.take("p2b"), []);
  assert.is(acceptor.accepted(2), undefined);
});

test("a p1b larger than a message goes in chunks, each below the limit, numbered", () => {
  const ctx = new Recorder("a1", layout(A3));
  const acceptor = new Acceptor(ctx, SMALL);
  for (let slot = 0; slot < 40; slot++) {
    const value = [command(slot, "x".repeat(300))];
    acceptor.onP2a("L1", { type: "p2a", ballot: b(1), slot, value });
  }
  acceptor.onP1a("L2", { type: "p1a", ballot: b(2, "L2"), fromSlot: 0 });
  const chunks = ctx.take("p1b").map((e) => e.message);
  assert.ok(chunks.length > 1, `${chunks.length} chunk(s)`);
  for (const [i, c] of chunks.entries()) {
    assert.is(c.chunk, i);
    assert.is(c.chunks, chunks.length);
    assert.ok(JSON.stringify(c).length <= SMALL.maxMessageBytes, `chunk ${i} fits`);
  }
  assert.is(
    chunks.reduce((n, c) => n + c.accepted.length, 0),
    40,
  );
});

function startLeader(recovered: PersistRecord[] = []) {
  const ctx = new Recorder("L1", layout(A3, { leaders: ["L1"], replicas: ["R1", "R2", "R3"] }));
  const leader = new Leader(ctx, DEFAULT_LEADER, recovered);
  return { ctx, leader };
}

const p1b = (
  ballot: { round: number; leader: string },
  accepted: PValue[],
  trimmedBelow = 0,
  chunk = 0,
  chunks = 1,
): Extract<Message, { type: "p1b" }> => ({
  type: "p1b",
  ballot,
  accepted,
  trimmedBelow,
  chunk,
  chunks,
});

test("a leader counts an acceptor into its phase-1 quorum only once every chunk arrived", () => {
  const { ctx, leader } = startLeader();
  const ballot = tickToP1a(ctx, leader)[0]!.message.ballot;
  leader.onP1b("a1", p1b(ballot, [], 0, 0, 1));
  leader.onP1b("a2", p1b(ballot, [], 0, 0, 2));
  assert.not.ok(leader.isActive, "a2 sent one of two chunks");
  leader.onP1b("a2", p1b(ballot, [], 0, 1, 2));
  assert.ok(leader.isActive);
});

test("a leader never proposes below the highest trim mark of its quorum, and never reads back there", () => {
  const { ctx, leader } = startLeader();
  const ballot = tickToP1a(ctx, leader)[0]!.message.ballot;
  // a2 forgot below 50; a1 still holds an old, unchosen pvalue for slot 20 and one for 60
  const old: PValue = { ballot: b(0, "L0"), slot: 20, value: batch(20) };
  const live: PValue = { ballot: b(0, "L0"), slot: 60, value: batch(60) };
  leader.onP1b("a1", p1b(ballot, [old, live]));
  leader.onP1b("a2", p1b(ballot, [], 50));
  assert.ok(leader.isActive);
  const p2as = ctx.take("p2a").map((e) => e.message.slot);
  assert.ok(
    p2as.every((slot) => slot >= 50),
    `proposed slots ${p2as.join(",")}: none below the mark`,
  );
  assert.ok(p2as.includes(60), "the adopted value above the mark is proposed again");
  assert.equal(
    ctx.take("decision").filter((e) => e.message.slot < 50),
    [],
    "slot 20's old pvalue is not announced as the decision",
  );
  assert.is(leader.decidedPrefix, 50);
});

test("a leader persists its decided prefix every persistDecidedEverySlots and scouts from it after a restart", () => {
  const { ctx, leader } = startLeader();
  const ballot = tickToP1a(ctx, leader)[0]!.message.ballot;
  for (const a of A3) leader.onP1b(a, p1b(ballot, []));
  const every = DEFAULT_LEADER.persistDecidedEverySlots;
  for (let slot = 0; slot < every + 10; slot++) {
    leader.onPropose("R1", { type: "propose", slot, value: batch(slot) });
    for (const a of ["a1", "a2"]) leader.onP2b(a, { type: "p2b", ballot, slot, accepted: true });
  }
  const decided = ctx.persisted.filter((r) => r.type === "decided");
  assert.equal(decided, [{ type: "decided", below: every }]);
  const again = startLeader(ctx.persisted);
  assert.is(tickToP1a(again.ctx, again.leader)[0]?.message.fromSlot, every);
});

test("once a majority of replicas report durable snapshots, the active leader sends trim to every acceptor", () => {
  const { ctx, leader } = startLeader();
  const ballot = tickToP1a(ctx, leader)[0]!.message.ballot;
  for (const a of A3) leader.onP1b(a, p1b(ballot, []));
  for (let slot = 0; slot < 100; slot++) {
    leader.onPropose("R1", { type: "propose", slot, value: batch(slot) });
    for (const a of ["a1", "a2"]) leader.onP2b(a, { type: "p2b", ballot, slot, accepted: true });
  }
  leader.onSnapshotted("R1", { type: "snapshotted", slot: 80 });
  assert.equal(ctx.take("trim"), [], "one replica of three is not a majority");
  leader.onSnapshotted("R3", { type: "snapshotted", slot: 60 });
  assert.equal(
    ctx.take("trim").map((e) => [e.to, e.message.below]),
    A3.map((a) => [a, 60]),
  );
});

function startReplica(options = {}, limits = DEFAULT_LIMITS, recovered?: SnapshotRecord) {
  const ctx = new Recorder("R1", layout(A3, { leaders: ["L1"], replicas: ["R1", "R2", "R3"] }));
  const replica = new Replica(
    ctx,
    { ...DEFAULT_REPLICA, ...options },
    limits,
    new KeyValueStore(),
    recovered,
  );
  return { ctx, replica };
}

function decide(replica: Replica, from: number, to: number, value = (s: number) => batch(s)) {
  for (let slot = from; slot < to; slot++) {
    replica.onDecision("L1", { type: "decision", slot, value: value(slot) });
  }
}

test("a replica persists a snapshot every snapshotEverySlots and reports it to the leaders after", () => {
  const { ctx, replica } = startReplica({ snapshotEverySlots: 10 });
  decide(replica, 0, 25);
  const snaps = ctx.persisted.filter((r) => r.type === "snapshot") as SnapshotRecord[];
  assert.equal(
    snaps.map((s) => s.slot),
    [10, 20],
  );
  assert.is(snaps[1]!.entries.length, 20);
  assert.equal(
    ctx.take("snapshotted").map((e) => e.message.slot),
    [10, 20],
  );
  // a restart from the latest snapshot starts at its slot with its state and sessions
  const reborn = startReplica({ snapshotEverySlots: 10 }, DEFAULT_LIMITS, snaps[1]);
  assert.is(reborn.replica.appliedBelow, 20);
  assert.equal(reborn.ctx.events[0], { type: "snapshotInstalled", slot: 20, from: "R1" });
  reborn.replica.onRequest("C1", { type: "request", command: command(3) });
  assert.is(
    reborn.ctx.take("response").length,
    1,
    "a retried command the snapshot applied is answered from its session, not applied again",
  );
});

test("a replica bounds its batches by bytes as well as by count", () => {
  const { ctx, replica } = startReplica({ maxBatch: 64, maxBatchBytes: 2_000 });
  for (let seq = 0; seq < 10; seq++) {
    replica.onRequest("C1", { type: "request", command: command(seq, "y".repeat(400)) });
  }
  replica.endTurn();
  const proposals = ctx.take("propose").map((e) => e.message.value);
  assert.ok(proposals.length > 1, `${proposals.length} slot(s)`);
  for (const value of proposals) assert.ok(batchBytes(value) <= 2_000);
  assert.is(
    proposals.reduce((n, v) => n + v.length, 0),
    10,
  );
});

test("a replica refuses a value above the limit, saying how large it is and what the limit is", () => {
  const { ctx, replica } = startReplica({}, SMALL);
  replica.onRequest("C1", { type: "request", command: command(0, "z".repeat(600)) });
  replica.endTurn();
  const [refused] = ctx.take("refused");
  assert.match(refused!.message.reason, /^value is \d+ bytes, the limit is 512$/);
  assert.is(refused!.message.maybeApplied, false);
  assert.equal(ctx.take("propose"), []);
});

test("client sessions are bounded: the least recently active is forgotten, and its late retry is refused as of unknown outcome", () => {
  const { ctx, replica } = startReplica({ maxSessions: 2 });
  const c = (clientId: string, seq: number, ackedBelow: number): Command => ({
    clientId,
    seq,
    ackedBelow,
    op: put(clientId, `${seq}`),
  });
  decide(replica, 0, 3, (slot) => [c(["x", "y", "z"][slot]!, 0, 0)]);
  // x was least recently active and is forgotten; its next command cannot be told from a retry
  replica.onRequest("Cx", { type: "request", command: c("x", 1, 1) });
  decide(replica, 3, 4, () => [c("x", 1, 1)]);
  const [refused] = ctx.take("refused");
  assert.ok(refused, "refused");
  assert.is(refused!.message.maybeApplied, true);
  assert.match(refused!.message.reason, /session of client x expired/);
});

test("a snapshot transfer larger than a message goes in chunks and installs once all arrived", () => {
  // retained decisions answer slot by slot; ask below what it retains to get a snapshot
  const behind = startReplica({ retainSlots: 10 }, SMALL);
  decide(behind.replica, 0, 60, (slot) => [command(slot, "w".repeat(200))]);
  behind.replica.onCatchup("R2", { type: "catchup", fromSlot: 0 });
  const chunks = behind.ctx.take("snapshot").map((e) => e.message);
  assert.ok(chunks.length > 1, `${chunks.length} chunk(s)`);
  for (const m of chunks) assert.ok(JSON.stringify(m).length <= SMALL.maxMessageBytes);
  const fresh = startReplica({}, SMALL);
  for (const m of chunks.slice(0, -1)) fresh.replica.onSnapshot("R1", m);
  assert.is(fresh.replica.appliedBelow, 0, "not before the last chunk");
  fresh.replica.onSnapshot("R1", chunks[chunks.length - 1]!);
  assert.is(fresh.replica.appliedBelow, 60);
  assert.equal(fresh.replica.service.snapshot(), behind.replica.service.snapshot());
});

test("a refused operation does not make the client claim answers the replicas never gave (no false 'session expired')", () => {
  const ctx = new Recorder("C1", layout(A3, { replicas: ["R1"] }));
  const client = new Client(ctx, "c-new", SMALL);
  client.submit(put("k", "v".repeat(600)));
  assert.is(ctx.events[0]?.type, "refused");
  client.submit(put("k", "small"));
  const [request] = ctx.take("request");
  assert.is(request!.message.command.seq, 1);
  assert.is(request!.message.command.ackedBelow, 0, "nothing of this client was executed yet");
  // and the replica executes it rather than refusing it as from a forgotten session
  const { ctx: rctx, replica } = startReplica();
  replica.onRequest("C1", request!.message);
  decide(replica, 0, 1, () => [request!.message.command]);
  assert.equal(rctx.take("refused"), []);
  assert.is(rctx.take("response").length, 1);
});

test.run();

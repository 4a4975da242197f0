// The replica's rules: slots, window, order of application, de-duplication, re-proposal.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Batch, Command } from "../src/command.js";
import { DEFAULT_LIMITS, DEFAULT_REPLICA, type ReplicaOptions } from "../src/config.js";
import { Replica } from "../src/roles/replica.js";
import { KeyValueStore } from "../src/state-machine.js";
import { get, layout, put, Recorder } from "./harness.js";

const A3 = ["a1", "a2", "a3"];
const command = (clientId: string, seq: number, op = put(`k${seq}`, `v${seq}`)): Command => ({
  clientId,
  seq,
  ackedBelow: 0,
  op,
});

function startReplica(options: Partial<ReplicaOptions> = {}, id = "R1") {
  const ctx = new Recorder(id, layout(A3, { leaders: ["L1"], replicas: ["R1", "R2"] }));
  const kv = new KeyValueStore();
  const replica = new Replica(ctx, { ...DEFAULT_REPLICA, ...options }, DEFAULT_LIMITS, kv);
  return { ctx, replica, kv };
}

/** A request in a turn of its own: delivered, then the host ends the turn. */
const request = (replica: Replica, c: Command, from = "C1") => {
  replica.onRequest(from, { type: "request", command: c });
  replica.endTurn();
};

const decide = (replica: Replica, slot: number, value: Batch) =>
  replica.onDecision("L1", { type: "decision", slot, value });

test("a replica proposes a request for the first free slot", () => {
  const { ctx, replica } = startReplica();
  replica.onRequest("C1", { type: "request", command: command("c", 0) });
  assert.equal(ctx.take("propose"), [], "not before the host's turn ends");
  replica.endTurn();
  assert.equal(ctx.take("propose"), [
    { to: "L1", message: { type: "propose", slot: 0, value: [command("c", 0)] } },
  ]);
});

test("a replica never applies slot s+1 before slot s", () => {
  const { ctx, replica, kv } = startReplica();
  decide(replica, 1, [command("c", 1)]);
  assert.is(kv.size, 0);
  assert.is(replica.appliedBelow, 0);
  decide(replica, 0, [command("c", 0)]);
  assert.is(replica.appliedBelow, 2);
  assert.equal(
    ctx.events.filter((e) => e.type === "slotApplied").map((e) => (e as { slot: number }).slot),
    [0, 1],
  );
});

test("a replica proposes no further than its window above the last applied slot", () => {
  const { ctx, replica } = startReplica({ window: 2, maxBatch: 1 });
  for (let seq = 0; seq < 5; seq++) request(replica, command("c", seq));
  assert.equal(
    ctx.take("propose").map((e) => e.message.slot),
    [0, 1],
  );
  decide(replica, 0, [command("c", 0)]);
  assert.equal(
    ctx.take("propose").map((e) => e.message.slot),
    [2],
  );
});

test("requests that arrive in one turn share a slot, up to maxBatch; the rest wait for room", () => {
  const { ctx, replica } = startReplica({ window: 1, maxBatch: 3 });
  for (let seq = 0; seq < 5; seq++) {
    replica.onRequest("C1", { type: "request", command: command("c", seq) });
  }
  replica.endTurn();
  const first = ctx.take("propose");
  assert.equal(
    first.map((e) => e.message.value.map((c) => c.seq)),
    [[0, 1, 2]],
  );
  decide(replica, 0, first[0]!.message.value);
  assert.equal(
    ctx.take("propose")[0]?.message.value.map((c) => c.seq),
    [3, 4],
  );
});

test("a command decided in two slots is executed once (de-duplication by clientId, seq)", () => {
  const { ctx, replica, kv } = startReplica();
  decide(replica, 0, [command("c", 0, put("x", "1"))]);
  decide(replica, 1, [command("c", 1, put("x", "2"))]);
  decide(replica, 2, [command("c", 0, put("x", "1"))]);
  assert.equal(
    kv.apply(get("x")),
    { type: "get", value: "2" },
    "the late duplicate did not undo seq 1",
  );
  const executed = ctx.events.filter((e) => e.type === "executed");
  assert.is(executed.length, 2);
});

test("a replica re-proposes its own commands that lost their slot, after one retry period", () => {
  const { ctx, replica } = startReplica();
  request(replica, command("mine", 0));
  assert.equal(ctx.take("propose")[0]?.message.slot, 0);
  decide(replica, 0, [command("theirs", 0)]);
  assert.equal(ctx.take("propose"), [], "the leader may already have given it another slot");
  ctx.now = replica.nextWakeAt();
  assert.is(ctx.now, ctx.timing.proposeRetryMs);
  replica.tick();
  const again = ctx.take("propose");
  assert.equal(again[0]?.message, { type: "propose", slot: 1, value: [command("mine", 0)] });
});

test("a lost command the leader placed in another slot is not proposed again", () => {
  const { ctx, replica } = startReplica();
  request(replica, command("mine", 0));
  ctx.take("propose");
  decide(replica, 0, [command("theirs", 0)]);
  decide(replica, 1, [command("mine", 0)]);
  ctx.now = ctx.timing.proposeRetryMs;
  replica.tick();
  assert.equal(ctx.take("propose"), []);
  assert.is(ctx.take("response").length, 1);
});

test("the hole timer survives decisions that do not fill the hole", () => {
  const { ctx, replica } = startReplica();
  decide(replica, 1, [command("c", 1)]);
  ctx.now = ctx.timing.holeTimeoutMs / 2;
  decide(replica, 2, [command("c", 2)]);
  ctx.now = ctx.timing.holeTimeoutMs;
  assert.is(replica.nextWakeAt(), ctx.timing.holeTimeoutMs);
  replica.tick();
  assert.is(ctx.take("catchup").length, 1);
});

test("a host waking at a fractional nextWakeAt finds the hole timer due (no livelock)", () => {
  const { ctx, replica } = startReplica();
  ctx.now = 398 / 7;
  decide(replica, 1, [command("c", 1)]);
  ctx.now = replica.nextWakeAt();
  replica.tick();
  assert.is(ctx.take("catchup").length, 1);
  assert.ok(replica.nextWakeAt() > ctx.now);
});

test("a replica answers the client once the command is applied", () => {
  const { ctx, replica } = startReplica();
  replica.onRequest("C1", { type: "request", command: command("c", 0, put("x", "1")) });
  decide(replica, 0, [command("c", 0, put("x", "1"))]);
  assert.equal(ctx.take("response"), [
    { to: "C1", message: { type: "response", clientId: "c", seq: 0, result: { type: "put" } } },
  ]);
});

test("a repeated request whose answer the replica has is answered at once, not re-applied", () => {
  const { ctx, replica, kv } = startReplica();
  decide(replica, 0, [command("c", 0, put("x", "1"))]);
  decide(replica, 1, [command("d", 0, put("x", "2"))]);
  replica.onRequest("C1", { type: "request", command: command("c", 0, put("x", "1")) });
  assert.equal(ctx.take("response")[0]?.message.seq, 0);
  assert.equal(ctx.take("propose"), []);
  assert.equal(kv.apply(get("x")), { type: "get", value: "2" });
});

test("requests below the client's ackedBelow are ignored: the client has their answers", () => {
  const { ctx, replica } = startReplica();
  decide(replica, 0, [{ ...command("c", 5), ackedBelow: 5 }]);
  replica.onRequest("C1", { type: "request", command: command("c", 2) });
  assert.equal(ctx.take("response"), []);
  assert.equal(ctx.take("propose"), []);
});

test("an undecided proposal is resent to every leader after proposeRetryMs", () => {
  const { ctx, replica } = startReplica();
  request(replica, command("c", 0));
  ctx.take("propose");
  ctx.now = replica.nextWakeAt();
  replica.tick();
  assert.equal(
    ctx.take("propose").map((e) => e.message.slot),
    [0],
  );
});

test("a replica stuck on a hole asks peers to catch it up and proposes a no-op", () => {
  const { ctx, replica } = startReplica();
  decide(replica, 1, [command("c", 1)]);
  ctx.now += ctx.timing.holeTimeoutMs;
  replica.tick();
  assert.equal(ctx.take("catchup"), [{ to: "R2", message: { type: "catchup", fromSlot: 0 } }]);
  assert.equal(ctx.take("propose"), [
    { to: "L1", message: { type: "propose", slot: 0, value: [] } },
  ]);
});

test("far behind a leader's prefix, a replica asks for the next stretch as soon as one lands", () => {
  const { ctx, replica } = startReplica({ window: 4 });
  replica.onHeartbeat("L1", {
    type: "heartbeat",
    ballot: { round: 1, leader: "L1" },
    decidedBelow: 500,
  });
  replica.endTurn();
  ctx.take("propose");
  ctx.take("catchup");
  // a run of decisions in one turn (as a leader resends them): one request for the next stretch
  for (let slot = 0; slot < 64; slot++) decide(replica, slot, [command("c", slot)]);
  replica.endTurn();
  assert.is(replica.appliedBelow, 64);
  // no hole timeout has passed: it asks at once, once, for the slot it lacks
  assert.equal(ctx.take("propose"), [
    { to: "L1", message: { type: "propose", slot: 64, value: [] } },
  ]);
  assert.equal(ctx.take("catchup"), [{ to: "R2", message: { type: "catchup", fromSlot: 64 } }]);
  replica.endTurn();
  assert.equal(ctx.take("propose"), [], "no progress, no new request (the hole timer retries)");
  // near the prefix (within its window) it waits for the hole timer as before
  const near = startReplica({ window: 4 });
  near.replica.onHeartbeat("L1", {
    type: "heartbeat",
    ballot: { round: 1, leader: "L1" },
    decidedBelow: 3,
  });
  decide(near.replica, 0, [command("c", 0)]);
  near.replica.endTurn();
  assert.equal(near.ctx.take("catchup"), []);
});

test("catch-up: a replica serves retained decisions, and a snapshot below what it retains", () => {
  const ahead = startReplica({ retainSlots: 2 }, "R2");
  for (let slot = 0; slot < 5; slot++) decide(ahead.replica, slot, [command("c", slot)]);
  ahead.replica.onCatchup("R1", { type: "catchup", fromSlot: 3 });
  assert.equal(
    ahead.ctx.take("catchupReply")[0]?.message.decisions.map((d) => d.slot),
    [3, 4],
  );
  ahead.replica.onCatchup("R1", { type: "catchup", fromSlot: 0 });
  const snapshot = ahead.ctx.take("snapshot")[0]!.message;
  assert.is(snapshot.slot, 5);

  const behind = startReplica();
  behind.replica.onSnapshot("R2", snapshot);
  assert.is(behind.replica.appliedBelow, 5);
  assert.equal(behind.kv.snapshot(), ahead.kv.snapshot());
  decide(behind.replica, 0, [command("c", 0)]);
  assert.is(behind.kv.size, 5, "an old decision after the snapshot changes nothing");
});

test.run();

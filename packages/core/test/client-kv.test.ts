// The client's retry rule and the key-value service's semantics.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_LIMITS } from "../src/config.js";
import { Client } from "../src/roles/client.js";
import { KeyValueStore } from "../src/state-machine.js";
import { get, layout, put, Recorder } from "./harness.js";

function startClient(followLeader = true) {
  const ctx = new Recorder("C1", layout(["a1"], { replicas: ["R1", "R2", "R3"] }), {
    clientRetryMs: 100,
    clientRetryMaxMs: 400,
  });
  return { ctx, client: new Client(ctx, "client-1", DEFAULT_LIMITS, { followLeader }) };
}

test("a client follows the leader an answer names, unless told to stay on its replica", () => {
  for (const follow of [true, false]) {
    const { ctx, client } = startClient(follow);
    client.submit(put("a", "1"));
    const first = ctx.take("request")[0]!.to;
    const leader = ["R1", "R2", "R3"].find((r) => r !== first)!;
    client.onResponse(first, {
      type: "response",
      clientId: "client-1",
      seq: 0,
      result: { type: "put" },
      leader,
    });
    client.submit(put("b", "2"));
    assert.is(ctx.take("request")[0]!.to, follow ? leader : first, `followLeader ${follow}`);
  }
});

test("a client with a home replica sends there first and, not following the leader, stays", () => {
  const ctx = new Recorder("C1", layout(["a1"], { replicas: ["R1", "R2", "R3"] }), {});
  for (const home of ["R1", "R2", "R3"]) {
    const client = new Client(ctx, "client-1", DEFAULT_LIMITS, {
      followLeader: false,
      homeReplica: home,
    });
    client.submit(put("a", "1"));
    assert.is(ctx.take("request")[0]!.to, home);
    client.onResponse(home, {
      type: "response",
      clientId: "client-1",
      seq: 0,
      result: { type: "put" },
      leader: home === "R1" ? "R2" : "R1",
    });
    client.submit(put("b", "2"));
    assert.is(ctx.take("request")[0]!.to, home, "still home after an answer naming the leader");
  }
  assert.throws(
    () => new Client(ctx, "client-2", DEFAULT_LIMITS, { followLeader: false, homeReplica: "R9" }),
    /homeReplica "R9" is not one of the replicas \(R1, R2, R3\)/,
  );
});

test("a client numbers its commands and tells replicas which answers it already holds", () => {
  const { ctx, client } = startClient();
  client.submit(put("a", "1"));
  client.submit(put("b", "2"));
  const sent = ctx.take("request").map((e) => e.message.command);
  assert.equal(
    sent.map((c) => [c.seq, c.ackedBelow]),
    [
      [0, 0],
      [1, 0],
    ],
  );
  client.onResponse("R1", {
    type: "response",
    clientId: "client-1",
    seq: 0,
    result: { type: "put" },
  });
  client.submit(put("c", "3"));
  assert.equal(ctx.take("request")[0]?.message.command.ackedBelow, 1);
});

test("on timeout a client resends the same command (same seq) to every other replica, backing off", () => {
  const { ctx, client } = startClient();
  client.submit(put("a", "1"));
  const first = ctx.take("request")[0]!;
  const times: number[] = [];
  let failed = first.to;
  for (let i = 0; i < 4; i++) {
    ctx.now = client.nextWakeAt();
    times.push(ctx.now);
    client.tick();
    const again = ctx.take("request");
    for (const r of again) assert.equal(r.message.command, first.message.command);
    const to = again.map((r) => r.to);
    assert.is(to.length, ctx.cluster.replicas.length - 1, `retry ${i} goes to all but one`);
    assert.ok(!to.includes(failed), `retry ${i} skips ${failed}, the replica that did not answer`);
    failed = ctx.cluster.replicas[(ctx.cluster.replicas.indexOf(failed) + 1) % 3]!;
  }
  assert.equal(times, [100, 300, 700, 1_100], "100 then doubling, capped at 400");
});

test("retries of commands sent to one unresponsive replica all move away from it", () => {
  const { ctx, client } = startClient();
  for (let i = 0; i < 3; i++) client.submit(put(`k${i}`, "v"));
  const dead = ctx.take("request")[0]!.to;
  ctx.now = client.nextWakeAt();
  client.tick();
  const retries = ctx.take("request").map((e) => e.to);
  assert.is(retries.length, 3 * (ctx.cluster.replicas.length - 1));
  assert.ok(!retries.includes(dead), `retries went to ${retries.join(", ")}`);
  client.submit(put("new", "v"));
  assert.is.not(ctx.take("request")[0]!.to, dead, "new commands avoid it too");
});

test("a completed operation is reported once with its invocation and return times", () => {
  const { ctx, client } = startClient();
  ctx.now = 5;
  client.submit(get("a"));
  ctx.now = 12;
  const response = {
    type: "response",
    clientId: "client-1",
    seq: 0,
    result: { type: "get", value: null },
  } as const;
  client.onResponse("R2", response);
  client.onResponse("R3", response);
  assert.equal(ctx.events, [
    {
      type: "completed",
      clientId: "client-1",
      seq: 0,
      op: get("a"),
      result: { type: "get", value: null },
      invokedAt: 5,
      returnedAt: 12,
    },
  ]);
  assert.is(client.nextWakeAt(), Number.POSITIVE_INFINITY);
});

test("the key-value store: get, put, delete and compare-and-set", () => {
  const kv = new KeyValueStore();
  assert.equal(kv.apply(get("k")), { type: "get", value: null });
  assert.equal(kv.apply(put("k", "1")), { type: "put" });
  assert.equal(kv.apply(get("k")), { type: "get", value: "1" });
  assert.equal(kv.apply({ type: "cas", key: "k", expected: "0", value: "2" }), {
    type: "cas",
    ok: false,
    value: "1",
  });
  assert.equal(kv.apply({ type: "cas", key: "k", expected: "1", value: "2" }), {
    type: "cas",
    ok: true,
    value: "2",
  });
  assert.equal(kv.apply({ type: "delete", key: "k" }), { type: "delete", existed: true });
  assert.equal(kv.apply({ type: "delete", key: "k" }), { type: "delete", existed: false });
  assert.equal(kv.apply({ type: "cas", key: "k", expected: null, value: "3" }), {
    type: "cas",
    ok: true,
    value: "3",
  });
});

test("a key-value snapshot restores the same state, and a malformed one is refused", () => {
  const kv = new KeyValueStore();
  kv.apply(put("a", "1"));
  kv.apply(put("b", "2"));
  const copy = new KeyValueStore();
  copy.restore(kv.snapshot());
  assert.equal(copy.apply(get("b")), { type: "get", value: "2" });
  assert.throws(() => copy.restore({ a: 1 } as unknown as unknown[]), /array of pairs/);
  assert.throws(() => copy.restore([["a", 1]]), /string pairs/);
});

test.run();

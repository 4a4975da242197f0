import type { Envelope, Message } from "@paxos/core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeFrame } from "../src/codec.js";
import { packFrames } from "../src/frame-packer.js";
import { checkDataFrame } from "../src/validate.js";

const ballot = { round: 3, leader: "n1" };
const p2a = (slot: number, value = "v"): Message => ({
  type: "p2a",
  ballot,
  slot,
  value: [{ clientId: "c-1", seq: slot, ackedBelow: 0, op: { type: "put", key: "k", value } }],
});
const commit = (slot: number): Message => ({ type: "commit", slot, ballot });

function messagesOf(frame: Buffer): readonly Message[] {
  const check = checkDataFrame(decodeFrame(frame) as Record<string, unknown>, "n1");
  if (!check.ok) throw new Error(check.reason);
  return check.msgs;
}

test("one frame per destination, messages in the order sent", () => {
  const a = p2a(1);
  const c = commit(0);
  const sends: Envelope[] = [
    { to: "n2", message: a },
    { to: "n3", message: a },
    { to: "n2", message: c },
    { to: "n3", message: commit(0) },
  ];
  const frames = packFrames("n1", sends, 1 << 20);
  assert.equal(
    frames.map((f) => [f.to, f.messages]),
    [
      ["n2", 2],
      ["n3", 2],
    ],
  );
  assert.equal(messagesOf(frames[0]!.frame), [a, c]);
  assert.equal(messagesOf(frames[1]!.frame), [a, c]);
});

test("peers sent the same messages share one buffer; others get their own", () => {
  const a = p2a(1);
  const b = p2a(2);
  const frames = packFrames(
    "n1",
    [
      { to: "n2", message: a },
      { to: "n3", message: a },
      { to: "n4", message: b },
    ],
    1 << 20,
  );
  assert.ok(frames[0]!.frame === frames[1]!.frame);
  assert.ok(frames[2]!.frame !== frames[1]!.frame);
  assert.equal(messagesOf(frames[2]!.frame), [b]);
});

test("splits a destination's messages at the budget, by UTF-8 bytes, never below one message", () => {
  // 3-byte characters: a budget counted in UTF-16 units would let these frames overflow
  const big = "\u20ac".repeat(200);
  const sends: Envelope[] = [1, 2, 3, 4].map((slot) => ({ to: "n2", message: p2a(slot, big) }));
  const one = Buffer.byteLength(JSON.stringify(big));
  const frames = packFrames("n1", sends, 2 * one + 400);
  assert.equal(
    frames.map((f) => f.messages),
    [2, 2],
  );
  const tiny = packFrames("n1", sends, 10);
  assert.equal(
    tiny.map((f) => f.messages),
    [1, 1, 1, 1],
  );
  assert.equal(
    tiny.flatMap((f) => messagesOf(f.frame)).map((m) => (m.type === "p2a" ? m.slot : -1)),
    [1, 2, 3, 4],
  );
});

test("skip drops a destination's messages", () => {
  const frames = packFrames(
    "n1",
    [
      { to: "n2", message: commit(1) },
      { to: "n3", message: commit(1) },
    ],
    1 << 20,
    (to) => to === "n2",
  );
  assert.equal(
    frames.map((f) => f.to),
    ["n3"],
  );
});

test.run();

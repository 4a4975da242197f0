import type { Command, Message } from "@paxos/core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  DecodeError,
  decodeFrame,
  encodeDataFrame,
  encodeFrame,
  encodeMessage,
  frameFromParts,
  WIRE_VERSION,
} from "../src/codec.js";
import { checkDataFrame } from "../src/validate.js";

const ballot = { round: 7, leader: "n2" };
const msgs: Message[] = [
  {
    type: "p2a",
    ballot,
    slot: 12,
    value: [
      {
        clientId: "c-1",
        seq: 3,
        ackedBelow: 2,
        op: { type: "put", key: "k", value: 'v\u00e9\u{1f600}"' },
      },
    ],
  },
  { type: "p2b", ballot, slot: 12, accepted: true },
  { type: "decision", slot: 12, value: [] },
];

test("a data frame round-trips (decode + check) and carries the version and the sender", () => {
  const text = encodeDataFrame("n1", msgs);
  const back = decodeFrame(Buffer.from(text)) as Record<string, unknown>;
  assert.is(back.v, WIRE_VERSION);
  assert.is(back.from, "n1");
  const check = checkDataFrame(back, "n1");
  assert.ok(check.ok);
  if (check.ok) assert.equal(check.msgs, msgs);
});

const command = (seq: number, op: Command["op"]): Command => ({
  clientId: "c-9",
  seq,
  ackedBelow: seq - 1,
  op,
});
const everyOp: Command[] = [
  command(1, { type: "get", key: "a" }),
  command(2, { type: "put", key: "b", value: "x" }),
  command(3, { type: "delete", key: "c" }),
  command(4, { type: "cas", key: "d", expected: null, value: "y" }),
  command(5, { type: "cas", key: "e", expected: "y", value: "z" }),
];
const carriers: Message[] = [
  { type: "propose", slot: 1, value: everyOp },
  { type: "decision", slot: 2, value: everyOp },
  { type: "p2a", ballot, slot: 3, value: everyOp },
  {
    type: "p1b",
    ballot,
    accepted: [{ ballot, slot: 4, value: everyOp }],
    trimmedBelow: 0,
    chunk: 0,
    chunks: 1,
  },
  { type: "catchupReply", decisions: [{ slot: 5, value: everyOp }] },
];

test("commands travel as arrays and come back as the same objects, in every message", () => {
  const text = encodeDataFrame("n1", carriers);
  assert.not.match(text, '"clientId"', "no field names of commands on the wire");
  const check = checkDataFrame(decodeFrame(text) as Record<string, unknown>, "n1");
  assert.ok(check.ok, check.ok ? "" : check.reason);
  if (check.ok) assert.equal(check.msgs, carriers);
});

test("requests and responses travel as arrays without the client id, which the connection names", () => {
  const requests: Message[] = everyOp.map((command) => ({ type: "request", command }));
  const text = encodeDataFrame("c-9", requests);
  assert.is(text.split("c-9").length, 2, "the client id once, as the frame's sender");
  const check = checkDataFrame(decodeFrame(text) as Record<string, unknown>, "c-9", "n1");
  assert.ok(check.ok, check.ok ? "" : check.reason);
  if (check.ok) assert.equal(check.msgs, requests);
  const responses: Message[] = [
    { type: "response", clientId: "c-9", seq: 1, result: { type: "get", value: null } },
    { type: "response", clientId: "c-9", seq: 2, result: { type: "put" }, leader: "n3" },
    { type: "response", clientId: "c-9", seq: 3, result: { type: "delete", existed: true } },
    { type: "response", clientId: "c-9", seq: 4, result: { type: "cas", ok: false, value: "q" } },
  ];
  const answer = encodeDataFrame("n1", responses);
  assert.not.match(answer, "c-9");
  const back = checkDataFrame(decodeFrame(answer) as Record<string, unknown>, "n1", "c-9");
  assert.ok(back.ok, back.ok ? "" : back.reason);
  if (back.ok) assert.equal(back.msgs, responses);
});

test("a malformed request or response array is refused with the path of what is wrong", () => {
  const refused = (msg: unknown, fragment: string) => {
    const frame = decodeFrame(
      `{"t":"msgs","v":${WIRE_VERSION},"from":"c-1","msgs":[${JSON.stringify(msg)}]}`,
    ) as Record<string, unknown>;
    const check = checkDataFrame(frame, "c-1", "n1");
    assert.ok(!check.ok && check.reason.includes(fragment), check.ok ? "accepted" : check.reason);
  };
  refused(["q", -1, 0, "get", "k"], "msgs[0].command.seq");
  refused(["q", 1, 0, "put", "k"], "msgs[0].command.op.value");
  refused(["q", 1, 0, "get", "k", "surplus"], 'unexpected key "extra"');
  refused(["r", 1, ["put", "surplus"]], 'unexpected key "extra"');
  refused(["r", 1, ["get"], "n2", "surplus"], 'unexpected key "extra"');
  refused(["r", 1, "put"], "msgs[0].result");
  refused(["x", 1], "msgs[0]");
});

test("a malformed command array is refused with the path of what is wrong", () => {
  const frame = (value: unknown[]) =>
    decodeFrame(
      `{"t":"msgs","v":${WIRE_VERSION},"from":"n1","msgs":[{"type":"decision","slot":1,"value":${JSON.stringify(value)}}]}`,
    ) as Record<string, unknown>;
  const refused = (value: unknown[], fragment: string) => {
    const check = checkDataFrame(frame(value), "n1");
    assert.ok(!check.ok && check.reason.includes(fragment), check.ok ? "accepted" : check.reason);
  };
  refused([["c", "1", 0, "get", "k"]], "msgs[0].value[0].seq");
  refused([["c", 1, 0, "put", "k"]], "msgs[0].value[0].op.value");
  refused([["c", 1, 0, "get", "k", "surplus"]], 'unexpected key "extra"');
  refused([["c", 1, 0, "rename", "k"]], "msgs[0].value[0].op");
  refused([[]], "msgs[0].value[0]");
});

test("splicing pre-encoded messages gives the same frame as encoding it whole", () => {
  const spliced = frameFromParts("n1", msgs.map(encodeMessage));
  assert.is(spliced, encodeDataFrame("n1", msgs));
  assert.equal(decodeFrame(frameFromParts("n1", [])), {
    t: "msgs",
    v: WIRE_VERSION,
    from: "n1",
    msgs: [],
  });
});

test("the sender id is escaped, never spliced raw", () => {
  const frame = decodeFrame(frameFromParts('x","evil":"1', [])) as Record<string, unknown>;
  assert.is(frame.from, 'x","evil":"1');
  assert.is(frame.evil, undefined);
});

test("decodeFrame accepts every shape ws hands over", () => {
  const text = encodeFrame({ t: "challenge", nonce: "ab" });
  const expected = { t: "challenge", nonce: "ab", v: WIRE_VERSION };
  assert.equal(decodeFrame(text), expected);
  assert.equal(decodeFrame(Buffer.from(text)), expected);
  const buf = Buffer.from(text);
  assert.equal(decodeFrame([buf.subarray(0, 5), buf.subarray(5)]), expected);
  const ab = new ArrayBuffer(buf.length);
  new Uint8Array(ab).set(buf);
  assert.equal(decodeFrame(ab), expected);
  // a Buffer that is a view into a larger pool
  const pooled = Buffer.concat([Buffer.from("xxxx"), buf]).subarray(4);
  assert.equal(decodeFrame(pooled), expected);
});

test("decodeFrame rejects garbage, arrays and primitives with a DecodeError", () => {
  for (const bad of [
    Buffer.from([0xff, 0x00, 0x13, 0x37]),
    '{"t":',
    "[1,2]",
    "42",
    "null",
    '"s"',
    "",
  ]) {
    assert.throws(
      () => decodeFrame(bad),
      (e: unknown) => e instanceof DecodeError,
      String(bad),
    );
  }
  assert.throws(() => decodeFrame("null"), /frame is null, not an object/);
  assert.throws(() => decodeFrame("[1]"), /frame is an array, not an object/);
});

test.run();

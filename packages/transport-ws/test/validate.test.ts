import type { Command, Message } from "@paxos/core";
import { MESSAGE_TYPES } from "@paxos/core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { WIRE_VERSION } from "../src/codec.js";
import { checkDataFrame, checkMessage, LIMITS } from "../src/validate.js";

const ballot = { round: 3, leader: "n1" };
const command: Command = {
  clientId: "c-1",
  seq: 5,
  ackedBelow: 4,
  op: { type: "put", key: "k", value: "v" },
};
const commands: Command[] = [
  command,
  { clientId: "c-1", seq: 6, ackedBelow: 4, op: { type: "get", key: "k" } },
  { clientId: "c-2", seq: 0, ackedBelow: 0, op: { type: "delete", key: "" } },
  {
    clientId: "c-2",
    seq: 1,
    ackedBelow: 0,
    op: { type: "cas", key: "k", expected: null, value: "w" },
  },
  {
    clientId: "c-2",
    seq: 2,
    ackedBelow: 0,
    op: { type: "cas", key: "k", expected: "w", value: "x" },
  },
];

/** One good example of every message type. */
const good: Record<Message["type"], Message> = {
  request: { type: "request", command },
  response: {
    type: "response",
    clientId: "c-1",
    seq: 5,
    result: { type: "cas", ok: false, value: null },
  },
  propose: { type: "propose", slot: 0, value: commands },
  decision: { type: "decision", slot: 9, value: [] },
  commit: { type: "commit", slot: 9, ballot },
  p1a: { type: "p1a", ballot, fromSlot: 0 },
  p1b: {
    type: "p1b",
    ballot,
    accepted: [{ ballot: { round: 2, leader: "n2" }, slot: 4, value: commands }],
    trimmedBelow: 3,
    chunk: 0,
    chunks: 2,
  },
  p2a: { type: "p2a", ballot, slot: 4, value: commands },
  p2b: { type: "p2b", ballot, slot: 4, accepted: true },
  heartbeat: { type: "heartbeat", ballot, decidedBelow: 100 },
  probe: { type: "probe", ballot },
  probeAck: { type: "probeAck", ballot: { round: 0, leader: "" } },
  prevote: { type: "prevote", ballot },
  prevoteReply: { type: "prevoteReply", ballot, granted: false },
  catchup: { type: "catchup", fromSlot: 17 },
  snapshotted: { type: "snapshotted", slot: 4000 },
  trim: { type: "trim", below: 3000 },
  refused: {
    type: "refused",
    clientId: "c-1",
    seq: 9,
    reason: "value is 9000000 bytes, the limit is 4194304",
    maybeApplied: false,
  },
  catchupReply: {
    type: "catchupReply",
    decisions: [
      { slot: 17, value: commands },
      { slot: 18, value: [] },
    ],
  },
  snapshot: {
    type: "snapshot",
    slot: 40,
    chunk: 1,
    chunks: 3,
    entries: [
      ["k", "v"],
      ["", ""],
    ],
    sessions: [
      {
        clientId: "c-1",
        ackedBelow: 3,
        results: [
          [3, { type: "put" }],
          [4, { type: "get", value: null }],
          [5, { type: "delete", existed: true }],
        ],
      },
    ],
  },
};

/** Deep copy with one change at `path` (a list of keys). */
function mutate(message: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(message) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

test("every message type of core's union has a passing example here", () => {
  assert.equal(Object.keys(good).sort(), [...MESSAGE_TYPES].sort());
  for (const [type, m] of Object.entries(good)) assert.is(checkMessage(m), undefined, type);
});

/** Bad variants per type: [path, value, expected fragment of the reason]. */
const bad: Record<Message["type"], [(string | number)[], unknown, string][]> = {
  request: [
    [["command", "seq"], "5", "msg.command.seq: expected a non-negative integer"],
    [["command", "seq"], -1, "non-negative integer"],
    [["command", "seq"], 1.5, "non-negative integer"],
    [["command", "ackedBelow"], Number.NaN, "non-negative integer"],
    [["command", "clientId"], "", "empty string"],
    [["command", "clientId"], 7, "expected a string"],
    [["command", "op", "type"], "increment", "unknown operation"],
    [["command", "op", "value"], 5, "msg.command.op.value: expected a string"],
    [["command", "op", "extra"], 1, 'unexpected key "extra"'],
    [["command", "op"], undefined, "expected an operation object"],
    [["command"], [], "expected an object"],
  ],
  response: [
    [["seq"], null, "msg.seq"],
    [["result", "type"], "nope", "unknown result"],
    [["result", "value"], 3, "expected a string or null"],
    [["result", "ok"], "yes", "expected a boolean"],
    [["clientId"], undefined, "msg.clientId"],
  ],
  propose: [
    [["slot"], Number.POSITIVE_INFINITY, "msg.slot"],
    [["value"], {}, "expected an array of commands"],
    [["value", 1, "op", "key"], null, "msg.value[1].op.key"],
    [["value", 4, "op", "expected"], 3, "expected a string or null"],
  ],
  decision: [
    [["slot"], "9", "msg.slot"],
    [["value"], null, "expected an array"],
  ],
  commit: [
    [["slot"], -1, "msg.slot"],
    [["ballot", "round"], "3", "msg.ballot.round"],
    [["value"], [], 'unexpected key "value" in commit'],
  ],
  p1a: [
    [["ballot"], [3, "n1"], "msg.ballot: expected an object"],
    [["ballot", "round"], -3, "msg.ballot.round"],
    [["ballot", "leader"], 1, "msg.ballot.leader"],
    [["ballot", "term"], 1, 'unexpected key "term"'],
    [["fromSlot"], undefined, "msg.fromSlot"],
  ],
  p1b: [
    [["accepted"], "none", "expected an array"],
    [["accepted", 0, "slot"], -4, "msg.accepted[0].slot"],
    [["accepted", 0, "ballot"], null, "msg.accepted[0].ballot"],
    [["accepted", 0, "value", 0, "seq"], "x", "msg.accepted[0].value[0].seq"],
    [["trimmedBelow"], -1, "msg.trimmedBelow"],
    [["chunk"], 2, "msg.chunk: 2 is not below chunks (2)"],
    [["chunks"], 0, "msg.chunks: expected 1 to"],
  ],
  p2a: [
    [["slot"], 2 ** 53, "msg.slot"],
    [["value", 0], "cmd", "msg.value[0]: expected an object"],
    [["ballot", "leader"], undefined, "msg.ballot.leader"],
  ],
  p2b: [
    [["slot"], "4", "msg.slot"],
    [["accepted"], "yes", "msg.accepted: expected a boolean"],
    [["accepted"], undefined, "msg.accepted"],
    [["value"], [], 'unexpected key "value" in p2b'],
  ],
  heartbeat: [[["decidedBelow"], -1, "msg.decidedBelow"]],
  probe: [[["ballot"], undefined, "msg.ballot"]],
  probeAck: [[["ballot"], undefined, "msg.ballot"]],
  prevote: [[["ballot", "round"], -1, "msg.ballot.round"]],
  prevoteReply: [[["granted"], "yes", "msg.granted"]],
  catchup: [[["fromSlot"], 1e300, "msg.fromSlot"]],
  catchupReply: [
    [["decisions", 0], [17, []], "msg.decisions[0]: expected an object"],
    [["decisions", 1, "slot"], null, "msg.decisions[1].slot"],
  ],
  snapshot: [
    [["entries"], { k: "v" }, "msg.entries: expected an array"],
    [["entries", 0], ["k"], "expected a [key, value] pair"],
    [["entries", 0, 1], 5, "msg.entries[0][1]"],
    [["chunk"], undefined, "msg.chunk"],
    [["sessions", 0, "results", 0, 0], "3", "msg.sessions[0].results[0][0]"],
    [["sessions", 0, "results", 1, 1, "type"], "x", "unknown result"],
    [["sessions", 0, "ackedBelow"], undefined, "msg.sessions[0].ackedBelow"],
  ],
  snapshotted: [[["slot"], "7", "msg.slot"]],
  trim: [[["below"], -2, "msg.below"]],
  refused: [
    [["reason"], "", "msg.reason: empty string"],
    [["maybeApplied"], "no", "msg.maybeApplied: expected a boolean"],
    [["seq"], null, "msg.seq"],
  ],
};

test("every message type refuses each kind of malformed field, naming the field", () => {
  let cases = 0;
  for (const [type, variants] of Object.entries(bad)) {
    for (const [path, value, reason] of variants) {
      const problem = checkMessage(mutate(good[type as Message["type"]], path, value));
      assert.ok(
        problem?.includes(reason),
        `${type} ${path.join(".")}=${String(value)}: got ${problem}`,
      );
      cases++;
    }
  }
  assert.ok(cases > 40);
});

test("unknown types, extra keys and non-objects are refused", () => {
  assert.match(checkMessage({ type: "p3a" })!, "unknown message type");
  assert.match(checkMessage({ type: "__proto__" })!, "unknown message type");
  assert.match(checkMessage({ type: "toString" })!, "unknown message type");
  assert.match(checkMessage({ ...good.p2b, extra: 1 })!, 'unexpected key "extra"');
  assert.match(checkMessage(null)!, "expected a message object");
  assert.match(checkMessage([good.p2b])!, "expected a message object");
  assert.match(
    checkMessage({
      ...good.request,
      command: { ...command, clientId: "x".repeat(LIMITS.idLength + 1) },
    })!,
    "longer than",
  );
});

test("data frames: version, sender, shape and every message are checked", () => {
  const frame = { t: "msgs", v: WIRE_VERSION, from: "n2", msgs: [good.p2b, good.p2a] };
  const ok = checkDataFrame(frame, "n2");
  assert.ok(ok.ok);
  if (ok.ok) assert.is(ok.msgs.length, 2);
  const refused = (f: Record<string, unknown>, peer: string, reason: string) => {
    const r = checkDataFrame(f, peer);
    assert.ok(
      !r.ok && r.reason.includes(reason),
      `${JSON.stringify(f).slice(0, 80)}: ${r.ok ? "accepted" : r.reason}`,
    );
  };
  refused(frame, "n3", 'frame from "n2" on the connection of "n3"');
  refused({ ...frame, v: WIRE_VERSION + 1 }, "n2", `wire version ${WIRE_VERSION + 1}`);
  refused({ ...frame, extra: true }, "n2", 'unexpected key "extra"');
  refused({ ...frame, msgs: {} }, "n2", "frame.msgs: expected an array");
  refused({ ...frame, msgs: [good.p2b, { ...good.p2b, slot: "1" }] }, "n2", "msgs[1].slot");
});

test.run();

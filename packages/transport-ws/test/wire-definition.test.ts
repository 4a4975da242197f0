// The wire validator (src/validate.ts) and the storage record check are hand-written for speed;
// this test holds them to the one definition of what they check: core's `Message` union (and
// `Operation`, `Result`, `PersistRecord`). The examples below are typed so that they must hold
// every message type with every field, optional ones included: adding a field to
// core/src/messages.ts fails to compile here until the example has it, and then fails at run
// time until the validator accepts it. Each field of each example is then broken on its own (a
// value of another type, the field removed, an unknown key beside it) and must be refused.
import {
  MESSAGE_TYPES,
  type Message,
  type MessageOf,
  type MessageType,
  type Operation,
  type PersistRecord,
  type Result,
} from "@paxos/core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkPersistRecord } from "../src/storage/record-check.js";
import { checkMessage, checkOperation, checkResult } from "../src/validate.js";

/** T with every field present, at every depth (optional fields too). */
type Full<T> = T extends readonly (infer U)[]
  ? readonly Full<U>[]
  : T extends object
    ? { readonly [K in keyof T]-?: Full<Exclude<T[K], undefined>> }
    : T;

/** The optional fields of T: the only ones an example may lose and stay valid. */
type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

const ballot = { round: 3, leader: "n1" };
const command = {
  clientId: "c1",
  seq: 5,
  ackedBelow: 4,
  op: { type: "cas", key: "k", expected: "v", value: "w" },
} as const;
const batch = [command];

const MESSAGES: { readonly [T in MessageType]: Full<MessageOf<T>> } = {
  request: { type: "request", command },
  response: {
    type: "response",
    clientId: "c1",
    seq: 5,
    result: { type: "cas", ok: false, value: "v" },
    leader: "n2",
  },
  propose: { type: "propose", slot: 7, value: batch },
  decision: { type: "decision", slot: 7, value: batch },
  commit: { type: "commit", slot: 7, ballot },
  p1a: { type: "p1a", ballot, fromSlot: 2 },
  p1b: {
    type: "p1b",
    ballot,
    accepted: [{ ballot, slot: 7, value: batch }],
    trimmedBelow: 1,
    chunk: 0,
    chunks: 2,
  },
  p2a: { type: "p2a", ballot, slot: 7, value: batch },
  p2b: { type: "p2b", ballot, slot: 7, accepted: true },
  heartbeat: { type: "heartbeat", ballot, decidedBelow: 6 },
  probe: { type: "probe", ballot },
  probeAck: { type: "probeAck", ballot },
  prevote: { type: "prevote", ballot },
  prevoteReply: { type: "prevoteReply", ballot, granted: true },
  catchup: { type: "catchup", fromSlot: 3 },
  catchupReply: { type: "catchupReply", decisions: [{ slot: 3, value: batch }] },
  snapshot: {
    type: "snapshot",
    slot: 9,
    chunk: 1,
    chunks: 2,
    entries: [["k", "v"]],
    sessions: [{ clientId: "c1", ackedBelow: 2, results: [[3, { type: "put" }]] }],
  },
  snapshotted: { type: "snapshotted", slot: 9 },
  trim: { type: "trim", below: 4 },
  refused: {
    type: "refused",
    clientId: "c1",
    seq: 5,
    reason: "value too large",
    maybeApplied: true,
  },
};

/** The fields each message type may lack (typed: only fields the type has as optional). */
const OPTIONAL_FIELDS: { readonly [T in MessageType]?: readonly OptionalKeys<MessageOf<T>>[] } = {
  response: ["leader"],
};

const OPERATIONS: { readonly [T in Operation["type"]]: Full<Extract<Operation, { type: T }>> } = {
  get: { type: "get", key: "k" },
  put: { type: "put", key: "k", value: "v" },
  delete: { type: "delete", key: "k" },
  cas: { type: "cas", key: "k", expected: "v", value: "w" },
};

const RESULTS: { readonly [T in Result["type"]]: Full<Extract<Result, { type: T }>> } = {
  get: { type: "get", value: "v" },
  put: { type: "put" },
  delete: { type: "delete", existed: true },
  cas: { type: "cas", ok: true, value: "v" },
};

type RecordType = PersistRecord["type"];
const RECORDS: { readonly [T in RecordType]: Full<Extract<PersistRecord, { type: T }>> } = {
  promise: { type: "promise", ballot },
  accept: { type: "accept", pvalue: { ballot, slot: 7, value: batch } },
  trim: { type: "trim", below: 4 },
  round: { type: "round", round: 3 },
  decided: { type: "decided", below: 6 },
  snapshot: {
    type: "snapshot",
    slot: 9,
    entries: [["k", "v"]],
    sessions: [{ clientId: "c1", ackedBelow: 2, results: [[3, { type: "put" }]] }],
  },
};

interface Broken {
  /** what was broken, for the failure message: the path and how */
  what: string;
  value: unknown;
}

/** Values of another JSON type than `v` (and, for numbers, ones no slot or seq can be). */
function otherTypes(v: unknown): unknown[] {
  if (typeof v === "string") return [42, {}];
  if (typeof v === "number") return ["1", -1, 1.5, null];
  if (typeof v === "boolean") return ["true", 0];
  if (v === null) return [42];
  if (Array.isArray(v)) return [{}, "x"];
  return [[], "x"];
}

/**
 * Every single-field break of `value`: each field (at every depth; the first element of each
 * array) given a value of another type, each field removed unless `optional(path)`, and an
 * unknown key added to each object.
 */
function* breaks(
  value: unknown,
  optional: (path: string) => boolean,
  path = "",
): Generator<Broken> {
  if (Array.isArray(value)) {
    if (value.length === 0) return;
    for (const b of breaks(value[0], optional, `${path}[0]`)) {
      yield { what: b.what, value: [b.value, ...value.slice(1)] };
    }
    return;
  }
  if (typeof value !== "object" || value === null) {
    for (const other of otherTypes(value)) {
      yield { what: `${path || "value"} = ${JSON.stringify(other)}`, value: other };
    }
    return;
  }
  const o = value as Record<string, unknown>;
  yield { what: `${path} with an unknown key`, value: { ...o, unknownKey: 1 } };
  for (const key of Object.keys(o)) {
    const at = `${path}.${key}`;
    if (key === "type") {
      yield { what: `${at} = "nope"`, value: { ...o, type: "nope" } };
      continue;
    }
    if (!optional(at)) {
      const { [key]: _, ...rest } = o;
      yield { what: `${at} removed`, value: rest };
    }
    for (const b of breaks(o[key], optional, at))
      yield { what: b.what, value: { ...o, [key]: b.value } };
  }
}

function holdsTo(
  name: string,
  example: unknown,
  check: (x: unknown) => string | undefined,
  optional: (path: string) => boolean = () => false,
): number {
  assert.is(check(example), undefined, `${name}: the full example is valid`);
  let n = 0;
  for (const b of breaks(example, optional)) {
    n++;
    assert.type(check(b.value), "string", `${name}: ${b.what} must be refused`);
  }
  return n;
}

test("every message type of core's union has an example with every field, and the validator accepts it", () => {
  assert.equal(Object.keys(MESSAGES).sort(), [...MESSAGE_TYPES].sort());
  for (const [type, m] of Object.entries(MESSAGES)) {
    assert.is(checkMessage(m), undefined, `${type} is valid`);
  }
});

test("the validator refuses each field of each message broken on its own", () => {
  let broken = 0;
  for (const [type, m] of Object.entries(MESSAGES) as [MessageType, Message][]) {
    const optional = new Set<string>((OPTIONAL_FIELDS[type] ?? []).map((k) => `.${String(k)}`));
    broken += holdsTo(
      type,
      m,
      (x) => checkMessage(x),
      (path) => optional.has(path),
    );
    // an optional field may be missing
    for (const key of optional) {
      const { [key.slice(1)]: _, ...rest } = m as unknown as Record<string, unknown>;
      assert.is(checkMessage(rest), undefined, `${type} without ${key} is valid`);
    }
  }
  assert.ok(broken > 200, `${broken} broken messages tried`);
});

test("every operation and result type: valid in full, refused when a field is broken", () => {
  for (const [type, op] of Object.entries(OPERATIONS)) {
    holdsTo(`operation ${type}`, op, (x) => checkOperation(x, "op"));
  }
  for (const [type, r] of Object.entries(RESULTS)) {
    holdsTo(`result ${type}`, r, (x) => checkResult(x, "result"));
  }
  // and a batch carries each kind of operation
  for (const op of Object.values(OPERATIONS)) {
    const m = { type: "propose", slot: 1, value: [{ ...command, op }] };
    assert.is(checkMessage(m), undefined, `a batch with a ${op.type}`);
  }
});

test("storage: every persist record type, valid in full, refused when a field is broken", () => {
  for (const [type, r] of Object.entries(RECORDS)) {
    holdsTo(`record ${type}`, r, (x) => checkPersistRecord(x, "record"));
  }
});

test.run();

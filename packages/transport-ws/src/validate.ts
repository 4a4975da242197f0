// Strict run-time checks of everything that arrives from the network, before any of it
// reaches the engine. The engine trusts its inputs (a slot of NaN or a ballot without a
// leader would corrupt its state), so every field of every message type of core's `Message`
// union is checked here: slots, seqs and rounds are finite non-negative safe integers, ids and
// keys are strings, ballots are {round, leader}, batches are arrays of well-formed commands,
// and no object carries a key the type does not have. Each check returns the path and reason
// of the first problem, or undefined when the value is fine.
//
// These run on every inbound message: plain code, no closures or allocation when valid.

import type { Message, MessageType } from "@paxos/core";
import { WIRE_VERSION } from "./codec.js";
import { messageFromWire } from "./wire-commands.js";

/** Upper bounds that keep one frame from making a node allocate without limit. */
export const LIMITS = {
  idLength: 128,
  keyLength: 4096,
  /** values are bounded by the frame size limit (maxPayload) anyway */
  messagesPerFrame: 100_000,
  reasonLength: 1024,
  /** chunks of one p1b or snapshot transfer (a receiver holds at most one transfer's worth) */
  chunks: 100_000,
} as const;

type Problem = string | undefined;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Only the listed keys (all of which are checked by the caller). */
function extraKey(o: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  for (const k in o) if (!allowed.includes(k)) return k;
  return undefined;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "string")
    return x.length > 40 ? `a string of ${x.length} chars` : JSON.stringify(x);
  if (typeof x === "number" || typeof x === "boolean") return String(x);
  return typeof x;
}

export function nat(x: unknown, path: string): Problem {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0
    ? undefined
    : `${path}: expected a non-negative integer, got ${describe(x)}`;
}

function str(x: unknown, path: string, max: number, allowEmpty: boolean): Problem {
  if (typeof x !== "string") return `${path}: expected a string, got ${describe(x)}`;
  if (x.length > max) return `${path}: string longer than ${max}`;
  if (!allowEmpty && x.length === 0) return `${path}: empty string`;
  return undefined;
}

function strOrNull(x: unknown, path: string): Problem {
  return x === null || typeof x === "string"
    ? undefined
    : `${path}: expected a string or null, got ${describe(x)}`;
}

function bool(x: unknown, path: string): Problem {
  return typeof x === "boolean" ? undefined : `${path}: expected a boolean, got ${describe(x)}`;
}

export function shape(x: unknown, path: string, keys: readonly string[]): Problem {
  if (!isObject(x)) return `${path}: expected an object, got ${describe(x)}`;
  const extra = extraKey(x, keys);
  return extra === undefined ? undefined : `${path}: unexpected key ${JSON.stringify(extra)}`;
}

const BALLOT_KEYS = ["round", "leader"] as const;
export function checkBallot(x: unknown, path: string): Problem {
  // The bottom ballot (0, "") is legal: an acceptor that promised nothing reports it.
  return (
    shape(x, path, BALLOT_KEYS) ??
    nat((x as Record<string, unknown>).round, `${path}.round`) ??
    str((x as Record<string, unknown>).leader, `${path}.leader`, LIMITS.idLength, true)
  );
}

const OP_KEYS = {
  get: ["type", "key"],
  put: ["type", "key", "value"],
  delete: ["type", "key"],
  cas: ["type", "key", "expected", "value"],
} as const;
export function checkOperation(x: unknown, path: string): Problem {
  if (!isObject(x)) return `${path}: expected an operation object, got ${describe(x)}`;
  const type = x.type;
  if (type !== "get" && type !== "put" && type !== "delete" && type !== "cas") {
    return `${path}.type: unknown operation ${describe(type)}`;
  }
  const problem =
    shape(x, path, OP_KEYS[type]) ?? str(x.key, `${path}.key`, LIMITS.keyLength, true);
  if (problem !== undefined) return problem;
  if (type === "put") return str(x.value, `${path}.value`, Number.MAX_SAFE_INTEGER, true);
  if (type === "cas") {
    return (
      strOrNull(x.expected, `${path}.expected`) ??
      str(x.value, `${path}.value`, Number.MAX_SAFE_INTEGER, true)
    );
  }
  return undefined;
}

const RESULT_KEYS = {
  get: ["type", "value"],
  put: ["type"],
  delete: ["type", "existed"],
  cas: ["type", "ok", "value"],
} as const;
export function checkResult(x: unknown, path: string): Problem {
  if (!isObject(x)) return `${path}: expected a result object, got ${describe(x)}`;
  const type = x.type;
  if (type !== "get" && type !== "put" && type !== "delete" && type !== "cas") {
    return `${path}.type: unknown result ${describe(type)}`;
  }
  const problem = shape(x, path, RESULT_KEYS[type]);
  if (problem !== undefined) return problem;
  switch (type) {
    case "get":
      return strOrNull(x.value, `${path}.value`);
    case "put":
      return undefined;
    case "delete":
      return bool(x.existed, `${path}.existed`);
    case "cas":
      return bool(x.ok, `${path}.ok`) ?? strOrNull(x.value, `${path}.value`);
  }
}

const COMMAND_KEYS = ["clientId", "seq", "ackedBelow", "op"] as const;
export function checkCommand(x: unknown, path: string): Problem {
  const problem = shape(x, path, COMMAND_KEYS);
  if (problem !== undefined) return problem;
  const c = x as Record<string, unknown>;
  return (
    str(c.clientId, `${path}.clientId`, LIMITS.idLength, false) ??
    nat(c.seq, `${path}.seq`) ??
    nat(c.ackedBelow, `${path}.ackedBelow`) ??
    checkOperation(c.op, `${path}.op`)
  );
}

export function checkBatch(x: unknown, path: string): Problem {
  if (!Array.isArray(x)) return `${path}: expected an array of commands, got ${describe(x)}`;
  for (let i = 0; i < x.length; i++) {
    const problem = checkCommand(x[i], `${path}[${i}]`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

export function checkArray(
  x: unknown,
  path: string,
  each: (item: unknown, path: string) => Problem,
): Problem {
  if (!Array.isArray(x)) return `${path}: expected an array, got ${describe(x)}`;
  for (let i = 0; i < x.length; i++) {
    const problem = each(x[i], `${path}[${i}]`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

const PVALUE_KEYS = ["ballot", "slot", "value"] as const;
export function checkPValue(x: unknown, path: string): Problem {
  const problem = shape(x, path, PVALUE_KEYS);
  if (problem !== undefined) return problem;
  const p = x as Record<string, unknown>;
  return (
    checkBallot(p.ballot, `${path}.ballot`) ??
    nat(p.slot, `${path}.slot`) ??
    checkBatch(p.value, `${path}.value`)
  );
}

const DECIDED_KEYS = ["slot", "value"] as const;
function checkDecided(x: unknown, path: string): Problem {
  const problem = shape(x, path, DECIDED_KEYS);
  if (problem !== undefined) return problem;
  const d = x as Record<string, unknown>;
  return nat(d.slot, `${path}.slot`) ?? checkBatch(d.value, `${path}.value`);
}

/** The key-value store's snapshot: [key, value] string pairs (the only state machine hosted). */
export function checkKvPair(x: unknown, path: string): Problem {
  if (!Array.isArray(x) || x.length !== 2) return `${path}: expected a [key, value] pair`;
  return (
    str(x[0], `${path}[0]`, LIMITS.keyLength, true) ??
    str(x[1], `${path}[1]`, Number.MAX_SAFE_INTEGER, true)
  );
}

function checkSeqResult(x: unknown, path: string): Problem {
  if (!Array.isArray(x) || x.length !== 2) return `${path}: expected a [seq, result] pair`;
  return nat(x[0], `${path}[0]`) ?? checkResult(x[1], `${path}[1]`);
}

const SESSION_KEYS = ["clientId", "ackedBelow", "results"] as const;
export function checkSession(x: unknown, path: string): Problem {
  const problem = shape(x, path, SESSION_KEYS);
  if (problem !== undefined) return problem;
  const s = x as Record<string, unknown>;
  return (
    str(s.clientId, `${path}.clientId`, LIMITS.idLength, false) ??
    nat(s.ackedBelow, `${path}.ackedBelow`) ??
    checkArray(s.results, `${path}.results`, checkSeqResult)
  );
}

type Fields = Record<string, unknown>;

/**
 * One validator per message type. The Record type makes the compiler refuse this file when
 * core adds a message type without a validator here.
 */
const MESSAGE_CHECKS: Record<
  MessageType,
  { keys: readonly string[]; check: (m: Fields, p: string) => Problem }
> = {
  request: { keys: ["type", "command"], check: (m, p) => checkCommand(m.command, `${p}.command`) },
  response: {
    keys: ["type", "clientId", "seq", "result", "leader"],
    check: (m, p) =>
      str(m.clientId, `${p}.clientId`, LIMITS.idLength, false) ??
      nat(m.seq, `${p}.seq`) ??
      checkResult(m.result, `${p}.result`) ??
      (m.leader === undefined ? undefined : str(m.leader, `${p}.leader`, LIMITS.idLength, false)),
  },
  propose: {
    keys: ["type", "slot", "value"],
    check: (m, p) => nat(m.slot, `${p}.slot`) ?? checkBatch(m.value, `${p}.value`),
  },
  decision: {
    keys: ["type", "slot", "value"],
    check: (m, p) => nat(m.slot, `${p}.slot`) ?? checkBatch(m.value, `${p}.value`),
  },
  commit: {
    keys: ["type", "slot", "ballot"],
    check: (m, p) => nat(m.slot, `${p}.slot`) ?? checkBallot(m.ballot, `${p}.ballot`),
  },
  p1a: {
    keys: ["type", "ballot", "fromSlot"],
    check: (m, p) => checkBallot(m.ballot, `${p}.ballot`) ?? nat(m.fromSlot, `${p}.fromSlot`),
  },
  p1b: {
    keys: ["type", "ballot", "accepted", "trimmedBelow", "chunk", "chunks"],
    check: (m, p) =>
      checkBallot(m.ballot, `${p}.ballot`) ??
      checkArray(m.accepted, `${p}.accepted`, checkPValue) ??
      nat(m.trimmedBelow, `${p}.trimmedBelow`) ??
      checkChunk(m, p),
  },
  p2a: {
    keys: ["type", "ballot", "slot", "value"],
    check: (m, p) =>
      checkBallot(m.ballot, `${p}.ballot`) ??
      nat(m.slot, `${p}.slot`) ??
      checkBatch(m.value, `${p}.value`),
  },
  p2b: {
    keys: ["type", "ballot", "slot", "accepted"],
    check: (m, p) =>
      checkBallot(m.ballot, `${p}.ballot`) ??
      nat(m.slot, `${p}.slot`) ??
      bool(m.accepted, `${p}.accepted`),
  },
  heartbeat: {
    keys: ["type", "ballot", "decidedBelow"],
    check: (m, p) =>
      checkBallot(m.ballot, `${p}.ballot`) ?? nat(m.decidedBelow, `${p}.decidedBelow`),
  },
  probe: { keys: ["type", "ballot"], check: (m, p) => checkBallot(m.ballot, `${p}.ballot`) },
  probeAck: { keys: ["type", "ballot"], check: (m, p) => checkBallot(m.ballot, `${p}.ballot`) },
  prevote: { keys: ["type", "ballot"], check: (m, p) => checkBallot(m.ballot, `${p}.ballot`) },
  prevoteReply: {
    keys: ["type", "ballot", "granted"],
    check: (m, p) =>
      checkBallot(m.ballot, `${p}.ballot`) ??
      (typeof m.granted === "boolean"
        ? undefined
        : `${p}.granted: expected a boolean, got ${describe(m.granted)}`),
  },
  catchup: { keys: ["type", "fromSlot"], check: (m, p) => nat(m.fromSlot, `${p}.fromSlot`) },
  catchupReply: {
    keys: ["type", "decisions"],
    check: (m, p) => checkArray(m.decisions, `${p}.decisions`, checkDecided),
  },
  snapshot: {
    keys: ["type", "slot", "chunk", "chunks", "entries", "sessions"],
    check: (m, p) =>
      nat(m.slot, `${p}.slot`) ??
      checkChunk(m, p) ??
      checkArray(m.entries, `${p}.entries`, checkKvPair) ??
      checkArray(m.sessions, `${p}.sessions`, checkSession),
  },
  snapshotted: { keys: ["type", "slot"], check: (m, p) => nat(m.slot, `${p}.slot`) },
  trim: { keys: ["type", "below"], check: (m, p) => nat(m.below, `${p}.below`) },
  refused: {
    keys: ["type", "clientId", "seq", "reason", "maybeApplied"],
    check: (m, p) =>
      str(m.clientId, `${p}.clientId`, LIMITS.idLength, false) ??
      nat(m.seq, `${p}.seq`) ??
      str(m.reason, `${p}.reason`, LIMITS.reasonLength, false) ??
      (typeof m.maybeApplied === "boolean"
        ? undefined
        : `${p}.maybeApplied: expected a boolean, got ${describe(m.maybeApplied)}`),
  },
};

/** A chunk number below a chunk count of at least one (and a sane bound on the count). */
function checkChunk(m: Fields, p: string): Problem {
  const problem = nat(m.chunk, `${p}.chunk`) ?? nat(m.chunks, `${p}.chunks`);
  if (problem !== undefined) return problem;
  const chunk = m.chunk as number;
  const chunks = m.chunks as number;
  if (chunks < 1 || chunks > LIMITS.chunks)
    return `${p}.chunks: expected 1 to ${LIMITS.chunks}, got ${chunks}`;
  if (chunk >= chunks) return `${p}.chunk: ${chunk} is not below chunks (${chunks})`;
  return undefined;
}

/** Checks one message of core's `Message` union; returns the problem, or undefined. */
export function checkMessage(x: unknown, path = "msg"): Problem {
  if (!isObject(x)) return `${path}: expected a message object, got ${describe(x)}`;
  const type = x.type;
  if (typeof type !== "string" || !Object.hasOwn(MESSAGE_CHECKS, type)) {
    return `${path}.type: unknown message type ${describe(type)}`;
  }
  const spec = MESSAGE_CHECKS[type as MessageType];
  const extra = extraKey(x, spec.keys);
  if (extra !== undefined) return `${path}: unexpected key ${JSON.stringify(extra)} in ${type}`;
  return spec.check(x, path);
}

export function isMessage(x: unknown): x is Message {
  return checkMessage(x) === undefined;
}

export type FrameCheck =
  | { readonly ok: true; readonly msgs: readonly Message[] }
  | { readonly ok: false; readonly reason: string };

const DATA_FRAME_KEYS = ["t", "v", "from", "msgs"] as const;

/**
 * Checks a decoded data frame from the peer authenticated as `peerId`: version, sender, and
 * every message. One bad message condemns the whole frame (a peer that sends one is broken).
 */
export function checkDataFrame(
  frame: Record<string, unknown>,
  peerId: string,
  /** the receiver's id: a response's clientId on the wire (wire-commands.ts) */
  selfId = "",
): FrameCheck {
  if (frame.v !== WIRE_VERSION) {
    return { ok: false, reason: `wire version ${describe(frame.v)}, expected ${WIRE_VERSION}` };
  }
  const extra = extraKey(frame, DATA_FRAME_KEYS);
  if (extra !== undefined)
    return { ok: false, reason: `frame: unexpected key ${JSON.stringify(extra)}` };
  if (frame.from !== peerId) {
    return {
      ok: false,
      reason: `frame from ${describe(frame.from)} on the connection of ${JSON.stringify(peerId)}`,
    };
  }
  const msgs = frame.msgs;
  if (!Array.isArray(msgs))
    return { ok: false, reason: `frame.msgs: expected an array, got ${describe(msgs)}` };
  if (msgs.length > LIMITS.messagesPerFrame) {
    return {
      ok: false,
      reason: `frame carries ${msgs.length} messages, more than ${LIMITS.messagesPerFrame}`,
    };
  }
  for (let i = 0; i < msgs.length; i++) {
    msgs[i] = messageFromWire(msgs[i], peerId, selfId);
    const problem = checkMessage(msgs[i], `msgs[${i}]`);
    if (problem !== undefined) return { ok: false, reason: problem };
  }
  return { ok: true, msgs: msgs as Message[] };
}

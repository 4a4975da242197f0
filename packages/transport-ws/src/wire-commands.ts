// Commands travel as arrays, not objects: `[clientId, seq, ackedBelow, type, key]`, plus
// `value` for put and `value, expected` for cas. A command is most of every request, p2a,
// decision and catch-up, and repeating its six field names in every one cost a third of the
// bytes and most of the decoding: V8 parses an array of strings and numbers about twice as
// fast as the same fields in an object (packages/transport-ws/README.md, "Codec").
//
// The two messages there is one of per command, a client's request and a replica's response,
// are arrays themselves, and leave out what the connection already says:
//   request   ["q", seq, ackedBelow, type, key, value?, expected?]   clientId: the frame's sender
//   response  ["r", seq, result, leader?]                           clientId: the frame's receiver
// with a result as `[type, ...fields]`: ["get", value], ["put"], ["delete", existed],
// ["cas", ok, value]. That halves the CPU of encoding and decoding them and cuts a response from
// 104 bytes to 22 (bench/engine-cost.ts). A request's clientId had to equal its connection's
// client anyway (node-host.ts refuses other requests).
//
// Only the wire changes: the engine sees Command and Message objects. Decoding turns arrays
// back into objects without judging them; the validator then checks the objects as always, so
// a malformed array is refused with the path of the field that is wrong. Requests and
// responses sent as objects, and commands sent as objects, are still read (tests and
// hand-written frames use them).

import { type Command, type Message, PUT_DONE, type PValue, type Result } from "@paxos/core";

type WireCommand = readonly unknown[];

function commandToWire(c: Command): WireCommand {
  const op = c.op;
  switch (op.type) {
    case "get":
    case "delete":
      return [c.clientId, c.seq, c.ackedBelow, op.type, op.key];
    case "put":
      return [c.clientId, c.seq, c.ackedBelow, op.type, op.key, op.value];
    case "cas":
      return [c.clientId, c.seq, c.ackedBelow, op.type, op.key, op.value, op.expected];
  }
}

function batchToWire(batch: readonly Command[]): WireCommand[] {
  const out = new Array<WireCommand>(batch.length);
  for (let i = 0; i < batch.length; i++) out[i] = commandToWire(batch[i]!);
  return out;
}

/** A request: `q` and its command's fields from seq on (the connection names the client). */
function requestToWire(c: Command): unknown[] {
  const op = c.op;
  switch (op.type) {
    case "get":
    case "delete":
      return ["q", c.seq, c.ackedBelow, op.type, op.key];
    case "put":
      return ["q", c.seq, c.ackedBelow, op.type, op.key, op.value];
    case "cas":
      return ["q", c.seq, c.ackedBelow, op.type, op.key, op.value, op.expected];
  }
}

function resultToWire(r: Result): unknown[] {
  switch (r.type) {
    case "get":
      return [r.type, r.value];
    case "put":
      return [r.type];
    case "delete":
      return [r.type, r.existed];
    case "cas":
      return [r.type, r.ok, r.value];
  }
}

/** The message as it goes on the wire: the same, with its commands as arrays. */
export function messageToWire(m: Message): unknown {
  switch (m.type) {
    case "request":
      return requestToWire(m.command);
    case "response":
      return m.leader === undefined
        ? ["r", m.seq, resultToWire(m.result)]
        : ["r", m.seq, resultToWire(m.result), m.leader];
    case "propose":
    case "decision":
      return { type: m.type, slot: m.slot, value: batchToWire(m.value) };
    case "p2a":
      return { type: m.type, ballot: m.ballot, slot: m.slot, value: batchToWire(m.value) };
    case "p1b":
      return {
        ...m,
        accepted: m.accepted.map((pv: PValue) => ({ ...pv, value: batchToWire(pv.value) })),
      };
    case "catchupReply":
      return {
        type: m.type,
        decisions: m.decisions.map((d) => ({ slot: d.slot, value: batchToWire(d.value) })),
      };
    default:
      return m;
  }
}

function operationFromWire(x: readonly unknown[], at: number): Record<string, unknown> {
  const type = x[at];
  if (type === "put") return { type, key: x[at + 1], value: x[at + 2] };
  if (type === "cas") return { type, key: x[at + 1], value: x[at + 2], expected: x[at + 3] };
  return { type, key: x[at + 1] };
}

/** Elements an operation starting at `at` leaves over (they must stay visible to the validator). */
function extraAfterOperation(x: readonly unknown[], at: number): boolean {
  const type = x[at];
  return x.length > at + (type === "cas" ? 4 : type === "put" ? 3 : 2);
}

function commandFromWire(x: unknown): unknown {
  if (!Array.isArray(x)) return x;
  const op = operationFromWire(x, 3);
  // Extra elements would pass unseen once in an object: keep them visible to the validator.
  return extraAfterOperation(x, 3)
    ? { clientId: x[0], seq: x[1], ackedBelow: x[2], op, extra: x.slice(5) }
    : { clientId: x[0], seq: x[1], ackedBelow: x[2], op };
}

function batchFromWire(x: unknown): unknown {
  if (!Array.isArray(x)) return x;
  // The commands of a batch mostly come from one client: let them share one id string rather
  // than each keep the copy JSON.parse made (a replica keeps them all for a while).
  let clientId: unknown;
  for (let i = 0; i < x.length; i++) {
    const c = x[i];
    if (Array.isArray(c)) {
      if (c[0] === clientId) c[0] = clientId;
      else clientId = c[0];
    }
    x[i] = commandFromWire(c);
  }
  return x;
}

function resultFromWire(x: unknown): unknown {
  if (!Array.isArray(x)) return x;
  const type = x[0];
  let result: Record<string, unknown>;
  let fields = 1;
  if (type === "get") {
    result = { type, value: x[1] };
    fields = 2;
  } else if (type === "delete") {
    result = { type, existed: x[1] };
    fields = 2;
  } else if (type === "cas") {
    result = { type, ok: x[1], value: x[2] };
    fields = 3;
  } else if (type === "put" && x.length === 1) {
    return PUT_DONE; // one frozen object for every put's answer, as the replica's
  } else result = { type };
  if (x.length > fields) result.extra = x.slice(fields);
  return result;
}

/** A request or response array (see the head of this file) as the message object it stands for. */
function shortMessageFromWire(x: unknown[], from: string, self: string): unknown {
  if (x[0] === "q") {
    const command: Record<string, unknown> = {
      clientId: from,
      seq: x[1],
      ackedBelow: x[2],
      op: operationFromWire(x, 3),
    };
    if (extraAfterOperation(x, 3)) command.extra = x.slice(5);
    return { type: "request", command };
  }
  if (x[0] === "r") {
    const m: Record<string, unknown> = {
      type: "response",
      clientId: self,
      seq: x[1],
      result: resultFromWire(x[2]),
    };
    if (x.length > 3) m.leader = x[3];
    if (x.length > 4) m.extra = x.slice(4);
    return m;
  }
  return x; // not a message: the validator says so
}

/**
 * Turns the wire form of a decoded message back into the engine's, for the validator to check:
 * the message object (a new one for a request or response array, the same one otherwise, its
 * commands converted in place). `from` is the frame's sender, `self` its receiver. Anything not
 * shaped as expected is left for the validator to refuse.
 */
export function messageFromWire(x: unknown, from: string, self: string): unknown {
  if (Array.isArray(x)) return shortMessageFromWire(x, from, self);
  if (typeof x !== "object" || x === null) return x;
  const m = x as Record<string, unknown>;
  switch (m.type) {
    case "request":
      m.command = commandFromWire(m.command);
      return m;
    case "propose":
    case "decision":
    case "p2a":
      batchFromWire(m.value);
      return m;
    case "p1b":
    case "catchupReply": {
      const list = m.type === "p1b" ? m.accepted : m.decisions;
      if (!Array.isArray(list)) return m;
      for (const entry of list) {
        if (typeof entry === "object" && entry !== null) {
          batchFromWire((entry as Record<string, unknown>).value);
        }
      }
      return m;
    }
  }
  return m;
}

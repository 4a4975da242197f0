// Commands travel as arrays, not objects: `[clientId, seq, ackedBelow, type, key]`, plus
// `value` for put and `value, expected` for cas. A command is most of every request, p2a,
// decision and catch-up, and repeating its six field names in every one cost a third of the
// bytes and most of the decoding: V8 parses an array of strings and numbers about twice as
// fast as the same fields in an object (packages/transport-ws/README.md, "Codec").
//
// Only the wire changes: the engine sees Command objects. Decoding turns an array back into a
// command without judging it; the validator then checks the object as always, so a malformed
// array is refused with the path of the field that is wrong. A command sent as an object is
// still read (tests and hand-written frames use them).

import type { Command, Message, PValue } from "@paxos/core";

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

/** The message as it goes on the wire: the same, with its commands as arrays. */
export function messageToWire(m: Message): unknown {
  switch (m.type) {
    case "request":
      return { type: m.type, command: commandToWire(m.command) };
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

function commandFromWire(x: unknown): unknown {
  if (!Array.isArray(x)) return x;
  const type = x[3];
  let op: Record<string, unknown>;
  if (type === "put") op = { type, key: x[4], value: x[5] };
  else if (type === "cas") op = { type, key: x[4], value: x[5], expected: x[6] };
  else op = { type, key: x[4] };
  // Extra elements would pass unseen once in an object: keep them visible to the validator.
  const extra = x.length > (type === "cas" ? 7 : type === "put" ? 6 : 5);
  return extra
    ? { clientId: x[0], seq: x[1], ackedBelow: x[2], op, extra: x.slice(5) }
    : { clientId: x[0], seq: x[1], ackedBelow: x[2], op };
}

function batchFromWire(x: unknown): unknown {
  if (!Array.isArray(x)) return x;
  for (let i = 0; i < x.length; i++) x[i] = commandFromWire(x[i]);
  return x;
}

/**
 * Turns the wire form of a decoded message back into the engine's, in place, for the
 * validator to check. Anything not shaped as expected is left for the validator to refuse.
 */
export function messageFromWire(x: unknown): void {
  if (typeof x !== "object" || x === null) return;
  const m = x as Record<string, unknown>;
  switch (m.type) {
    case "request":
      m.command = commandFromWire(m.command);
      return;
    case "propose":
    case "decision":
    case "p2a":
      batchFromWire(m.value);
      return;
    case "p1b":
    case "catchupReply": {
      const list = m.type === "p1b" ? m.accepted : m.decisions;
      if (!Array.isArray(list)) return;
      for (const entry of list) {
        if (typeof entry === "object" && entry !== null) {
          batchFromWire((entry as Record<string, unknown>).value);
        }
      }
      return;
    }
  }
}

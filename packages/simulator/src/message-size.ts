import type { Batch, Message, Operation, Result } from "@paxos/core";

/**
 * Roughly what a message weighs on the wire (as JSON), without serialising it: link bandwidth
 * needs a size for every message and JSON.stringify on the hot path would cost more than the
 * rest of the simulation.
 */
export function estimateWireBytes(m: Message): number {
  switch (m.type) {
    case "request":
      return 80 + opBytes(m.command.op);
    case "response":
      return 70 + resultBytes(m.result);
    case "propose":
    case "decision":
    case "p2a":
      return 60 + batchBytes(m.value);
    case "p1b": {
      let n = 60;
      for (const pv of m.accepted) n += 40 + batchBytes(pv.value);
      return n;
    }
    case "catchupReply": {
      let n = 40;
      for (const d of m.decisions) n += 20 + batchBytes(d.value);
      return n;
    }
    case "snapshot":
      return 200 + JSON.stringify(m.entries).length + JSON.stringify(m.sessions).length;
    default:
      return 60;
  }
}

function batchBytes(value: Batch): number {
  let n = 2;
  for (const c of value) n += 60 + c.clientId.length + opBytes(c.op);
  return n;
}

function opBytes(op: Operation): number {
  switch (op.type) {
    case "get":
    case "delete":
      return 20 + op.key.length;
    case "put":
      return 30 + op.key.length + op.value.length;
    case "cas":
      return 40 + op.key.length + op.value.length + (op.expected?.length ?? 4);
  }
}

function resultBytes(r: Result): number {
  return r.type === "get" || r.type === "cas" ? 20 + (r.value?.length ?? 4) : 20;
}

// What a message weighs on the wire, for the simulated links' bandwidth and uplinks. The
// payload (commands, batches, strings) is measured by core's size functions, the same measure
// the engine bounds its messages by; only the fixed part of each message type (field names,
// ballot, slot) is the simulator's estimate.

import {
  type Batch,
  batchBytes,
  commandBytes,
  jsonStringBytes,
  type Message,
  type Result,
} from "@paxos/core";

/**
 * Roughly what a message weighs as JSON, without serialising it: link bandwidth needs a size for
 * every message and JSON.stringify on the hot path would cost more than the rest of the
 * simulation.
 */
export function estimateWireBytes(m: Message): number {
  switch (m.type) {
    case "request":
      return 20 + commandBytes(m.command);
    case "response":
      return 70 + resultBytes(m.result);
    case "propose":
    case "decision":
    case "p2a":
      return 60 + batchBytes(m.value);
    case "p1b":
      return 60 + sumOf(m.accepted, (pv) => 40 + batchBytes(pv.value));
    case "catchupReply":
      return 40 + sumOf(m.decisions, (d) => 20 + batchBytes(d.value));
    case "snapshot":
      return 200 + JSON.stringify(m.entries).length + JSON.stringify(m.sessions).length;
    default:
      return 60;
  }
}

function sumOf<T extends { readonly value: Batch }>(xs: readonly T[], f: (x: T) => number) {
  let n = 0;
  for (const x of xs) n += f(x);
  return n;
}

function resultBytes(r: Result): number {
  if (r.type !== "get" && r.type !== "cas") return 20;
  return 20 + (r.value === null ? 4 : jsonStringBytes(r.value));
}

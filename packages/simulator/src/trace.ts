// A running fingerprint of a run: FNV-1a folded over 32-bit words (rather than bytes, for speed)
// of every delivery. Two runs with the same seed must produce the same value; any difference in
// timing, routing or message order shows up in it.

import type { Message, MessageType } from "@paxos/core";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Stable small integers for message types (the hash must not depend on string hashing). */
export const MESSAGE_TYPE_CODE: Readonly<Record<MessageType, number>> = {
  request: 1,
  response: 2,
  propose: 3,
  decision: 4,
  p1a: 5,
  p1b: 6,
  p2a: 7,
  p2b: 8,
  heartbeat: 9,
  probeAck: 10,
  catchup: 11,
  catchupReply: 12,
  snapshot: 13,
  snapshotted: 14,
  trim: 15,
  refused: 16,
  probe: 17,
  prevote: 18,
  prevoteReply: 19,
  commit: 20,
};

export class TraceHash {
  private h = FNV_OFFSET;
  private count = 0;
  // views to read a float's exact bits, so times are hashed without rounding
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);

  /** Fold one delivery: time (exact bits), sender and receiver index, type, slot if any. */
  delivery(timeMs: number, from: number, to: number, message: Message): void {
    this.f64[0] = timeMs;
    let h = this.h;
    h = Math.imul(h ^ this.u32[0]!, FNV_PRIME);
    h = Math.imul(h ^ this.u32[1]!, FNV_PRIME);
    h = Math.imul(h ^ from, FNV_PRIME);
    h = Math.imul(h ^ to, FNV_PRIME);
    h = Math.imul(h ^ MESSAGE_TYPE_CODE[message.type], FNV_PRIME);
    const slot = (message as { slot?: number }).slot;
    if (slot !== undefined) h = Math.imul(h ^ slot, FNV_PRIME);
    this.h = h;
    this.count++;
  }

  /** Deliveries folded so far. */
  get deliveries(): number {
    return this.count;
  }

  /** The fingerprint as 8 hex digits. */
  digest(): string {
    return (this.h >>> 0).toString(16).padStart(8, "0");
  }
}

// A running digest of the log a replica applied, so tests and the experiment runner can check
// agreement across processes by comparing two short strings (control channel `status`).
// It folds (slot, clientId, seq) of every applied command into two 32-bit FNV-1a lanes: a
// command is named uniquely by (clientId, seq), and hashing names rather than values keeps
// this cheap enough to run on every applied slot.

import type { Batch } from "@paxos/core";

export class LogDigest {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;
  /** first slot folded in: 0, or the slot of the last snapshot installed (then digests of
   *  replicas that did not install the same snapshot are not comparable) */
  from = 0;
  /** every slot below this has been folded in */
  appliedBelow = 0;

  apply(slot: number, value: Batch): void {
    this.mixNumber(slot);
    for (const command of value) {
      this.mixString(command.clientId);
      this.mixNumber(command.seq);
    }
    this.mixNumber(value.length);
    this.appliedBelow = slot + 1;
  }

  /** A snapshot skipped slots: restart the chain there. */
  resetAt(slot: number): void {
    this.a = 0x811c9dc5;
    this.b = 0x01000193 ^ 0x5bd1e995;
    this.from = slot;
    this.appliedBelow = slot;
  }

  get hex(): string {
    return (
      (this.a >>> 0).toString(16).padStart(8, "0") + (this.b >>> 0).toString(16).padStart(8, "0")
    );
  }

  private mixString(s: string): void {
    for (let i = 0; i < s.length; i++) this.mix(s.charCodeAt(i));
    this.mix(0xff);
  }

  private mixNumber(n: number): void {
    this.mix(n & 0xffff);
    this.mix((n >>> 16) & 0xffff);
    this.mix(Math.floor(n / 4294967296) & 0xffff);
    this.mix(0xfe);
  }

  private mix(x: number): void {
    this.a = Math.imul(this.a ^ x, 0x01000193);
    this.b = Math.imul(this.b ^ x ^ (this.a >>> 15), 0x5bd1e995);
  }
}

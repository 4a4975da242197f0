// A running digest of the log a replica applied, so tests and the experiment runner can check
// agreement across processes by comparing two short strings (control channel `status`).
// It folds (slot, clientId, seq) of every applied command into two 32-bit FNV-1a lanes: a
// command is named uniquely by (clientId, seq), and hashing names rather than values keeps
// this cheap enough to run on every applied slot. A client id is folded in as its own 32-bit
// FNV-1a hash, computed once for a run of commands of one client (a batch is mostly one
// client's): mixing its 34 characters into both lanes for every command was 6% of a node's
// CPU (bench/engine-cost.ts).

import type { Batch } from "@paxos/core";

export class LogDigest {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;
  /** first slot folded in: 0, or the slot of the last snapshot installed (then digests of
   *  replicas that did not install the same snapshot are not comparable) */
  from = 0;
  /** every slot below this has been folded in */
  appliedBelow = 0;
  private lastClientId = "";
  private lastClientHash = hashString("");

  apply(slot: number, value: Batch): void {
    this.mixNumber(slot);
    for (const command of value) {
      if (command.clientId !== this.lastClientId) {
        this.lastClientId = command.clientId;
        this.lastClientHash = hashString(command.clientId);
      }
      this.mix(this.lastClientHash & 0xffff);
      this.mix(this.lastClientHash >>> 16);
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

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

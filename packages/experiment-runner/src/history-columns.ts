// The load generator's history while it runs, kept in columns: the times, seqs and clients in
// typed arrays, only each operation and its result as objects. A record object per operation
// (with its two times boxed as heap numbers) survived into V8's old generation like everything
// the history keeps, and copying the survivors was most of the load generator's garbage
// collection, itself 29% of its CPU at 100 in flight.

import type { Operation, Result } from "@paxos/core";
import type { HistoryRecord } from "./run/types.js";

const INITIAL_CAPACITY = 1 << 16;

export class HistoryColumns {
  private size = 0;
  private clients = new Uint32Array(INITIAL_CAPACITY);
  private seqs = new Float64Array(INITIAL_CAPACITY);
  private invokedAt = new Float64Array(INITIAL_CAPACITY);
  /** NaN while unanswered */
  private returnedAt = new Float64Array(INITIAL_CAPACITY);
  private readonly ops: Operation[] = [];
  private readonly results: (Result | null)[] = [];

  /** `clientIds[i]` is client i's id in the records */
  constructor(private readonly clientIds: readonly string[]) {}

  get length(): number {
    return this.size;
  }

  /** An operation invoked by client `client` at `atMs`: its index, for `answered`. */
  invoked(client: number, seq: number, op: Operation, atMs: number): number {
    if (this.size === this.seqs.length) this.grow();
    const i = this.size++;
    this.clients[i] = client;
    this.seqs[i] = seq;
    this.invokedAt[i] = atMs;
    this.returnedAt[i] = Number.NaN;
    this.ops.push(op);
    this.results.push(null);
    return i;
  }

  answered(index: number, result: Result, atMs: number): void {
    this.results[index] = result;
    this.returnedAt[index] = atMs;
  }

  /** The keys the operations touched, sorted. */
  keys(): string[] {
    return [...new Set(this.ops.map((op) => op.key))].sort();
  }

  /** The records in invocation order; an unanswered one has result and returnedAt null. */
  *records(): Generator<HistoryRecord> {
    for (let i = 0; i < this.size; i++) {
      const returnedAt = this.returnedAt[i]!;
      yield {
        clientId: this.clientIds[this.clients[i]!]!,
        seq: this.seqs[i]!,
        op: this.ops[i]!,
        result: this.results[i]!,
        invokedAt: this.invokedAt[i]!,
        returnedAt: Number.isNaN(returnedAt) ? null : returnedAt,
      };
    }
  }

  private grow(): void {
    const capacity = this.seqs.length * 2;
    const grown = <T extends Uint32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.clients = grown(this.clients, (n) => new Uint32Array(n));
    this.seqs = grown(this.seqs, (n) => new Float64Array(n));
    this.invokedAt = grown(this.invokedAt, (n) => new Float64Array(n));
    this.returnedAt = grown(this.returnedAt, (n) => new Float64Array(n));
  }
}

// The one operation generator of the toolkit: the simulator's closed loop, the experiment
// runner in every mode and its load generator all draw operations here. A config's mix of
// get/put/delete/cas over a key space with a uniform, zipfian or hot-key distribution, values of
// a given size, one generator per client incarnation on a seeded stream, so the same seed
// issues the same operations in every world.

import type { Operation, Result } from "@paxos/core";

/** Uniform in [0, 1): the only randomness a generator needs (SimRng is one). */
export interface Uniform {
  next(): number;
}

export type KeyDistributionSpec =
  | { readonly type: "uniform" }
  | { readonly type: "zipfian"; readonly exponent: number }
  | { readonly type: "hotKey"; readonly hotKeys: number; readonly hotFraction: number };

export interface OperationSpec {
  readonly keys: { readonly count: number; readonly distribution: KeyDistributionSpec };
  /** relative weights */
  readonly mix: {
    readonly get: number;
    readonly put: number;
    readonly delete: number;
    readonly cas: number;
  };
  /** written values are at least this long (0: empty values) */
  readonly valueSizeBytes: number;
}

/** Draws key indexes 0..count-1 by the configured distribution. */
export type KeyPicker = (rng: Uniform) => number;

export function keyPicker(keys: OperationSpec["keys"]): KeyPicker {
  const n = keys.count;
  const d = keys.distribution;
  switch (d.type) {
    case "uniform":
      return (rng) => Math.floor(rng.next() * n);
    case "hotKey": {
      const hot = Math.min(d.hotKeys, n);
      const cold = n - hot;
      return (rng) => {
        if (cold === 0 || rng.next() < d.hotFraction) return Math.floor(rng.next() * hot);
        return hot + Math.floor(rng.next() * cold);
      };
    }
    case "zipfian": {
      // Exact inverse-CDF sampling over a precomputed cumulative table (binary search).
      const cdf = new Float64Array(n);
      let sum = 0;
      for (let k = 0; k < n; k++) {
        sum += 1 / (k + 1) ** d.exponent;
        cdf[k] = sum;
      }
      return (rng) => {
        const u = rng.next() * sum;
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cdf[mid]! < u) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      };
    }
  }
}

/**
 * The operations of one client. Written values are unique ("clientId.seq", padded with "x" to
 * the configured size and never cut shorter, which would make two writes equal), so a
 * linearizability check can tell writes apart; a cas expects the value this client last saw
 * for its key.
 */
export class OperationGenerator {
  private readonly pick: KeyPicker;
  private readonly lastSeen = new Map<string, string | null>();
  private readonly thresholds: [number, number, number];
  private readonly pad: string;
  /** key names by index, made on first use */
  private readonly keyNames: string[] = [];
  /** only a cas reads lastSeen: without cas in the mix, nothing need be remembered */
  private readonly remembers: boolean;

  constructor(
    spec: OperationSpec,
    private readonly clientId: string,
    private readonly rng: Uniform,
  ) {
    this.pick = keyPicker(spec.keys);
    const { get, put, delete: del, cas } = spec.mix;
    const total = get + put + del + cas;
    if (!(total > 0)) throw new RangeError("operation mix: every weight is 0");
    this.thresholds = [get / total, (get + put) / total, (get + put + del) / total];
    this.pad = "x".repeat(spec.valueSizeBytes);
    this.remembers = cas > 0;
  }

  next(seq: number): Operation {
    const index = this.pick(this.rng);
    // one string per key, not one per operation (a load generator keeps every operation)
    this.keyNames[index] ??= `k${index}`;
    const key = this.keyNames[index];
    const u = this.rng.next();
    const [g, p, d] = this.thresholds;
    if (u < g) return { type: "get", key };
    if (u < p) return { type: "put", key, value: this.value(seq) };
    if (u < d) return { type: "delete", key };
    return { type: "cas", key, expected: this.lastSeen.get(key) ?? null, value: this.value(seq) };
  }

  /** Remember what a completed operation showed of its key (feeds cas expectations). */
  observe(op: Operation, result: Result): void {
    if (!this.remembers) return;
    switch (result.type) {
      case "get":
        this.lastSeen.set(op.key, result.value);
        break;
      case "put":
        this.lastSeen.set(op.key, op.type === "put" ? op.value : null);
        break;
      case "delete":
        this.lastSeen.set(op.key, null);
        break;
      case "cas":
        this.lastSeen.set(op.key, result.value);
        break;
    }
  }

  /** Same, from the value the operation showed (null: absent). */
  observeValue(key: string, value: string | null): void {
    if (this.remembers) this.lastSeen.set(key, value);
  }

  private value(seq: number): string {
    if (this.pad.length === 0) return "";
    const v = `${this.clientId}.${seq}`;
    return v.length >= this.pad.length ? v : v + this.pad.slice(v.length);
  }
}

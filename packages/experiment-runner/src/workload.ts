// The operations a client issues: the config's mix of get/put/delete/cas over a key space with a
// uniform, zipfian or hot-key distribution, and values of a fixed size. One generator per
// client, seeded, so the same config and seed issue the same operations in every mode.

import type { Operation, Result } from "@paxos/core";
import { SimRng } from "@paxos/simulator";
import type { ResolvedConfig } from "./config/types.js";

type Workload = ResolvedConfig["workload"];

/** Uniform in [0, 1): the only randomness a generator needs. */
export interface Uniform {
  next(): number;
}

/**
 * The run's seeded stream named `label` (pure-rand's xoroshiro128+ through the simulator's
 * SimRng): the same seed and label give the same numbers in every mode, and streams with
 * different labels are independent of each other and of how much the others drew.
 */
export function seededStream(seed: number, label: string): Uniform {
  return SimRng.fromSeed(seed).fork(label);
}

/** The gap to the next arrival of a Poisson process of `ratePerMs`, in ms. */
export function poissonGapMs(rng: Uniform, ratePerMs: number): number {
  return -Math.log(1 - rng.next()) / ratePerMs;
}

/** Draws key indexes 0..count-1 by the configured distribution. */
export type KeyPicker = (rng: Uniform) => number;

export function keyPicker(keys: Workload["keys"]): KeyPicker {
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
 * The operations of one client. Written values are unique ("clientId.seq" padded with "x" to
 * the configured size), so a later linearizability check can tell writes apart; a cas expects
 * the value this client last saw for its key.
 */
export class OperationGenerator {
  private readonly pick: KeyPicker;
  private readonly lastSeen = new Map<string, string | null>();
  private readonly thresholds: [number, number, number];
  private readonly pad: string;

  constructor(
    workload: Workload,
    private readonly clientId: string,
    private readonly rng: Uniform,
  ) {
    this.pick = keyPicker(workload.keys);
    const { get, put, delete: del, cas } = workload.mix;
    const total = get + put + del + cas;
    this.thresholds = [get / total, (get + put) / total, (get + put + del) / total];
    this.pad = "x".repeat(workload.valueSizeBytes);
  }

  next(seq: number): Operation {
    const key = `k${this.pick(this.rng)}`;
    const u = this.rng.next();
    const [g, p, d] = this.thresholds;
    if (u < g) return { type: "get", key };
    if (u < p) return { type: "put", key, value: this.value(seq) };
    if (u < d) return { type: "delete", key };
    return { type: "cas", key, expected: this.lastSeen.get(key) ?? null, value: this.value(seq) };
  }

  /** Remember what a completed operation showed of its key (feeds cas expectations). */
  observe(op: Operation, result: Result): void {
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
    this.lastSeen.set(key, value);
  }

  private value(seq: number): string {
    const v = `${this.clientId}.${seq}`;
    if (this.pad.length === 0) return "";
    return v.length >= this.pad.length ? v.slice(0, this.pad.length) : v + this.pad.slice(v.length);
  }
}

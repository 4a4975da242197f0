// Seeded randomness for the simulator. Every random choice of a run (link delays, losses, election
// jitter, workload operations, fault schedules) comes from a SimRng derived from the run's seed,
// so a seed replays the run exactly.
//
// Streams are derived by label (`fork("network")`, `fork("node/n1/0")`), not by drawing from the
// parent: a fork depends only on the parent's key and the label, never on how many numbers the
// parent has already produced. Adding a draw in one place therefore does not shift the numbers
// every other component sees, and each node's election jitter is independent of the traffic.

import { generatorOfKey, keyOfSeed, mix32, type Rng } from "@paxos/core";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

// The seeding (mix32, keyOfSeed, generatorOfKey) is core's, shared with paxos-node --seed.
export { mix32 };

/** FNV-1a over the label's UTF-16 units, started from `key` and finalised with mix32. */
function hashLabel(key: number, label: string): number {
  let h = (key ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** A seeded stream of random numbers; implements core's `Rng` (uniform in [0, 1)). */
export class SimRng implements Rng {
  /** 32-bit key this stream was started from; forks hash it with their label. */
  readonly key: number;
  private readonly gen: RandomGenerator;

  private constructor(key: number) {
    this.key = key;
    this.gen = generatorOfKey(key);
  }

  /** The root stream of a run. */
  static fromSeed(seed: number): SimRng {
    return new SimRng(keyOfSeed(seed));
  }

  /** An independent stream named `label`; the same parent and label always give the same one. */
  fork(label: string): SimRng {
    return new SimRng(hashLabel(this.key, label));
  }

  /** Uniform in [0, 1), 53 bits. */
  next(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`int(min, max) needs integers with min <= max, got ${min}, ${max}`);
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform float in [min, max). */
  uniform(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability p (p <= 0 never draws, so a disabled feature costs no randomness). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick() from an empty list");
    return items[this.below(items.length)]!;
  }

  /** Fisher-Yates, in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}

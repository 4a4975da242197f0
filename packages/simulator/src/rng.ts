// Seeded randomness for the simulator. Every random choice of a run (link delays, losses, election
// jitter, workload operations, fault schedules) comes from a SimRng derived from the run's seed,
// so a seed replays the run exactly.
//
// Streams are derived by label (`fork("network")`, `fork("node/n1/0")`), not by drawing from the
// parent: a fork depends only on the parent's key and the label, never on how many numbers the
// parent has already produced. Adding a draw in one place therefore does not shift the numbers
// every other component sees, and each node's election jitter is independent of the traffic.

import type { Rng } from "@paxos/core";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

/** murmur3's 32-bit finaliser: spreads every input bit over every output bit. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the label's UTF-16 units, started from `key` and finalised with mix32. */
function hashLabel(key: number, label: string): number {
  let h = (key ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/**
 * Turns a user seed (any safe integer) into a 32-bit key. Nearby seeds (0, 1, 2, ...) give
 * unrelated keys, which matters because pure-rand's plain `xoroshiro128plus(seed)` starts
 * nearby seeds from nearly identical states.
 */
function keyOfSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer, got ${String(seed)}`);
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  return mix32(lo ^ mix32(hi + 0x9e3779b9));
}

/** A xoroshiro128+ generator whose four state words are spread out from one 32-bit key. */
function generatorOfKey(key: number): RandomGenerator {
  // splitmix32-style sequence: consecutive outputs are independent enough to fill the state,
  // and `| 1` on one word guarantees the state is never all zero (a fixed point of xoroshiro).
  let x = key;
  const word = () => {
    x = (x + 0x9e3779b9) | 0;
    return mix32(x) | 0;
  };
  const state = [word(), word(), word(), word() | 1];
  return xoroshiro128plusFromState(state);
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

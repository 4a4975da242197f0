// Randomness from a seed, for everything that must replay: the simulator's streams and a real
// node's election jitter (`paxos-node --seed`). pure-rand's xoroshiro128+, its state spread out
// from the seed so that nearby seeds (a run's nodes, their incarnations) give unrelated streams.
// Pure computation: no clock, no I/O.

import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import type { Rng } from "./effects.js";

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

/**
 * Turns a user seed (any safe integer) into a 32-bit key. Nearby seeds (0, 1, 2, ...) give
 * unrelated keys, which matters because pure-rand's plain `xoroshiro128plus(seed)` starts
 * nearby seeds from nearly identical states.
 */
export function keyOfSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer, got ${String(seed)}`);
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  return mix32(lo ^ mix32(hi + 0x9e3779b9));
}

/** A xoroshiro128+ generator whose four state words are spread out from one 32-bit key. */
export function generatorOfKey(key: number): RandomGenerator {
  // splitmix32-style sequence: consecutive outputs are independent enough to fill the state,
  // and `| 1` on one word guarantees the state is never all zero (a fixed point of xoroshiro).
  let x = key;
  const word = () => {
    x = (x + 0x9e3779b9) | 0;
    return mix32(x) | 0;
  };
  return xoroshiro128plusFromState([word(), word(), word(), word() | 1]);
}

/** A stream uniform in [0, 1) from a seed: the simulator's SimRng.fromSeed(seed) draws the same. */
export function seededRng(seed: number): Rng {
  const gen = generatorOfKey(keyOfSeed(seed));
  return { next: () => uniformFloat64(gen) };
}

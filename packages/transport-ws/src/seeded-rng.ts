// The engine's randomness (election jitter) from a seed, so that a node started with --seed
// replays: pure-rand's xoroshiro128+, its state spread out from the seed so that nearby seeds
// (a run's nodes, their incarnations) give unrelated streams.

import type { Rng } from "@paxos/core";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";

/** murmur3's 32-bit finaliser */
function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function seededRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a non-negative safe integer, got ${String(seed)}`);
  }
  let x = mix32((seed >>> 0) ^ mix32(Math.floor(seed / 0x1_0000_0000) + 0x9e3779b9));
  const word = () => {
    x = (x + 0x9e3779b9) | 0;
    return mix32(x) | 0;
  };
  const gen = xoroshiro128plusFromState([word(), word(), word(), word() | 1]);
  return { next: () => uniformFloat64(gen) };
}

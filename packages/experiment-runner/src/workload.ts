// The runner's randomness for workloads: seeded streams by label, and Poisson arrival gaps.
// Operations themselves come from the toolkit's one generator (@paxos/simulator's
// OperationGenerator: key distributions, mix, value sizes), in every mode.

import { SimRng, type Uniform } from "@paxos/simulator";

export type { Uniform };

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

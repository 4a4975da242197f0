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

/**
 * Plays one open-loop client's Poisson arrivals on a world's clock (the simulator's events, or
 * timers in wall-clock time): `arrive()` at every arrival before `durationMs`, then `done()`.
 * Arrivals a late timer missed are played at once, in order, so the count follows the rate
 * whatever the timers' lateness.
 */
export function openLoopArrivals(opts: {
  rng: Uniform;
  ratePerMs: number;
  durationMs: number;
  now(): number;
  at(atMs: number, fn: () => void): void;
  arrive(): void;
  done?(): void;
}): void {
  let next = poissonGapMs(opts.rng, opts.ratePerMs);
  const fire = () => {
    const t = opts.now();
    while (next <= t && next < opts.durationMs) {
      opts.arrive();
      next += poissonGapMs(opts.rng, opts.ratePerMs);
    }
    if (next >= opts.durationMs) opts.done?.();
    else opts.at(next, fire);
  };
  if (next >= opts.durationMs) opts.done?.();
  else opts.at(next, fire);
}

import type { Rng } from "../effects.js";

/**
 * Capped exponential backoff with seeded jitter: `baseMs * 2^attempts`, at most `capMs`, then
 * stretched by a random factor in [1, 1.5). The jitter keeps two nodes that failed together
 * from retrying together again; the rng is the host's seeded one, so a simulation replays.
 */
export function backoffMs(baseMs: number, attempts: number, capMs: number, rng: Rng): number {
  const exp = Math.min(baseMs * 2 ** Math.min(attempts, 30), Math.max(baseMs, capMs));
  return exp * (1 + rng.next() / 2);
}

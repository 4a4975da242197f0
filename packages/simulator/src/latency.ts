// One-way link latency distributions. A spec is plain data (it comes from experiment configs);
// `latencySampler` validates it once and returns a sampler the network calls per message.

import type { Rng } from "@paxos/core";

export type LatencySpec =
  | { readonly kind: "constant"; readonly ms: number }
  | { readonly kind: "uniform"; readonly minMs: number; readonly maxMs: number }
  /** Gaussian, clamped at 0 (so with a large stdDevMs the real mean is a little above meanMs). */
  | { readonly kind: "normal"; readonly meanMs: number; readonly stdDevMs: number }
  | { readonly kind: "exponential"; readonly meanMs: number };

/** Draws one delay in ms, never negative. */
export type LatencySampler = (rng: Rng) => number;

export class LatencyConfigError extends Error {
  override readonly name = "LatencyConfigError";
}

function requireNumber(where: string, name: string, value: unknown, min = 0): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new LatencyConfigError(`${where}: ${name} must be a finite number, got ${String(value)}`);
  }
  if (value < min) {
    throw new LatencyConfigError(`${where}: ${name} must be >= ${min}, got ${value}`);
  }
  return value;
}

/** Throws a LatencyConfigError naming the bad field; `where` prefixes the message (a JSON path). */
export function validateLatency(spec: LatencySpec, where = "latency"): void {
  if (typeof spec !== "object" || spec === null) {
    throw new LatencyConfigError(`${where}: expected a latency spec object, got ${String(spec)}`);
  }
  switch (spec.kind) {
    case "constant":
      requireNumber(where, "ms", spec.ms);
      return;
    case "uniform":
      requireNumber(where, "minMs", spec.minMs);
      requireNumber(where, "maxMs", spec.maxMs);
      if (spec.maxMs < spec.minMs) {
        throw new LatencyConfigError(
          `${where}: maxMs (${spec.maxMs}) must be >= minMs (${spec.minMs})`,
        );
      }
      return;
    case "normal":
      requireNumber(where, "meanMs", spec.meanMs);
      requireNumber(where, "stdDevMs", spec.stdDevMs);
      return;
    case "exponential":
      requireNumber(where, "meanMs", spec.meanMs);
      return;
    default:
      throw new LatencyConfigError(
        `${where}: unknown latency kind ${JSON.stringify((spec as { kind?: unknown }).kind)} ` +
          `(expected "constant", "uniform", "normal" or "exponential")`,
      );
  }
}

export function validateJitter(jitterMs: number, where = "jitterMs"): void {
  requireNumber(where, "jitterMs", jitterMs);
}

/** The distribution's nominal mean in ms (before clamping at 0; jitter is symmetric). */
export function meanLatencyMs(spec: LatencySpec): number {
  switch (spec.kind) {
    case "constant":
      return spec.ms;
    case "uniform":
      return (spec.minMs + spec.maxMs) / 2;
    case "normal":
    case "exponential":
      return spec.meanMs;
  }
}

/**
 * A sampler for `spec` plus uniform jitter in [-jitterMs, +jitterMs); the result is clamped at
 * 0. Built once per link, so the per-message cost is one or two uniform draws and no allocation.
 */
export function latencySampler(spec: LatencySpec, jitterMs = 0, where = "latency"): LatencySampler {
  validateLatency(spec, where);
  validateJitter(jitterMs, where);
  const base = baseSampler(spec);
  if (jitterMs === 0) return base;
  const width = 2 * jitterMs;
  return (rng) => {
    return Math.max(0, base(rng) + rng.next() * width - jitterMs);
  };
}

function baseSampler(spec: LatencySpec): LatencySampler {
  switch (spec.kind) {
    case "constant": {
      const ms = spec.ms;
      return () => ms;
    }
    case "uniform": {
      const { minMs } = spec;
      const width = spec.maxMs - spec.minMs;
      if (width === 0) return () => minMs;
      return (rng) => minMs + rng.next() * width;
    }
    case "normal": {
      const { meanMs, stdDevMs } = spec;
      if (stdDevMs === 0) return () => meanMs;
      // Box-Muller, one value per call (caching the second would make a link's samples depend
      // on call parity; one extra draw is cheaper than that surprise).
      return (rng) => {
        const u1 = 1 - rng.next(); // (0, 1]: log(0) is -Infinity
        const u2 = rng.next();
        const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        return Math.max(0, meanMs + stdDevMs * z);
      };
    }
    case "exponential": {
      const { meanMs } = spec;
      if (meanMs === 0) return () => 0;
      return (rng) => -meanMs * Math.log(1 - rng.next());
    }
  }
}

import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type LatencySpec,
  latencySampler,
  meanLatencyMs,
  validateLatency,
} from "../src/latency.js";
import { SimRng } from "../src/rng.js";

function samples(spec: LatencySpec, n = 40_000, jitterMs = 0): number[] {
  const sample = latencySampler(spec, jitterMs);
  const rng = SimRng.fromSeed(42);
  return Array.from({ length: n }, () => sample(rng));
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
};

test("constant", () => {
  const xs = samples({ kind: "constant", ms: 3 }, 100);
  assert.ok(xs.every((x) => x === 3));
  assert.is(meanLatencyMs({ kind: "constant", ms: 3 }), 3);
});

test("uniform: within [minMs, maxMs), mean in the middle", () => {
  const xs = samples({ kind: "uniform", minMs: 2, maxMs: 6 });
  assert.ok(xs.every((x) => x >= 2 && x < 6));
  assert.ok(Math.abs(mean(xs) - 4) < 0.05, `mean ${mean(xs)}`);
  assert.is(meanLatencyMs({ kind: "uniform", minMs: 2, maxMs: 6 }), 4);
  assert.ok(samples({ kind: "uniform", minMs: 5, maxMs: 5 }, 10).every((x) => x === 5));
});

test("normal: mean and standard deviation; clamped at 0", () => {
  const xs = samples({ kind: "normal", meanMs: 10, stdDevMs: 2 });
  assert.ok(Math.abs(mean(xs) - 10) < 0.05, `mean ${mean(xs)}`);
  assert.ok(Math.abs(sd(xs) - 2) < 0.05, `sd ${sd(xs)}`);
  const clamped = samples({ kind: "normal", meanMs: 0, stdDevMs: 1 });
  assert.ok(clamped.every((x) => x >= 0));
  // half the mass sits at 0, the other half is |N(0,1)| with mean sqrt(2/pi)
  assert.ok(Math.abs(mean(clamped) - 0.5 * Math.sqrt(2 / Math.PI)) < 0.02);
});

test("exponential: mean, and standard deviation equal to the mean", () => {
  const xs = samples({ kind: "exponential", meanMs: 5 });
  assert.ok(xs.every((x) => x >= 0 && Number.isFinite(x)));
  assert.ok(Math.abs(mean(xs) - 5) < 0.15, `mean ${mean(xs)}`);
  assert.ok(Math.abs(sd(xs) - 5) < 0.25, `sd ${sd(xs)}`);
});

test("jitter: uniform +/- jitterMs around the base, never negative", () => {
  const xs = samples({ kind: "constant", ms: 10 }, 20_000, 1);
  assert.ok(xs.every((x) => x >= 9 && x < 11));
  assert.ok(Math.abs(mean(xs) - 10) < 0.02);
  assert.ok(sd(xs) > 0.5);
  const low = samples({ kind: "constant", ms: 0.5 }, 5_000, 2);
  assert.ok(low.every((x) => x >= 0));
});

test("invalid parameters are refused with the field named", () => {
  const bad: [unknown, RegExp][] = [
    [{ kind: "constant", ms: -1 }, /ms must be >= 0/],
    [{ kind: "constant", ms: Number.NaN }, /ms must be a finite number/],
    [{ kind: "uniform", minMs: 5, maxMs: 2 }, /maxMs \(2\) must be >= minMs \(5\)/],
    [{ kind: "uniform", minMs: -1, maxMs: 2 }, /minMs must be >= 0/],
    [{ kind: "normal", meanMs: 1, stdDevMs: -2 }, /stdDevMs must be >= 0/],
    [{ kind: "normal", meanMs: "1", stdDevMs: 2 }, /meanMs must be a finite number/],
    [{ kind: "exponential", meanMs: Number.POSITIVE_INFINITY }, /meanMs must be a finite number/],
    [{ kind: "pareto", meanMs: 1 }, /unknown latency kind "pareto"/],
    [null, /expected a latency spec/],
  ];
  for (const [spec, message] of bad) {
    assert.throws(() => validateLatency(spec as LatencySpec, "network.link.latency"), message);
    assert.throws(() => latencySampler(spec as LatencySpec), message);
  }
  assert.throws(() => validateLatency({ kind: "constant", ms: -1 }, "links[3]"), /^links\[3\]/);
  assert.throws(() => latencySampler({ kind: "constant", ms: 1 }, -0.5), /jitterMs must be >= 0/);
});

test.run();

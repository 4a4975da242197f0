// The statistics against known data: percentiles of small samples worked by hand, Student-t
// quantiles against the printed tables, a confidence interval computed by hand, per-second
// throughput with warm-up and cool-down excluded, the thinned CDF, and the table's formatting.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { withCi } from "../src/experiment-report.js";
import { formatNumber, logDomain } from "../src/plots.js";
import {
  ecdf,
  estimate,
  normalQuantile,
  percentiles,
  throughputPerSecond,
  tQuantile,
  windowThroughput,
} from "../src/stats.js";

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: ${actual} is not within ${tol} of ${expected}`,
  );

test("percentiles of 1..100: nearest rank, the ceil(n*p)-th value", () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose
  const p = percentiles(xs)!;
  assert.is(p.count, 100);
  assert.is(p.min, 1);
  assert.is(p.p50, 50); // n*p = 50: the 50th
  assert.is(p.p90, 90);
  assert.is(p.p99, 99);
  assert.is(p.p999, 100); // n*p = 99.9: the 100th
  assert.is(p.max, 100);
  assert.is(p.mean, 50.5);
});

test("percentiles of 1000 samples pick the right tail values; empty is null", () => {
  const xs = Array.from({ length: 1000 }, (_, i) => (i + 1) / 10); // 0.1 .. 100
  const p = percentiles(xs)!;
  close(p.p50, 50, 1e-9, "p50"); // the 500th
  close(p.p99, 99, 1e-9, "p99"); // the 990th
  close(p.p999, 99.9, 1e-9, "p99.9"); // the 999th
  assert.is(percentiles([]), null);
  const one = percentiles([7])!;
  assert.equal([one.p50, one.p99, one.max], [7, 7, 7]);
});

test("Student t quantiles match the tables (two-sided 95%, 99%, 90%)", () => {
  const table95: [number, number][] = [
    [1, 12.706],
    [2, 4.303],
    [3, 3.182],
    [4, 2.776],
    [5, 2.571],
    [9, 2.262],
    [10, 2.228],
    [29, 2.045],
    [30, 2.042],
    [60, 2.0],
    [120, 1.98],
  ];
  for (const [df, t] of table95) close(tQuantile(df, 0.95), t, 1.5e-3, `t(0.975, ${df})`);
  close(tQuantile(4, 0.99), 4.604, 1e-3, "t(0.995, 4)");
  close(tQuantile(10, 0.9), 1.812, 1e-3, "t(0.95, 10)");
  close(tQuantile(1e6, 0.95), 1.96, 1e-3, "t -> z");
  close(normalQuantile(0.975), 1.959964, 1e-6, "z(0.975)");
  close(normalQuantile(0.005), -2.575829, 1e-6, "z(0.005)");
  assert.throws(() => tQuantile(0));
  assert.throws(() => tQuantile(3, 1));
});

test("estimate: mean, sample sd and the t interval of 5 known values", () => {
  // 2 4 4 4 5 5 7 9 has population sd 2; take five values worked by hand instead:
  // xs = 10 12 14 16 18: mean 14, sample sd sqrt(10) = 3.1623, se = 1.4142, t(4) = 2.7764
  const e = estimate([10, 12, 14, 16, 18])!;
  assert.is(e.n, 5);
  assert.is(e.mean, 14);
  close(e.sd, Math.sqrt(10), 1e-12, "sd");
  close(e.ci!.halfWidth, 2.7764 * Math.sqrt(2), 1e-3, "half-width");
  close(e.ci!.low, 14 - 3.9264, 1e-3, "low");
  close(e.ci!.high, 14 + 3.9264, 1e-3, "high");
  const one = estimate([3])!;
  assert.is(one.ci, null, "one repetition: no interval");
  assert.is(one.sd, 0);
  assert.is(estimate([]), null);
  assert.is(estimate([Number.NaN, 5])!.n, 1, "non-finite values are left out");
});

test("throughput per second counts only the window: warm-up and cool-down excluded", () => {
  // 10 completions a second from 0 to 5 s; the window is [1 s, 4.5 s)
  const completions = Array.from({ length: 50 }, (_, i) => i * 100 + 50);
  const bins = throughputPerSecond(completions, { fromMs: 1000, toMs: 4500 });
  assert.equal(
    bins.map((b) => [b.fromMs, b.widthMs, b.ops]),
    [
      [1000, 1000, 10],
      [2000, 1000, 10],
      [3000, 1000, 10],
      [4000, 500, 5],
    ],
  );
  assert.equal(
    bins.map((b) => b.opsPerS),
    [10, 10, 10, 10],
    "the shorter last bin is scaled to a rate",
  );
  assert.is(windowThroughput(completions, { fromMs: 1000, toMs: 4500 }), 10);
  // a burst in the warm-up does not count
  const burst = [...completions, ...Array.from({ length: 100 }, () => 500)];
  assert.is(windowThroughput(burst, { fromMs: 1000, toMs: 4500 }), 10);
  assert.equal(throughputPerSecond(completions, { fromMs: 5, toMs: 5 }), []);
});

test("ecdf: starts at the minimum, ends at 1 at the maximum, keeps the tail, thins the body", () => {
  const xs = Array.from({ length: 100_000 }, (_, i) => 1 + (i % 1000));
  const c = ecdf(xs, 400);
  assert.ok(c.length <= 420, `${c.length} points`);
  assert.is(c[0]!.value, 1);
  assert.is(c[c.length - 1]!.value, 1000);
  assert.is(c[c.length - 1]!.fraction, 1);
  for (let i = 1; i < c.length; i++) {
    assert.ok(c[i]!.value > c[i - 1]!.value && c[i]!.fraction >= c[i - 1]!.fraction);
  }
  // every value repeats 100 times: P(X <= 500) = 0.5 exactly
  const mid = c.find((p) => p.value === 500);
  if (mid) assert.is(mid.fraction, 0.5);
  assert.ok(c.filter((p) => p.fraction >= 0.99).length >= 10, "the last 1% keeps its steps");
  assert.equal(ecdf([]), []);
});

test("numbers in tables: 3 significant figures, the interval to the mean's decimals", () => {
  assert.is(formatNumber(1234.4), "1234");
  assert.is(formatNumber(12.345), "12.3");
  assert.is(formatNumber(5.4321), "5.43");
  assert.is(formatNumber(0.012345), "0.0123");
  assert.is(formatNumber(null), "-");
  assert.is(
    withCi({
      n: 3,
      mean: 8.1234,
      sd: 0.1,
      ci: { level: 0.95, low: 8, high: 8.2, halfWidth: 0.0731 },
    }),
    "8.12 ± 0.07",
  );
  assert.is(
    withCi({ n: 3, mean: 157.2, sd: 1, ci: { level: 0.95, low: 140, high: 174, halfWidth: 17.3 } }),
    "157 ± 17",
  );
  assert.is(
    withCi({
      n: 3,
      mean: 157.2,
      sd: 0,
      ci: { level: 0.95, low: 157, high: 157, halfWidth: 0.001 },
    }),
    "157 ± 0.001",
  );
  assert.is(withCi({ n: 1, mean: 42, sd: 0, ci: null }), "42.0");
  const [lo, hi] = logDomain([5, 7]);
  assert.ok(
    lo > 0 && lo < 5 && hi > 7 && hi / lo >= 4 - 1e-9,
    "a log axis spans at least a factor 4",
  );
});

test.run();

// The one percentile rule: nearest rank, never an interpolated value, robust to q * n landing a
// hair above a whole number.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { quantile } from "../src/quantile.js";

test("nearest rank: the ceil(q*n)-th smallest value, an observed sample", () => {
  const xs = [10, 20, 30, 40];
  assert.is(quantile(xs, 0), 10);
  assert.is(quantile(xs, 0.25), 10);
  assert.is(quantile(xs, 0.26), 20);
  assert.is(quantile(xs, 0.5), 20);
  assert.is(quantile(xs, 0.99), 40);
  assert.is(quantile(xs, 1), 40);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test("q * n a hair above a whole number does not move up a rank", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.is(0.07 * 100 > 7, true, "the floating-point case this guards against");
  assert.is(quantile(xs, 0.07), 7);
  assert.is(
    quantile(
      Array.from({ length: 1000 }, (_, i) => i + 1),
      0.999,
    ),
    999,
  );
});

test.run();

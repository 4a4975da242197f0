import { seededRng } from "@paxos/core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimRng } from "../src/rng.js";

const draw = (rng: SimRng, n: number) => Array.from({ length: n }, () => rng.next());

test("the same seed gives the same stream; nearby seeds give unrelated ones", () => {
  assert.equal(draw(SimRng.fromSeed(7), 20), draw(SimRng.fromSeed(7), 20));
  const a = draw(SimRng.fromSeed(1), 20);
  const b = draw(SimRng.fromSeed(2), 20);
  assert.not.equal(a, b);
  // no shared prefix at all, even on the first draw (pure-rand's raw seeding would correlate)
  assert.ok(a.every((x, i) => x !== b[i]));
});

test("a node's seededRng (core, paxos-node --seed) draws what SimRng.fromSeed draws", () => {
  for (const seed of [0, 1, 42, 2 ** 40 + 7]) {
    const node = seededRng(seed);
    const sim = SimRng.fromSeed(seed);
    for (let i = 0; i < 5; i++) assert.is(node.next(), sim.next(), `seed ${seed}, draw ${i}`);
  }
});

test("next() is uniform in [0, 1)", () => {
  const rng = SimRng.fromSeed(3);
  const xs = draw(rng, 20_000);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  const buckets = new Array(10).fill(0);
  for (const x of xs) buckets[Math.floor(x * 10)]++;
  for (const b of buckets) assert.ok(Math.abs(b - 2000) < 200, `bucket ${b}`);
});

test("fork(label) depends only on the parent's seed and the label", () => {
  const p1 = SimRng.fromSeed(11);
  const p2 = SimRng.fromSeed(11);
  draw(p2, 1000); // consuming the parent does not move its forks
  assert.equal(draw(p1.fork("network"), 10), draw(p2.fork("network"), 10));
  assert.not.equal(draw(p1.fork("network"), 10), draw(p1.fork("node/n1/0"), 10));
  assert.not.equal(draw(p1.fork("a").fork("b"), 10), draw(p1.fork("b").fork("a"), 10));
  assert.not.equal(draw(SimRng.fromSeed(12).fork("network"), 10), draw(p1.fork("network"), 10));
});

test("int(min, max) is inclusive and hits both ends; below, chance, uniform", () => {
  const rng = SimRng.fromSeed(5);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const x = rng.int(-2, 3);
    assert.ok(Number.isInteger(x) && x >= -2 && x <= 3);
    seen.add(x);
  }
  assert.equal(
    [...seen].sort((a, b) => a - b),
    [-2, -1, 0, 1, 2, 3],
  );
  for (let i = 0; i < 100; i++) {
    const b = rng.below(4);
    assert.ok(b >= 0 && b < 4 && Number.isInteger(b));
    const u = rng.uniform(5, 6);
    assert.ok(u >= 5 && u < 6);
  }
  assert.not.ok(rng.chance(0));
  assert.ok(rng.chance(1));
  assert.throws(() => rng.int(3, 2), /min <= max/);
  assert.throws(() => rng.int(0.5, 2), /integers/);
});

test("pick and shuffle", () => {
  const rng = SimRng.fromSeed(9);
  const items = ["a", "b", "c", "d", "e"];
  const picked = new Set(Array.from({ length: 200 }, () => rng.pick(items)));
  assert.equal(picked.size, 5);
  assert.throws(() => rng.pick([]), /empty/);
  const shuffled = rng.shuffle([...items]);
  assert.equal([...shuffled].sort(), items);
  const again = SimRng.fromSeed(9);
  for (let i = 0; i < 200; i++) again.pick(items);
  assert.equal(again.shuffle([...items]), shuffled);
});

test("seeds must be safe integers", () => {
  assert.throws(() => SimRng.fromSeed(1.5), /safe integer/);
  assert.throws(() => SimRng.fromSeed(Number.NaN), /safe integer/);
  // large and negative seeds are fine and distinct
  assert.not.equal(draw(SimRng.fromSeed(2 ** 40), 3), draw(SimRng.fromSeed(-(2 ** 40)), 3));
});

test.run();

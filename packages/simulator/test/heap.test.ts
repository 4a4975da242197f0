import { test } from "uvu";
import * as assert from "uvu/assert";
import { EventQueue } from "../src/heap.js";
import { SimRng } from "../src/rng.js";

function popAll(q: EventQueue): [number, number][] {
  const out: [number, number][] = [];
  while (q.pop()) out.push([q.time, q.a]);
  return out;
}

test("events come out by time", () => {
  const q = new EventQueue(16);
  for (const t of [5, 1, 4, 2, 3, 0.5, 10]) q.push(t, 0, t * 10, 0, null);
  assert.equal(
    popAll(q).map(([t]) => t),
    [0.5, 1, 2, 3, 4, 5, 10],
  );
  assert.equal(q.length, 0);
  assert.equal(q.peekTime(), Number.POSITIVE_INFINITY);
  assert.not.ok(q.pop());
});

test("equal times come out first-in first-out", () => {
  const q = new EventQueue(16);
  for (let i = 0; i < 50; i++) q.push(i % 3, 0, i, 0, null);
  const out = popAll(q);
  for (let i = 1; i < out.length; i++) {
    const [t0, a0] = out[i - 1]!;
    const [t1, a1] = out[i]!;
    assert.ok(
      t0 < t1 || (t0 === t1 && a0 < a1),
      `order broken at ${i}: ${out[i - 1]} then ${out[i]}`,
    );
  }
});

test("matches a stable sort under random interleaved push/pop, growing past its capacity", () => {
  const rng = SimRng.fromSeed(1);
  const q = new EventQueue(16);
  // reference: array of [time, seq]; pop takes the min by (time, seq)
  const model: [number, number, string][] = [];
  let seq = 0;
  let now = 0;
  for (let step = 0; step < 20_000; step++) {
    if (model.length === 0 || rng.chance(0.55)) {
      // few distinct times, so ties are frequent
      const t = now + rng.int(0, 20) / 4;
      const payload = `p${seq}`;
      q.push(t, seq % 3, seq, -seq, payload);
      model.push([t, seq, payload]);
      seq++;
    } else {
      let best = 0;
      for (let i = 1; i < model.length; i++) {
        const [t, s] = model[i]!;
        const [bt, bs] = model[best]!;
        if (t < bt || (t === bt && s < bs)) best = i;
      }
      const [t, s, payload] = model.splice(best, 1)[0]!;
      assert.ok(q.pop());
      assert.equal([q.time, q.a, q.b, q.kind, q.payload], [t, s, -s, s % 3, payload]);
      now = t;
    }
    assert.equal(q.length, model.length);
  }
});

test("pushing while handling a popped event does not clobber it", () => {
  const q = new EventQueue(16);
  q.push(1, 2, 3, 4, "first");
  assert.ok(q.pop());
  q.push(0.5, 7, 8, 9, "second");
  assert.equal([q.time, q.kind, q.a, q.b, q.payload], [1, 2, 3, 4, "first"]);
});

test("NaN times are refused; clear() empties the queue", () => {
  const q = new EventQueue();
  assert.throws(() => q.push(Number.NaN, 0, 0, 0, null), /NaN/);
  q.push(1, 0, 0, 0, null);
  q.push(2, 0, 0, 0, null);
  q.clear();
  assert.equal(q.length, 0);
  q.push(3, 0, 1, 0, null);
  assert.equal(popAll(q), [[3, 1]]);
});

test.run();

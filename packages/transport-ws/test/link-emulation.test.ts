import { test } from "uvu";
import * as assert from "uvu/assert";
import { isActive, LinkModel, LinkShaper, type ShaperClock } from "../src/link-emulation.js";
import { backoffDelayMs } from "../src/peer-link.js";

/** mulberry32: a small seeded generator, so the statistics below are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function samples(model: LinkModel, n: number): number[] {
  return Array.from({ length: n }, () => model.sampleDelayMs());
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

test("isActive: an empty or all-default spec costs nothing (no shaper is installed)", () => {
  assert.not.ok(isActive(undefined));
  assert.not.ok(isActive({}));
  assert.not.ok(isActive({ delayMs: 0, lossRate: 0, down: false }));
  assert.not.ok(isActive({ jitterMs: 5, distribution: "constant" }));
  for (const spec of [
    { delayMs: 1 },
    { jitterMs: 1 },
    { lossRate: 0.1 },
    { bandwidthBytesPerSec: 1e6 },
    { down: true },
  ]) {
    assert.ok(isActive(spec), JSON.stringify(spec));
  }
});

test("constant delay: every frame exactly delayMs", () => {
  const m = new LinkModel({ delayMs: 12.5, jitterMs: 4, distribution: "constant" }, seeded(1));
  assert.equal([...new Set(samples(m, 100))], [12.5]);
  assert.equal(m.plan(100, 1000), { deliverAtMs: 1012.5 });
});

test("uniform jitter: within delay +- jitter, mean delay", () => {
  const xs = samples(
    new LinkModel({ delayMs: 20, jitterMs: 5, distribution: "uniform" }, seeded(2)),
    20_000,
  );
  assert.ok(Math.min(...xs) >= 15 && Math.max(...xs) <= 25);
  assert.ok(Math.abs(mean(xs) - 20) < 0.1, String(mean(xs)));
  // uniform on [-j, j] has sd j/sqrt(3)
  assert.ok(Math.abs(sd(xs) - 5 / Math.sqrt(3)) < 0.1, String(sd(xs)));
});

test("uniform is the default distribution when jitter is given (as in netem)", () => {
  const xs = samples(new LinkModel({ delayMs: 20, jitterMs: 5 }, seeded(3)), 5_000);
  assert.ok(Math.min(...xs) >= 15 && Math.max(...xs) <= 25 && sd(xs) > 2);
});

test("normal jitter: mean delay, sd jitter, never negative", () => {
  const xs = samples(
    new LinkModel({ delayMs: 50, jitterMs: 10, distribution: "normal" }, seeded(4)),
    20_000,
  );
  assert.ok(Math.abs(mean(xs) - 50) < 0.3, String(mean(xs)));
  assert.ok(Math.abs(sd(xs) - 10) < 0.3, String(sd(xs)));
  const clipped = samples(
    new LinkModel({ delayMs: 1, jitterMs: 10, distribution: "normal" }, seeded(5)),
    5_000,
  );
  assert.ok(Math.min(...clipped) >= 0);
});

test("exponential jitter: delay plus an exponential tail of mean jitter", () => {
  const xs = samples(
    new LinkModel({ delayMs: 5, jitterMs: 10, distribution: "exponential" }, seeded(6)),
    20_000,
  );
  assert.ok(Math.min(...xs) >= 5);
  assert.ok(Math.abs(mean(xs) - 15) < 0.3, String(mean(xs)));
  assert.ok(Math.abs(sd(xs) - 10) < 0.4, String(sd(xs)));
});

test("loss: about lossRate of the messages, none at 0, all at 1", () => {
  const m = new LinkModel({ lossRate: 0.2 }, seeded(7));
  let lost = 0;
  for (let i = 0; i < 20_000; i++) if (m.loses()) lost++;
  assert.ok(Math.abs(lost / 20_000 - 0.2) < 0.01, String(lost));
  assert.not.ok(new LinkModel({}, seeded(8)).loses());
  assert.ok(new LinkModel({ lossRate: 1 }, seeded(9)).loses());
});

test("bandwidth: frames serialise one after another at bytes/s, then propagate", () => {
  const m = new LinkModel({ bandwidthBytesPerSec: 1000, delayMs: 10 }, seeded(10));
  // 500 bytes take 500 ms on the wire; the second frame queues behind the first
  assert.equal(m.plan(500, 0), { deliverAtMs: 510 });
  assert.equal(m.plan(500, 0), { deliverAtMs: 1010 });
  // an idle link starts at once
  assert.equal(m.plan(100, 5000), { deliverAtMs: 5110 });
});

test("bandwidth: a full queue drops (tail drop), then drains", () => {
  const m = new LinkModel({ bandwidthBytesPerSec: 1000, queueBytes: 1500 }, seeded(11));
  assert.equal(m.plan(1000, 0), { deliverAtMs: 1000 });
  // 1000 bytes still queued at t=0: another 1000 would exceed 1500
  assert.equal(m.plan(1000, 0), { drop: "queue-full" });
  assert.equal(m.plan(400, 0), { deliverAtMs: 1400 });
  // at t=1000 only 400 bytes (400 ms) are still queued
  assert.equal(m.plan(1000, 1000), { deliverAtMs: 2400 });
});

test("down: everything is dropped", () => {
  assert.equal(new LinkModel({ down: true, delayMs: 5 }, seeded(12)).plan(10, 0), { drop: "down" });
});

/** A clock the test advances by hand; timers fire when their time comes. */
class FakeClock implements ShaperClock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  now = () => this.t;
  setTimer = (fn: () => void, delayMs: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + delayMs, fn, id });
    return id;
  };
  clearTimer = (handle: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== handle);
  };
  get pending(): number {
    return this.timers.length;
  }
  advance(to: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > to) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = to;
  }
}

test("shaper: delivers each frame at its time, with one timer at a time", () => {
  const clock = new FakeClock();
  const got: [string, number][] = [];
  const shaper = new LinkShaper<string>(
    { delayMs: 10 },
    (f) => got.push([f, clock.t]),
    seeded(13),
    clock,
  );
  shaper.offer("a", 1);
  clock.advance(3);
  shaper.offer("b", 1);
  assert.is(clock.pending, 1);
  assert.is(shaper.inFlight, 2);
  clock.advance(100);
  assert.equal(got, [
    ["a", 10],
    ["b", 13],
  ]);
  assert.is(clock.pending, 0);
});

test("shaper: jitter may reorder frames, like a real path", () => {
  const clock = new FakeClock();
  const got: string[] = [];
  // uniform in [0, 20]: enough frames that some overtake others
  const shaper = new LinkShaper<string>(
    { delayMs: 10, jitterMs: 10 },
    (f) => got.push(f),
    seeded(14),
    clock,
  );
  for (let i = 0; i < 50; i++) shaper.offer(String(i), 1);
  clock.advance(1000);
  assert.is(got.length, 50);
  assert.equal(
    [...got].sort((a, b) => Number(a) - Number(b)),
    Array.from({ length: 50 }, (_, i) => String(i)),
  );
  assert.is.not(got.join(","), Array.from({ length: 50 }, (_, i) => String(i)).join(","));
});

test("shaper: bandwidth-limited frames arrive in order at the serialisation rate", () => {
  const clock = new FakeClock();
  const got: [string, number][] = [];
  const shaper = new LinkShaper<string>(
    { bandwidthBytesPerSec: 10_000 },
    (f) => got.push([f, clock.t]),
    seeded(15),
    clock,
  );
  for (const f of ["a", "b", "c"]) shaper.offer(f, 1000); // 100 ms each
  clock.advance(1000);
  assert.equal(got, [
    ["a", 100],
    ["b", 200],
    ["c", 300],
  ]);
});

test("shaper: loss and down are counted; dispose forgets frames in flight", () => {
  const clock = new FakeClock();
  const got: string[] = [];
  const lossy = new LinkShaper<string>({ lossRate: 0.5 }, (f) => got.push(f), seeded(16), clock);
  let lost = 0;
  for (let i = 0; i < 1000; i++) if (lossy.loses()) lost++;
  assert.is(lossy.drops.loss, lost);
  const down = new LinkShaper<string>({ down: true }, (f) => got.push(f), seeded(17), clock);
  down.offer("x", 1);
  assert.is(down.drops.down, 1);
  const slow = new LinkShaper<string>({ delayMs: 50 }, (f) => got.push(f), seeded(18), clock);
  slow.offer("y", 1);
  slow.dispose();
  clock.advance(100);
  assert.equal(got, []);
  assert.is(clock.pending, 0);
});

test("reconnect backoff: capped, jittered, exponential", () => {
  const opts = { baseMs: 50, maxMs: 1000 };
  for (let attempt = 0; attempt < 12; attempt++) {
    const ceiling = Math.min(1000, 50 * 2 ** attempt);
    for (const r of [0, 0.5, 0.999]) {
      const d = backoffDelayMs(attempt, opts, () => r);
      assert.ok(d >= ceiling / 2 && d <= ceiling, `${attempt} ${r} ${d}`);
    }
  }
  assert.is(
    backoffDelayMs(1000, opts, () => 1),
    1000,
  );
});

test.run();

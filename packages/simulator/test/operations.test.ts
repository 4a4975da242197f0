// The toolkit's one operation generator: replayable from a seeded stream, keys by the chosen
// distribution, the mix's weights, writes that stay unique, cas that expects what was seen.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OperationGenerator, type OperationSpec } from "../src/operations.js";
import { SimRng } from "../src/rng.js";

const spec = (patch: Partial<OperationSpec> = {}): OperationSpec => ({
  keys: { count: 100, distribution: { type: "uniform" } },
  mix: { get: 0, put: 1, delete: 0, cas: 0 },
  valueSizeBytes: 8,
  ...patch,
});
const draw = (s: OperationSpec, n: number, seed = 1) => {
  const g = new OperationGenerator(s, "c1", SimRng.fromSeed(seed).fork("w"));
  return Array.from({ length: n }, (_, i) => g.next(i));
};

test("the same seed gives the same operations; another seed others", () => {
  assert.equal(draw(spec(), 50), draw(spec(), 50));
  assert.not.equal(draw(spec(), 50), draw(spec(), 50, 2));
});

test("zipfian keys favour the first keys, hot keys take their fraction, uniform spreads", () => {
  const share = (s: OperationSpec, keys: string[]) => {
    const ops = draw(s, 20_000);
    return ops.filter((o) => keys.includes(o.key)).length / ops.length;
  };
  const z = spec({ keys: { count: 1000, distribution: { type: "zipfian", exponent: 0.99 } } });
  assert.ok(share(z, ["k0"]) > 0.1, "k0 of a zipfian(0.99) over 1000 keys gets over 10%");
  const hot = spec({
    keys: { count: 1000, distribution: { type: "hotKey", hotKeys: 10, hotFraction: 0.8 } },
  });
  const h = share(
    hot,
    Array.from({ length: 10 }, (_, i) => `k${i}`),
  );
  assert.ok(Math.abs(h - 0.8) < 0.02, `hot share ${h}`);
  assert.ok(share(spec(), ["k0"]) < 0.02);
});

test("writes are unique, at least the value size, and never cut; cas expects what was seen", () => {
  const ops = draw(spec({ valueSizeBytes: 4 }), 200);
  const values = ops.map((o) => (o.type === "put" ? o.value : ""));
  assert.is(new Set(values).size, 200);
  assert.ok(values.every((v) => v.length >= 4));
  const empty = draw(spec({ valueSizeBytes: 0 }), 1)[0]!;
  assert.is(empty.type === "put" && empty.value, "", "size 0: empty values");
  const g = new OperationGenerator(
    spec({
      mix: { get: 0, put: 0, delete: 0, cas: 1 },
      keys: { count: 1, distribution: { type: "uniform" } },
    }),
    "c1",
    SimRng.fromSeed(3),
  );
  const first = g.next(0);
  assert.equal(first.type === "cas" && first.expected, null);
  g.observeValue("k0", "seen");
  const second = g.next(1);
  assert.is(second.type === "cas" && second.expected, "seen");
});

test.run();

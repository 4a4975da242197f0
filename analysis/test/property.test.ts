// Property tests: (1) on small random histories (a few operations on two keys, few distinct
// values, overlapping intervals, some unknown outcomes) the checker agrees with a brute-force
// search over every order; (2) histories produced by a sequential execution (every operation
// takes effect at one instant inside its interval, with random overlaps) are linearizable,
// also with timed-out operations that took effect or not; (3) corrupting such a history with a
// read nobody could have seen is caught, with a slice that fails by itself.

import { KeyValueStore, type Operation, type Result } from "@paxos/core";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateHistory } from "../bench/generate.js";
import type { HistoryOp, KvOperation, KvResult } from "../src/history.js";
import { checkLinearizability } from "../src/linearizability.js";
import { bruteForce } from "./helpers.js";

const value = fc.constantFrom("a", "b", "c");
const maybeValue = fc.constantFrom<string | null>("a", "b", null);
const key = fc.constantFrom("x", "y");

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ type: fc.constant("get" as const), key }),
  fc.record({ type: fc.constant("put" as const), key, value }),
  fc.record({ type: fc.constant("delete" as const), key }),
  fc.record({ type: fc.constant("cas" as const), key, expected: maybeValue, value }),
);

function resultFor(op: Operation, seen: string | null, flag: boolean): Result {
  switch (op.type) {
    case "get":
      return { type: "get", value: seen };
    case "put":
      return { type: "put" };
    case "delete":
      return { type: "delete", existed: flag };
    case "cas":
      return { type: "cas", ok: flag, value: flag ? op.value : seen };
  }
}

/** Arbitrary (mostly non-linearizable) small histories: random results, random times. */
const randomHistory = fc.array(
  fc.record({
    op: operation,
    seen: maybeValue,
    flag: fc.boolean(),
    inv: fc.integer({ min: 0, max: 20 }),
    len: fc.integer({ min: 0, max: 8 }),
    unknown: fc.boolean(),
    unknownBias: fc.integer({ min: 0, max: 4 }),
  }),
  { minLength: 1, maxLength: 7 },
);

test("agrees with brute force on small random histories", () => {
  let linearizable = 0;
  fc.assert(
    fc.property(randomHistory, (specs) => {
      const h: HistoryOp[] = specs.map((s, k) => {
        const unknown = s.unknown && s.unknownBias === 0;
        return {
          clientId: `c${k}`,
          op: s.op,
          result: unknown ? null : resultFor(s.op, s.seen, s.flag),
          invokedAt: s.inv,
          returnedAt: unknown ? null : s.inv + s.len,
        };
      });
      const expected = bruteForce(h);
      const r = checkLinearizability(h);
      if (expected) linearizable++;
      assert.is(r.verdict, expected ? "linearizable" : "not linearizable", JSON.stringify(h));
      if (r.verdict === "not linearizable") {
        assert.is(bruteForce(r.slice), false, "the slice fails by itself");
      }
    }),
    { numRuns: 3000, seed: 7 },
  );
  assert.ok(linearizable > 100, `only ${linearizable} linearizable cases were generated`);
});

// The same with appends (values compose: "a" then "b" makes "ab"), and results that other
// tools do not record in full: a failed cas without the value it saw, a delete without
// whether the key existed.
const composed = fc.constantFrom<string | null>("a", "b", "ab", "ba", "aa", null);
const kvOperation: fc.Arbitrary<KvOperation> = fc.oneof(
  fc.record({ type: fc.constant("get" as const), key }),
  fc.record({ type: fc.constant("put" as const), key, value }),
  fc.record({ type: fc.constant("append" as const), key, value: fc.constantFrom("a", "b") }),
  fc.record({ type: fc.constant("delete" as const), key }),
  fc.record({ type: fc.constant("cas" as const), key, expected: composed, value }),
);

function kvResultFor(
  op: KvOperation,
  seen: string | null,
  flag: boolean,
  blind: boolean,
): KvResult {
  switch (op.type) {
    case "get":
      return { type: "get", value: seen };
    case "put":
      return { type: "put" };
    case "append":
      return { type: "append" };
    case "delete":
      return blind ? { type: "delete" } : { type: "delete", existed: flag };
    case "cas":
      if (flag) return { type: "cas", ok: true, value: op.value };
      return blind ? { type: "cas", ok: false } : { type: "cas", ok: false, value: seen };
  }
}

test("agrees with brute force with appends and results recorded in part", () => {
  let linearizable = 0;
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          op: kvOperation,
          seen: composed,
          flag: fc.boolean(),
          blind: fc.boolean(),
          inv: fc.integer({ min: 0, max: 20 }),
          len: fc.integer({ min: 0, max: 8 }),
          unknown: fc.integer({ min: 0, max: 7 }),
        }),
        { minLength: 1, maxLength: 7 },
      ),
      (specs) => {
        const h: HistoryOp[] = specs.map((s, k) => {
          const unknown = s.unknown === 0;
          return {
            clientId: `c${k}`,
            op: s.op,
            result: unknown ? null : kvResultFor(s.op, s.seen, s.flag, s.blind),
            invokedAt: s.inv,
            returnedAt: unknown ? null : s.inv + s.len,
          };
        });
        const expected = bruteForce(h);
        const r = checkLinearizability(h);
        if (expected) linearizable++;
        assert.is(r.verdict, expected ? "linearizable" : "not linearizable", JSON.stringify(h));
        if (r.verdict === "not linearizable") {
          assert.is(bruteForce(r.slice), false, "the slice fails by itself");
        }
      },
    ),
    { numRuns: 3000, seed: 11 },
  );
  assert.ok(linearizable > 100, `only ${linearizable} linearizable cases were generated`);
});

/** A sequential execution with random overlaps: each op's instant lies inside its interval. */
const sequential = fc.array(
  fc.record({
    op: operation,
    before: fc.integer({ min: 0, max: 30 }),
    after: fc.integer({ min: 0, max: 30 }),
    gap: fc.integer({ min: 0, max: 3 }),
    fate: fc.constantFrom("returned", "returned", "returned", "returned", "lost", "timedOut"),
  }),
  { minLength: 1, maxLength: 60 },
);

test("histories of sequential executions with random overlaps are linearizable", () => {
  fc.assert(
    fc.property(sequential, (specs) => {
      const kv = new KeyValueStore();
      let t = 0;
      const h: HistoryOp[] = specs.map((s, k) => {
        t += s.gap;
        // "lost": timed out and never took effect; "timedOut": timed out after taking effect
        const result = s.fate === "lost" ? null : kv.apply(s.op);
        const unknown = s.fate !== "returned";
        return {
          clientId: `c${k % 5}`,
          op: s.op,
          result: unknown ? null : result,
          invokedAt: t - s.before,
          returnedAt: unknown ? null : t + s.after,
        };
      });
      const r = checkLinearizability(h);
      assert.is(r.verdict, "linearizable", JSON.stringify(h));
    }),
    { numRuns: 1000, seed: 11 },
  );
});

test("larger generated histories (many clients, unknown outcomes) are linearizable; a planted stale read is caught", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.integer({ min: 3, max: 20 }),
      fc.integer({ min: 2, max: 12 }),
      (seed, keys, clients) => {
        const h = generateHistory({
          operations: 1000,
          keys,
          clients,
          outstanding: 2,
          unknownRate: 0.005,
          seed,
        });
        const r = checkLinearizability(h, { timeBudgetMs: 20_000 });
        assert.is(r.verdict, "linearizable", `seed ${seed}`);
        // after everything returned, a read of the first put's value although a later put
        // (values are unique) completed on that key
        const first = h.find((o) => o.op.type === "put" && o.returnedAt !== null);
        if (first?.op.type !== "put") return;
        const overwritten = h.some(
          (o) =>
            o.op.key === first.op.key &&
            o.op.type === "put" &&
            o.returnedAt !== null &&
            o.invokedAt > first.returnedAt!,
        );
        if (!overwritten) return;
        const end = Math.max(...h.map((o) => o.returnedAt ?? o.invokedAt)) + 1;
        const bad: HistoryOp[] = [
          ...h,
          {
            clientId: "z",
            op: { type: "get", key: first.op.key },
            result: { type: "get", value: first.op.value },
            invokedAt: end,
            returnedAt: end + 1,
          },
        ];
        const r2 = checkLinearizability(bad, { timeBudgetMs: 20_000 });
        assert.is(r2.verdict, "not linearizable", `seed ${seed}`);
        if (r2.verdict === "not linearizable") {
          assert.is(r2.key, first.op.key);
          assert.is(checkLinearizability(r2.slice).verdict, "not linearizable");
          assert.ok(r2.slice.some((o) => o.clientId === "z"));
        }
      },
    ),
    { numRuns: 30, seed: 3 },
  );
});

test.run();

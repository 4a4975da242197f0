// Property tests: every system agrees, on every subset of its acceptors, with a naive
// restatement of its definition, and checkIntersection agrees with brute force over all
// pairs of disjoint subsets. Small n (1..7, grids up to 3x3) keeps enumeration exhaustive.

import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  checkIntersection,
  explicit,
  flexible,
  grid,
  majority,
  type NodeId,
  type QuorumSystem,
} from "../src/index.js";
import { assertMinimalQuorum, ids, pick } from "./helpers.js";

type Naive = (s: ReadonlySet<NodeId>) => boolean;

interface Case {
  qs: QuorumSystem;
  phase1: Naive;
  phase2: Naive;
}

/** Brute force: is some phase-1 quorum disjoint from some phase-2 quorum? */
function naiveSafe(acceptors: readonly NodeId[], phase1: Naive, phase2: Naive): boolean {
  const all = 2 ** acceptors.length - 1;
  for (let m1 = 0; m1 <= all; m1++) {
    if (!phase1(new Set(pick(acceptors, m1)))) continue;
    const rest = all & ~m1;
    // Every subset m2 of the complement of m1.
    for (let m2 = rest; ; m2 = (m2 - 1) & rest) {
      if (phase2(new Set(pick(acceptors, m2)))) return false;
      if (m2 === 0) break;
    }
  }
  return true;
}

/** Checks a generated case exhaustively. */
function checkCase({ qs, phase1, phase2 }: Case): void {
  const a = qs.acceptors;
  for (let mask = 0; mask < 2 ** a.length; mask++) {
    const s = pick(a, mask);
    const set = new Set(s);
    assert.is(qs.isPhase1Quorum(s), phase1(set), `phase1 ${JSON.stringify(s)} in ${qs.describe()}`);
    assert.is(qs.isPhase2Quorum(s), phase2(set), `phase2 ${JSON.stringify(s)} in ${qs.describe()}`);
    // The same ackers as a Set, with duplicates, and with strangers mixed in.
    assert.is(qs.isPhase1Quorum(set), phase1(set));
    assert.is(qs.isPhase2Quorum([...s, ...s, "stranger"]), phase2(set));
    assert.is(qs.isPhase1Quorum(new Set(["stranger", ...s])), phase1(set));
  }
  const safe = naiveSafe(a, phase1, phase2);
  const result = checkIntersection(qs);
  assert.is(result.safe, safe, `checkIntersection of ${qs.describe()}`);
  if (!result.safe) {
    assert.ok(phase1(new Set(result.phase1)), "witness phase1 is a phase-1 quorum");
    assert.ok(phase2(new Set(result.phase2)), "witness phase2 is a phase-2 quorum");
    assert.ok(
      result.phase1.every((id) => !result.phase2.includes(id)),
      "witness is disjoint",
    );
    assert.ok([...result.phase1, ...result.phase2].every((id) => a.includes(id)));
  }
  assertMinimalQuorum((s) => phase1(new Set(s)), qs.phase1Targets());
  assertMinimalQuorum((s) => phase2(new Set(s)), qs.phase2Targets());
}

const count = (a: readonly NodeId[], s: ReadonlySet<NodeId>) => a.filter((id) => s.has(id)).length;

/** Acceptors with shuffled, irregular names, so nothing depends on "a0, a1, ..." order. */
const acceptorsArb = (min: number, max: number) =>
  fc
    .integer({ min, max })
    .chain((n) => fc.shuffledSubarray(ids(10, "n"), { minLength: n, maxLength: n }));

test("majority agrees with |S| > n/2", () => {
  fc.assert(
    fc.property(acceptorsArb(1, 7), (a) => {
      const naive: Naive = (s) => count(a, s) * 2 > a.length;
      checkCase({ qs: majority(a), phase1: naive, phase2: naive });
    }),
  );
});

test("flexible agrees with |S| >= size, and checkIntersection with brute force", () => {
  const arb = acceptorsArb(1, 7).chain((a) =>
    fc.tuple(
      fc.constant(a),
      fc.integer({ min: 1, max: a.length }),
      fc.integer({ min: 1, max: a.length }),
    ),
  );
  fc.assert(
    fc.property(arb, ([a, p1, p2]) => {
      const qs = flexible(a, { phase1: p1, phase2: p2, allowUnsafe: true });
      checkCase({ qs, phase1: (s) => count(a, s) >= p1, phase2: (s) => count(a, s) >= p2 });
      assert.is(checkIntersection(qs).safe, p1 + p2 > a.length);
    }),
  );
});

test("grid agrees with 'a full row' / 'one of every row' (and the transpose)", () => {
  const arb = fc
    .record({
      rows: fc.integer({ min: 1, max: 3 }),
      columns: fc.integer({ min: 1, max: 3 }),
      orientation: fc.constantFrom("row" as const, "column" as const),
    })
    .chain((g) =>
      fc.tuple(
        fc.constant(g),
        fc.shuffledSubarray(ids(10, "n"), {
          minLength: g.rows * g.columns,
          maxLength: g.rows * g.columns,
        }),
      ),
    );
  fc.assert(
    fc.property(arb, ([{ rows, columns, orientation }, a]) => {
      const layout = Array.from({ length: rows }, (_, r) =>
        a.slice(r * columns, (r + 1) * columns),
      );
      const cols = Array.from({ length: columns }, (_, c) => layout.map((row) => row[c]!));
      const lines = orientation === "row" ? layout : cols;
      checkCase({
        qs: grid(layout, { phase1: orientation }),
        phase1: (s) => lines.some((line) => line.every((id) => s.has(id))),
        phase2: (s) => lines.every((line) => line.some((id) => s.has(id))),
      });
    }),
  );
});

test("explicit agrees with 'contains a listed set', and checkIntersection with brute force", () => {
  const arb = acceptorsArb(1, 7).chain((a) => {
    const set = fc.integer({ min: 1, max: 2 ** a.length - 1 }).map((mask) => pick(a, mask));
    const sets = fc.array(set, { minLength: 1, maxLength: 4 });
    return fc.tuple(fc.constant(a), sets, sets);
  });
  fc.assert(
    fc.property(arb, ([a, p1, p2]) => {
      const qs = explicit({ phase1: p1, phase2: p2, allowUnsafe: true }, a);
      const naive =
        (sets: NodeId[][]): Naive =>
        (s) =>
          sets.some((q) => q.every((id) => s.has(id)));
      checkCase({ qs, phase1: naive(p1), phase2: naive(p2) });
    }),
    { numRuns: 200 },
  );
});

test("constructors refuse exactly the unsafe systems", () => {
  const arb = acceptorsArb(1, 6).chain((a) => {
    const set = fc.integer({ min: 1, max: 2 ** a.length - 1 }).map((mask) => pick(a, mask));
    return fc.tuple(
      fc.constant(a),
      fc.array(set, { minLength: 1, maxLength: 3 }),
      fc.array(set, { minLength: 1, maxLength: 3 }),
    );
  });
  fc.assert(
    fc.property(arb, ([a, p1, p2]) => {
      const unsafe = !checkIntersection(explicit({ phase1: p1, phase2: p2, allowUnsafe: true }, a))
        .safe;
      let threw = false;
      try {
        explicit({ phase1: p1, phase2: p2 }, a);
      } catch {
        threw = true;
      }
      assert.is(threw, unsafe);
    }),
  );
});

test.run();

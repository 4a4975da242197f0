import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkIntersection, grid, QuorumConfigError } from "../src/index.js";
import { assertMinimalQuorum, assertThrows } from "./helpers.js";

// 3x3:   a b c
//        d e f
//        g h i
const ROWS = [
  ["a", "b", "c"],
  ["d", "e", "f"],
  ["g", "h", "i"],
];

test("grid, phase1 row (default): a full row is a phase-1 quorum", () => {
  const qs = grid(ROWS);
  assert.is(qs.kind, "grid");
  assert.is(qs.orientation, "row");
  assert.ok(qs.isPhase1Quorum(["d", "e", "f"]));
  assert.ok(qs.isPhase1Quorum(["a", "g", "h", "i"]));
  assert.not.ok(qs.isPhase1Quorum(["a", "b", "d", "e", "g", "h"]), "two of every row is no row");
  assert.not.ok(qs.isPhase1Quorum(["a", "d", "g"]), "a full column is not a full row");
});

test("grid, phase1 row: one member of every row is a phase-2 quorum", () => {
  const qs = grid(ROWS, { phase1: "row" });
  assert.ok(qs.isPhase2Quorum(["a", "e", "i"]));
  assert.ok(qs.isPhase2Quorum(["c", "d", "h"]));
  assert.not.ok(qs.isPhase2Quorum(["a", "b", "c", "d", "e", "f"]), "row 2 missing");
});

test("grid, phase1 column: the transpose", () => {
  const qs = grid(ROWS, { phase1: "column" });
  assert.ok(qs.isPhase1Quorum(["b", "e", "h"]));
  assert.not.ok(qs.isPhase1Quorum(["a", "b", "c"]));
  assert.ok(qs.isPhase2Quorum(["a", "b", "c"]));
  assert.ok(qs.isPhase2Quorum(["g", "e", "c"]));
  assert.not.ok(qs.isPhase2Quorum(["a", "d", "g", "b", "e", "h"]), "column 2 missing");
  assert.is(qs.describe(), "grid(n=9, rows=3, columns=3, phase1=column)");
});

test("grid: unknown ids are ignored and duplicates count once", () => {
  const qs = grid(ROWS);
  assert.not.ok(qs.isPhase1Quorum(["d", "e", "e"]));
  assert.not.ok(qs.isPhase1Quorum(["d", "e", "zz"]));
  assert.not.ok(qs.isPhase2Quorum(["a", "e", "zz"]));
  assert.ok(qs.isPhase2Quorum(new Set(["zz", "a", "e", "i"])));
});

test("grid: targets are row 0 / column 0 and minimal quorums, in both orientations", () => {
  const byRow = grid(ROWS);
  assert.equal(byRow.phase1Targets(), ["a", "b", "c"]);
  assert.equal(byRow.phase2Targets(), ["a", "d", "g"]);
  const byColumn = grid(ROWS, { phase1: "column" });
  assert.equal(byColumn.phase1Targets(), ["a", "d", "g"]);
  assert.equal(byColumn.phase2Targets(), ["a", "b", "c"]);
  for (const qs of [byRow, byColumn]) {
    assertMinimalQuorum((s) => qs.isPhase1Quorum(s), qs.phase1Targets());
    assertMinimalQuorum((s) => qs.isPhase2Quorum(s), qs.phase2Targets());
  }
});

test("grid: non-square grids (2x3) and degenerate ones (1xN, Nx1)", () => {
  const wide = grid([
    ["a", "b", "c"],
    ["d", "e", "f"],
  ]);
  assert.ok(wide.isPhase2Quorum(["c", "d"]));
  assert.is(wide.describe(), "grid(n=6, rows=2, columns=3, phase1=row)");
  const oneRow = grid([["a", "b", "c"]]);
  assert.ok(oneRow.isPhase2Quorum(["b"]));
  assert.not.ok(oneRow.isPhase1Quorum(["a", "b"]));
  const oneColumn = grid([["a"], ["b"], ["c"]]);
  assert.ok(oneColumn.isPhase1Quorum(["b"]));
  assert.not.ok(oneColumn.isPhase2Quorum(["a", "b"]));
  for (const qs of [wide, oneRow, oneColumn]) {
    assertMinimalQuorum((s) => qs.isPhase1Quorum(s), qs.phase1Targets());
    assertMinimalQuorum((s) => qs.isPhase2Quorum(s), qs.phase2Targets());
  }
});

test("grid: acceptors are the rows flattened row-major; always safe", () => {
  const qs = grid(ROWS, { allowUnsafe: true });
  assert.equal(qs.acceptors, ["a", "b", "c", "d", "e", "f", "g", "h", "i"]);
  assert.equal(checkIntersection(qs), { safe: true });
  assert.is(qs.describe(), "grid(n=9, rows=3, columns=3, phase1=row)");
});

test("grid: configuration errors", () => {
  assertThrows(() => grid([]), QuorumConfigError, "grid: needs at least one row, got []");
  assertThrows(() => grid([["a"], []]), QuorumConfigError, "grid row 1 is empty");
  assertThrows(
    () =>
      grid([
        ["a", "b", "c"],
        ["d", "e", "f"],
        ["g", "h"],
      ]),
    QuorumConfigError,
    "grid row 2 has 2 members, row 0 has 3",
  );
  assertThrows(
    () =>
      grid([
        ["a", "b"],
        ["c", "a"],
      ]),
    QuorumConfigError,
    'grid: duplicate acceptor "a"',
  );
  assertThrows(
    () => grid(ROWS, { phase1: "diagonal" as "row" }),
    QuorumConfigError,
    'grid: phase1 = "diagonal" must be "row" or "column"',
  );
  assertThrows(
    () => grid([["a"], "b" as unknown as string[]]),
    QuorumConfigError,
    'grid row 1 is "b", not an array',
  );
});

test.run();

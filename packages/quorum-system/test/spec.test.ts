import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  checkIntersection,
  ExplicitQuorumSystem,
  FlexibleQuorumSystem,
  fromSpec,
  GridQuorumSystem,
  MajorityQuorumSystem,
  QuorumConfigError,
  type QuorumSpec,
  UnsafeQuorumError,
} from "../src/index.js";
import { assertThrows, ids } from "./helpers.js";

/** Specs arrive as parsed JSON; this is how config loaders will call fromSpec. */
const json = (text: string) => JSON.parse(text) as QuorumSpec;

test("fromSpec: majority", () => {
  const qs = fromSpec(json('{ "kind": "majority" }'), ids(5));
  assert.instance(qs, MajorityQuorumSystem);
  assert.is(qs.describe(), "majority(n=5, quorum=3)");
});

test("fromSpec: flexible", () => {
  const qs = fromSpec(json('{ "kind": "flexible", "phase1": 4, "phase2": 2 }'), ids(5));
  assert.instance(qs, FlexibleQuorumSystem);
  assert.is(qs.describe(), "flexible(n=5, phase1=4, phase2=2)");
});

test("fromSpec: grid lays the acceptors out row-major", () => {
  const qs = fromSpec(json('{ "kind": "grid", "rows": 2, "columns": 3 }'), ids(6));
  assert.instance(qs, GridQuorumSystem);
  assert.equal((qs as GridQuorumSystem).rows, [
    ["a0", "a1", "a2"],
    ["a3", "a4", "a5"],
  ]);
  assert.ok(qs.isPhase1Quorum(["a3", "a4", "a5"]));
  assert.is(qs.describe(), "grid(n=6, rows=2, columns=3, phase1=row)");
  const byColumn = fromSpec(
    json('{ "kind": "grid", "rows": 2, "columns": 3, "phase1": "column" }'),
    ids(6),
  );
  assert.ok(byColumn.isPhase1Quorum(["a1", "a4"]));
});

test("fromSpec: explicit, checked against the given acceptors", () => {
  const qs = fromSpec(
    json('{ "kind": "explicit", "phase1": [["a0","a1"]], "phase2": [["a1"],["a0","a2"]] }'),
    ids(4),
  );
  assert.instance(qs, ExplicitQuorumSystem);
  assert.equal(qs.acceptors, ids(4));
  assert.ok(qs.isPhase2Quorum(["a1"]));
  assertThrows(
    () => fromSpec(json('{ "kind": "explicit", "phase1": [["a0"]], "phase2": [["q"]] }'), ids(4)),
    QuorumConfigError,
    'explicit: phase2 set 0 names unknown acceptor "q"',
  );
});

test("fromSpec: unsafe specs are refused unless they say allowUnsafe", () => {
  assertThrows(
    () => fromSpec(json('{ "kind": "flexible", "phase1": 2, "phase2": 2 }'), ids(4)),
    UnsafeQuorumError,
    "flexible(n=4, phase1=2, phase2=2) is unsafe: phase-1 quorum {a0, a1} and phase-2 quorum " +
      "{a2, a3} do not intersect (pass allowUnsafe: true to build it anyway)",
  );
  const qs = fromSpec(
    json('{ "kind": "flexible", "phase1": 2, "phase2": 2, "allowUnsafe": true }'),
    ids(4),
  );
  assert.is(checkIntersection(qs).safe, false);
  const ex = fromSpec(
    json('{ "kind": "explicit", "phase1": [["a"]], "phase2": [["b"]], "allowUnsafe": true }'),
    ["a", "b"],
  );
  assert.is(checkIntersection(ex).safe, false);
  // Accepted (and meaningless) on kinds that are always safe.
  fromSpec(json('{ "kind": "majority", "allowUnsafe": true }'), ids(3));
  fromSpec(json('{ "kind": "grid", "rows": 1, "columns": 3, "allowUnsafe": true }'), ids(3));
});

test("fromSpec: configuration errors name the bad value", () => {
  const cases: [string, string[], string][] = [
    [
      '{ "kind": "paxos" }',
      ids(3),
      'unknown quorum spec kind "paxos" (expected "majority", "flexible", "grid" or "explicit")',
    ],
    [
      "{}",
      ids(3),
      'unknown quorum spec kind undefined (expected "majority", "flexible", "grid" or "explicit")',
    ],
    ['"majority"', ids(3), 'quorum spec must be an object with a "kind", got "majority"'],
    ["null", ids(3), 'quorum spec must be an object with a "kind", got null'],
    ['{ "kind": "majority" }', [], "majority: acceptor list is empty"],
    ['{ "kind": "majority" }', ["x", "x"], 'majority: duplicate acceptor "x"'],
    [
      '{ "kind": "flexible", "phase1": 4, "phase_2": 2 }',
      ids(5),
      'flexible spec: unknown field "phase_2" (allowed: kind, phase1, phase2, allowUnsafe)',
    ],
    [
      '{ "kind": "flexible", "phase1": 4 }',
      ids(5),
      "flexible: phase2 = undefined is not an integer in 1..5",
    ],
    [
      '{ "kind": "flexible", "phase1": 4, "phase2": 7 }',
      ids(5),
      "flexible: phase2 = 7 is out of range 1..5",
    ],
    [
      '{ "kind": "grid", "rows": 3, "columns": 3 }',
      ids(8),
      "grid spec: rows * columns = 3 * 3 = 9, but 8 acceptors were given",
    ],
    [
      '{ "kind": "grid", "rows": 0, "columns": 3 }',
      ids(3),
      "grid spec: rows = 0 is not a positive integer",
    ],
    [
      '{ "kind": "grid", "rows": 1, "columns": "3" }',
      ids(3),
      'grid spec: columns = "3" is not a positive integer',
    ],
    [
      '{ "kind": "grid", "rows": 1, "columns": 3, "phase1": "diagonal" }',
      ids(3),
      'grid: phase1 = "diagonal" must be "row" or "column"',
    ],
    [
      '{ "kind": "explicit", "phase1": [], "phase2": [["a0"]] }',
      ids(3),
      "explicit: phase1 lists no sets",
    ],
    [
      '{ "kind": "majority", "allowUnsafe": "yes" }',
      ids(3),
      'majority spec: allowUnsafe = "yes" is not a boolean',
    ],
  ];
  for (const [text, acceptors, message] of cases) {
    assertThrows(() => fromSpec(json(text), acceptors), QuorumConfigError, message);
  }
});

test.run();

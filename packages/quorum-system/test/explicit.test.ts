import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkIntersection, explicit, QuorumConfigError, UnsafeQuorumError } from "../src/index.js";
import { assertMinimalQuorum, assertThrows } from "./helpers.js";

// Two "datacenters" {a,b} and {c,d}: phase 1 needs one full datacenter plus one member of the
// other; phase 2 needs one member of each.
const DC = {
  phase1: [
    ["a", "b", "c"],
    ["a", "b", "d"],
    ["c", "d", "a"],
    ["c", "d", "b"],
  ],
  phase2: [
    ["a", "c"],
    ["a", "d"],
    ["b", "c"],
    ["b", "d"],
  ],
};

test("explicit: a quorum is any superset of a listed set", () => {
  const qs = explicit(DC);
  assert.is(qs.kind, "explicit");
  assert.ok(qs.isPhase1Quorum(["a", "b", "c"]));
  assert.ok(qs.isPhase1Quorum(["d", "c", "b", "a"]));
  assert.not.ok(qs.isPhase1Quorum(["a", "c"]));
  assert.ok(qs.isPhase2Quorum(["b", "c"]));
  assert.ok(qs.isPhase2Quorum(["a", "b", "c"]));
  assert.not.ok(qs.isPhase2Quorum(["a", "b"]));
  assert.not.ok(qs.isPhase2Quorum([]));
});

test("explicit: unknown ids are ignored and duplicates are harmless", () => {
  const qs = explicit(DC);
  assert.not.ok(qs.isPhase2Quorum(["a", "a", "zz"]));
  assert.ok(qs.isPhase2Quorum(["zz", "a", "a", "d"]));
  assert.ok(qs.isPhase2Quorum(new Set(["zz", "b", "d"])));
});

test("explicit: acceptors default to the union of all sets, in order of first appearance", () => {
  assert.equal(explicit(DC).acceptors, ["a", "b", "c", "d"]);
  const withSpare = explicit(DC, ["d", "c", "b", "a", "spare"]);
  assert.equal(withSpare.acceptors, ["d", "c", "b", "a", "spare"]);
  assert.not.ok(withSpare.isPhase2Quorum(["spare"]));
});

test("explicit: targets are the first smallest listed set, ordered like the acceptors", () => {
  const qs = explicit(
    {
      phase1: [
        ["c", "b", "a"],
        ["b", "a"],
        ["c", "a"],
      ],
      phase2: [["a", "c", "b"]],
    },
    ["a", "b", "c"],
  );
  assert.equal(qs.phase1Targets(), ["a", "b"]);
  assert.equal(qs.phase2Targets(), ["a", "b", "c"]);
  assertMinimalQuorum((s) => qs.isPhase1Quorum(s), qs.phase1Targets());
  assertMinimalQuorum((s) => qs.isPhase2Quorum(s), qs.phase2Targets());
});

test("explicit: targets stay minimal when a listed set is a superset of another", () => {
  const qs = explicit({ phase1: [["a", "b", "c"], ["b"]], phase2: [["b", "c"], ["b"]] });
  assert.equal(qs.phase1Targets(), ["b"]);
  assert.equal(qs.phase2Targets(), ["b"]);
  assertMinimalQuorum((s) => qs.isPhase1Quorum(s), qs.phase1Targets());
  assertMinimalQuorum((s) => qs.isPhase2Quorum(s), qs.phase2Targets());
});

test("explicit: safe when every phase-1 set meets every phase-2 set", () => {
  assert.equal(checkIntersection(explicit(DC)), { safe: true });
  assert.is(
    explicit({ phase1: [["a", "b"]], phase2: [["b"], ["a", "c"]] }).describe(),
    "explicit(n=3, phase1=[{a, b}], phase2=[{b}, {a, c}])",
  );
});

test("explicit: a disjoint pair of listed sets is refused, naming both", () => {
  const err = assertThrows(
    () => explicit({ phase1: [["a", "b"]], phase2: [["b"], ["c"]] }),
    UnsafeQuorumError,
    "explicit(n=3, phase1=[{a, b}], phase2=[{b}, {c}]) is unsafe: phase-1 quorum {a, b} and " +
      "phase-2 quorum {c} do not intersect (pass allowUnsafe: true to build it anyway)",
  );
  assert.equal(err.witness, { phase1: ["a", "b"], phase2: ["c"] });
});

test("explicit: allowUnsafe builds it; it works and reports safe:false", () => {
  const qs = explicit({ phase1: [["a", "b"]], phase2: [["b"], ["c"]], allowUnsafe: true });
  assert.ok(qs.isPhase2Quorum(["c"]));
  assert.equal(checkIntersection(qs), { safe: false, phase1: ["a", "b"], phase2: ["c"] });
  assert.is(qs.describe(), "explicit(n=3, phase1=[{a, b}], phase2=[{b}, {c}], unsafe)");
});

test("explicit: describe summarises large systems instead of listing them", () => {
  const many = Array.from({ length: 12 }, (_, i) => [
    `n${i}`,
    `n${(i + 1) % 12}`,
    `n${(i + 2) % 12}`,
  ]);
  const qs = explicit({
    phase1: [many.flat().filter((x, i, all) => all.indexOf(x) === i)],
    phase2: many,
  });
  assert.is(qs.describe(), "explicit(n=12, 1 phase-1 sets, 12 phase-2 sets)");
});

test("explicit: configuration errors", () => {
  assertThrows(
    () => explicit({ phase1: [["a"]], phase2: [["a", "z"]] }, ["a", "b"]),
    QuorumConfigError,
    'explicit: phase2 set 0 names unknown acceptor "z"',
  );
  assertThrows(
    () => explicit({ phase1: [["a"], []], phase2: [["a"]] }),
    QuorumConfigError,
    "explicit: phase1 set 1 is empty",
  );
  assertThrows(
    () => explicit({ phase1: [], phase2: [["a"]] }),
    QuorumConfigError,
    "explicit: phase1 lists no sets",
  );
  assertThrows(
    () => explicit({ phase1: [["a", "b", "a"]], phase2: [["a"]] }),
    QuorumConfigError,
    'explicit: phase1 set 0 lists "a" twice',
  );
  assertThrows(
    () => explicit({ phase1: [["a"]], phase2: [["a"]] }, []),
    QuorumConfigError,
    "explicit: acceptor list is empty",
  );
  assertThrows(
    () => explicit({ phase1: [["a"]], phase2: [["a"]] }, ["a", "b", "a"]),
    QuorumConfigError,
    'explicit: duplicate acceptor "a"',
  );
  assertThrows(
    () => explicit({ phase1: [["a", 1 as unknown as string]], phase2: [["a"]] }),
    QuorumConfigError,
    "explicit: phase1 set 0 contains 1, not a string id",
  );
  assertThrows(
    () => explicit({ phase1: "a" as unknown as string[][], phase2: [["a"]] }),
    QuorumConfigError,
    'explicit: phase1 must be a list of sets, got "a"',
  );
});

test.run();

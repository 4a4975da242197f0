import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  checkIntersection,
  checkIntersectionByEnumeration,
  explicit,
  flexible,
  grid,
  majority,
  type NodeId,
  QuorumConfigError,
  type QuorumSystem,
  UnsafeQuorumError,
} from "../src/index.js";
import { assertThrows, ids } from "./helpers.js";

/** A hand-written system the library knows nothing about: weighted voting. */
function weighted(weights: Record<NodeId, number>, phase1: number, phase2: number): QuorumSystem {
  const acceptors = Object.keys(weights);
  const weight = (ackers: Iterable<NodeId>) =>
    [...new Set(ackers)].reduce((sum, id) => sum + (weights[id] ?? 0), 0);
  return {
    kind: "explicit",
    acceptors,
    isPhase1Quorum: (ackers) => weight(ackers) >= phase1,
    isPhase2Quorum: (ackers) => weight(ackers) >= phase2,
    phase1Targets: () => acceptors,
    phase2Targets: () => acceptors,
    describe: () => `weighted(${phase1}/${phase2})`,
  };
}

/** Hides a built-in system behind a plain object so checkIntersection must enumerate. */
function opaque(qs: QuorumSystem): QuorumSystem {
  return {
    kind: qs.kind,
    acceptors: qs.acceptors,
    isPhase1Quorum: (a) => qs.isPhase1Quorum(a),
    isPhase2Quorum: (a) => qs.isPhase2Quorum(a),
    phase1Targets: () => qs.phase1Targets(),
    phase2Targets: () => qs.phase2Targets(),
    describe: () => qs.describe(),
  };
}

test("built-in systems: closed-form answers", () => {
  assert.equal(checkIntersection(majority(ids(4))), { safe: true });
  assert.equal(checkIntersection(flexible(ids(7), { phase1: 6, phase2: 2 })), { safe: true });
  assert.equal(checkIntersection(grid([ids(3, "r"), ids(3, "s")])), { safe: true });
  assert.equal(checkIntersection(flexible(ids(7), { phase1: 5, phase2: 2, allowUnsafe: true })), {
    safe: false,
    phase1: ["a0", "a1", "a2", "a3", "a4"],
    phase2: ["a5", "a6"],
  });
});

test("the witness returned is a copy: mutating it does not change the system", () => {
  const qs = flexible(ids(4), { phase1: 2, phase2: 2, allowUnsafe: true });
  const first = checkIntersection(qs);
  if (first.safe) throw new Error("expected unsafe");
  first.phase1.push("zz");
  assert.equal(checkIntersection(qs), { safe: false, phase1: ["a0", "a1"], phase2: ["a2", "a3"] });
});

test("fallback: a custom weighted system is checked by enumeration", () => {
  // Total weight 6. 4 + 3 > 6 is safe; 3 + 3 is not: {big, c} (3) vs {a, b, ...}.
  const weights = { big: 3, a: 1, b: 1, c: 1 };
  assert.equal(checkIntersection(weighted(weights, 4, 3)), { safe: true });
  const unsafe = checkIntersection(weighted(weights, 3, 3));
  assert.equal(unsafe, { safe: false, phase1: ["big"], phase2: ["a", "b", "c"] });
});

test("fallback: witnesses are minimal and really disjoint quorums", () => {
  const qs = weighted({ a: 2, b: 1, c: 1, d: 1, e: 1 }, 3, 2);
  const r = checkIntersection(qs);
  if (r.safe) throw new Error("expected unsafe");
  assert.ok(qs.isPhase1Quorum(r.phase1));
  assert.ok(qs.isPhase2Quorum(r.phase2));
  assert.ok(r.phase1.every((id) => !r.phase2.includes(id)));
  for (const id of r.phase1) assert.not.ok(qs.isPhase1Quorum(r.phase1.filter((x) => x !== id)));
  for (const id of r.phase2) assert.not.ok(qs.isPhase2Quorum(r.phase2.filter((x) => x !== id)));
});

test("fallback agrees with the closed forms on disguised built-in systems", () => {
  const systems: QuorumSystem[] = [
    majority(ids(5)),
    flexible(ids(5), { phase1: 4, phase2: 2 }),
    flexible(ids(5), { phase1: 3, phase2: 2, allowUnsafe: true }),
    grid([ids(3, "r"), ids(3, "s")], { phase1: "column" }),
    explicit({ phase1: [["a", "b"]], phase2: [["b"], ["c"]], allowUnsafe: true }),
  ];
  for (const qs of systems) {
    assert.is(checkIntersection(opaque(qs)).safe, checkIntersection(qs).safe, qs.describe());
  }
});

test("fallback: handles 20 acceptors, refuses 21", () => {
  assert.equal(checkIntersection(opaque(majority(ids(20)))), { safe: true });
  assertThrows(
    () => checkIntersection(opaque(majority(ids(21)))),
    QuorumConfigError,
    "checkIntersection: cannot check majority(n=21, quorum=11): it has 21 acceptors and is not " +
      "a built-in system, and enumeration handles at most 20",
  );
  // Built-in systems of any size are fine.
  assert.equal(checkIntersection(flexible(ids(1000), { phase1: 900, phase2: 101 })), {
    safe: true,
  });
});

test("checkIntersectionByEnumeration can be called directly on built-in systems too", () => {
  assert.equal(
    checkIntersectionByEnumeration(
      grid([
        ["a", "b"],
        ["c", "d"],
      ]),
    ),
    { safe: true },
  );
  assert.equal(
    checkIntersectionByEnumeration(flexible(ids(4), { phase1: 2, phase2: 2, allowUnsafe: true })),
    { safe: false, phase1: ["a0", "a1"], phase2: ["a2", "a3"] },
  );
});

test("UnsafeQuorumError is an Error with name, system and witness", () => {
  try {
    flexible(ids(2), { phase1: 1, phase2: 1 });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, Error);
    assert.instance(err, UnsafeQuorumError);
    const e = err as UnsafeQuorumError;
    assert.is(e.name, "UnsafeQuorumError");
    assert.is(e.system, "flexible(n=2, phase1=1, phase2=1)");
    assert.equal(e.witness, { phase1: ["a0"], phase2: ["a1"] });
  }
});

test.run();

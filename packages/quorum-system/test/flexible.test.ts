import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkIntersection, flexible, QuorumConfigError, UnsafeQuorumError } from "../src/index.js";
import { assertMinimalQuorum, assertThrows, ids } from "./helpers.js";

test("flexible(5, phase1=4, phase2=2): 4 acceptors for phase 1, any 2 for phase 2", () => {
  const qs = flexible(ids(5), { phase1: 4, phase2: 2 });
  assert.is(qs.kind, "flexible");
  assert.ok(qs.isPhase1Quorum(["a0", "a1", "a3", "a4"]));
  assert.not.ok(qs.isPhase1Quorum(["a0", "a1", "a3"]));
  assert.ok(qs.isPhase2Quorum(["a3", "a4"]));
  assert.not.ok(qs.isPhase2Quorum(["a3"]));
  assert.is(qs.describe(), "flexible(n=5, phase1=4, phase2=2)");
});

test("flexible: unknown ids are ignored and duplicates count once", () => {
  const qs = flexible(ids(5), { phase1: 4, phase2: 2 });
  assert.not.ok(qs.isPhase2Quorum(["a0", "a0"]));
  assert.not.ok(qs.isPhase2Quorum(["a0", "nobody"]));
  assert.not.ok(qs.isPhase2Quorum(new Set(["a0", "nobody"])));
  assert.ok(qs.isPhase2Quorum(new Set(["nobody", "a0", "a4"])));
});

test("flexible: targets are the first phase1 / phase2 acceptors and minimal quorums", () => {
  const qs = flexible(ids(5), { phase1: 4, phase2: 2 });
  assert.equal(qs.phase1Targets(), ["a0", "a1", "a2", "a3"]);
  assert.equal(qs.phase2Targets(), ["a0", "a1"]);
  assertMinimalQuorum((s) => qs.isPhase1Quorum(s), qs.phase1Targets());
  assertMinimalQuorum((s) => qs.isPhase2Quorum(s), qs.phase2Targets());
});

test("flexible: phase1 + phase2 = n + 1 is the smallest safe choice", () => {
  const qs = flexible(ids(6), { phase1: 5, phase2: 2 });
  assert.equal(checkIntersection(qs), { safe: true });
  const extremes = flexible(ids(6), { phase1: 6, phase2: 1 });
  assert.ok(extremes.isPhase2Quorum(["a5"]));
  assert.equal(checkIntersection(extremes), { safe: true });
});

test("flexible: phase1 + phase2 <= n is refused with a witness (first phase1, last phase2)", () => {
  const err = assertThrows(
    () => flexible(ids(5), { phase1: 3, phase2: 2 }),
    UnsafeQuorumError,
    "flexible(n=5, phase1=3, phase2=2) is unsafe: phase-1 quorum {a0, a1, a2} and phase-2 quorum " +
      "{a3, a4} do not intersect (pass allowUnsafe: true to build it anyway)",
  );
  assert.equal(err.witness, { phase1: ["a0", "a1", "a2"], phase2: ["a3", "a4"] });
  assert.is(err.system, "flexible(n=5, phase1=3, phase2=2)");
  assert.is(err.name, "UnsafeQuorumError");
});

test("flexible: allowUnsafe builds the system, which works and reports safe:false", () => {
  const qs = flexible(ids(5), { phase1: 2, phase2: 2, allowUnsafe: true });
  assert.ok(qs.isPhase1Quorum(["a0", "a1"]));
  assert.ok(qs.isPhase2Quorum(["a3", "a4"]));
  assert.equal(checkIntersection(qs), { safe: false, phase1: ["a0", "a1"], phase2: ["a3", "a4"] });
  assert.is(qs.describe(), "flexible(n=5, phase1=2, phase2=2, unsafe)");
});

test("flexible: allowUnsafe on a safe system changes nothing", () => {
  const qs = flexible(ids(3), { phase1: 2, phase2: 2, allowUnsafe: true });
  assert.equal(checkIntersection(qs), { safe: true });
  assert.is(qs.describe(), "flexible(n=3, phase1=2, phase2=2)");
});

test("flexible: sizes must be integers in 1..n", () => {
  const a = ids(5);
  assertThrows(
    () => flexible(a, { phase1: 4, phase2: 7 }),
    QuorumConfigError,
    "flexible: phase2 = 7 is out of range 1..5",
  );
  assertThrows(
    () => flexible(a, { phase1: 0, phase2: 5 }),
    QuorumConfigError,
    "flexible: phase1 = 0 is out of range 1..5",
  );
  assertThrows(
    () => flexible(a, { phase1: -1, phase2: 5 }),
    QuorumConfigError,
    "flexible: phase1 = -1 is out of range 1..5",
  );
  assertThrows(
    () => flexible(a, { phase1: 2.5, phase2: 5 }),
    QuorumConfigError,
    "flexible: phase1 = 2.5 is not an integer in 1..5",
  );
  assertThrows(
    () => flexible(a, { phase1: Number.NaN, phase2: 5 }),
    QuorumConfigError,
    "flexible: phase1 = NaN is not an integer in 1..5",
  );
  assertThrows(
    () => flexible(a, { phase1: "4" as unknown as number, phase2: 5 }),
    QuorumConfigError,
    'flexible: phase1 = "4" is not an integer in 1..5',
  );
  assertThrows(
    () => flexible(a, undefined as never),
    QuorumConfigError,
    "flexible: options { phase1, phase2 } are required, got undefined",
  );
});

test("flexible: rejects an empty, duplicated or non-string acceptor list", () => {
  assertThrows(
    () => flexible([], { phase1: 1, phase2: 1 }),
    QuorumConfigError,
    "flexible: acceptor list is empty",
  );
  assertThrows(
    () => flexible(["a1", "a2", "a1"], { phase1: 2, phase2: 2 }),
    QuorumConfigError,
    'flexible: duplicate acceptor "a1"',
  );
  assertThrows(
    () => flexible(["a1", 2 as unknown as string], { phase1: 2, phase2: 2 }),
    QuorumConfigError,
    "flexible: acceptor 1 is 2, not a string id",
  );
});

test.run();

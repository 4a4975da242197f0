import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkIntersection, describe, majority, QuorumConfigError } from "../src/index.js";
import { assertMinimalQuorum, assertThrows, ids } from "./helpers.js";

test("majority(5): any 3 acceptors are a quorum in both phases, 2 are not", () => {
  const qs = majority(ids(5));
  assert.is(qs.kind, "majority");
  assert.is(qs.quorumSize, 3);
  assert.ok(qs.isPhase1Quorum(["a0", "a2", "a4"]));
  assert.ok(qs.isPhase2Quorum(["a4", "a3", "a1"]));
  assert.ok(qs.isPhase1Quorum(ids(5)));
  assert.not.ok(qs.isPhase1Quorum(["a0", "a1"]));
  assert.not.ok(qs.isPhase2Quorum(["a0", "a1"]));
  assert.not.ok(qs.isPhase1Quorum([]));
});

test("majority: even n needs strictly more than half (n=4 needs 3)", () => {
  const qs = majority(ids(4));
  assert.is(qs.quorumSize, 3);
  assert.not.ok(qs.isPhase2Quorum(["a0", "a1"]));
  assert.ok(qs.isPhase2Quorum(["a0", "a1", "a3"]));
});

test("majority(1): the single acceptor is the quorum", () => {
  const qs = majority(["solo"]);
  assert.ok(qs.isPhase1Quorum(["solo"]));
  assert.not.ok(qs.isPhase1Quorum([]));
  assert.equal(qs.phase1Targets(), ["solo"]);
});

test("majority: unknown ids are ignored and duplicates count once", () => {
  const qs = majority(ids(5));
  assert.not.ok(qs.isPhase1Quorum(["a0", "a1", "x", "y", "z"]));
  assert.not.ok(qs.isPhase1Quorum(["a0", "a0", "a0", "a1"]));
  assert.not.ok(qs.isPhase1Quorum(new Set(["a0", "a1", "x"])));
  assert.ok(qs.isPhase1Quorum(new Set(["a0", "a1", "x", "a2"])));
});

test("majority: targets are the first floor(n/2)+1 acceptors and minimal quorums", () => {
  const qs = majority(ids(5));
  assert.equal(qs.phase1Targets(), ["a0", "a1", "a2"]);
  assert.equal(qs.phase2Targets(), ["a0", "a1", "a2"]);
  assertMinimalQuorum((s) => qs.isPhase1Quorum(s), qs.phase1Targets());
  assertMinimalQuorum((s) => qs.isPhase2Quorum(s), qs.phase2Targets());
});

test("majority: targets are fresh arrays, so callers may mutate them", () => {
  const qs = majority(ids(3));
  qs.phase2Targets().push("zzz");
  assert.equal(qs.phase2Targets(), ["a0", "a1"]);
});

test("majority: always safe; describe names n and the quorum size", () => {
  const qs = majority(ids(5));
  assert.equal(checkIntersection(qs), { safe: true });
  assert.is(qs.describe(), "majority(n=5, quorum=3)");
  assert.is(describe(qs), "majority(n=5, quorum=3)");
});

test("majority: acceptors are copied and frozen", () => {
  const list = ids(3);
  const qs = majority(list);
  list.push("a3");
  assert.equal(qs.acceptors, ["a0", "a1", "a2"]);
  assert.ok(Object.isFrozen(qs.acceptors));
});

test("majority: rejects an empty or duplicated acceptor list", () => {
  assertThrows(() => majority([]), QuorumConfigError, "majority: acceptor list is empty");
  assertThrows(
    () => majority(["a1", "a2", "a2"]),
    QuorumConfigError,
    'majority: duplicate acceptor "a2"',
  );
});

test.run();

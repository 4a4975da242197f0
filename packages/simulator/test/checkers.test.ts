import { type Command, type NodeEvent, type Operation, type Result, sameBatch } from "@paxos/core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  checkAgreement,
  checkAtMostOnce,
  checkCommitsResumed,
  checkOrder,
  checkResults,
  checkSafety,
  checkValidity,
} from "../src/checkers.js";
import type { HistoryEntry, ReplicaRun } from "../src/simulation.js";

// Hand-built recordings: each checker must flag exactly the broken invariant.

const put = (key: string, value: string): Operation => ({ type: "put", key, value });
const cmd = (
  clientId: string,
  seq: number,
  op: Operation = put("k", `${clientId}.${seq}`),
): Command => ({
  clientId,
  seq,
  ackedBelow: 0,
  op,
});
const PUT: Result = { type: "put" };

function applied(slot: number, ...commands: Command[]): NodeEvent[] {
  return [
    ...commands.map((command) => ({ type: "executed", slot, command, result: PUT }) as const),
    { type: "slotApplied", slot, value: commands },
  ];
}

function run(node: string, events: NodeEvent[], incarnation = 0): ReplicaRun {
  return { node, incarnation, startedAt: 0, crashedAt: null, lastAppliedAt: null, events };
}

function invoked(
  c: Command,
  returnedAt: number | null = 5,
  result: Result | null = PUT,
): HistoryEntry {
  return {
    node: "c",
    clientId: c.clientId,
    seq: c.seq,
    op: c.op,
    result,
    invokedAt: 1,
    returnedAt,
    auto: true,
  };
}

const a0 = cmd("a", 0);
const a1 = cmd("a", 1);
const b0 = cmd("b", 0);
const history = [invoked(a0), invoked(a1), invoked(b0)];

test("a consistent recording passes every checker", () => {
  const runs = [
    run("r1", [...applied(0, a0, b0), ...applied(1, a1)]),
    // the same batches as different objects (as after serialisation): still agreement
    run("r2", [...applied(0, cmd("a", 0), cmd("b", 0)), ...applied(1, cmd("a", 1))]),
    // a replica behind the others, and one that caught up by snapshot
    run("r3", applied(0, a0, b0)),
    run("r4", [{ type: "snapshotInstalled", slot: 1, from: "r1" }, ...applied(1, a1)]),
  ];
  assert.equal(checkSafety({ replicaRuns: runs, history }), []);
  assert.ok(sameBatch([a0, b0], [cmd("a", 0), cmd("b", 0)]));
  assert.not.ok(sameBatch([a0, b0], [b0, a0]));
});

test("agreement: different batches at one slot are reported with slot, replicas and both batches", () => {
  const runs = [run("r1", applied(0, a0)), run("r2", applied(0, b0)), run("r3", applied(0, a0))];
  const v = checkAgreement({ replicaRuns: runs, history });
  assert.is(v.length, 1);
  assert.is(v[0]!.kind, "agreement");
  assert.is(v[0]!.slot, 0);
  assert.equal(v[0]!.replicas, ["r1#0", "r2#0"]);
  assert.equal(v[0]!.batches, [["a#0"], ["b#0"]]);
  assert.match(v[0]!.message, /slot 0: r1#0 applied \[a#0\] but r2#0 applied \[b#0\]/);
  // order inside a batch matters too
  const swapped = [run("r1", applied(0, a0, b0)), run("r2", applied(0, b0, a0))];
  assert.is(checkAgreement({ replicaRuns: swapped, history }).length, 1);
});

test("validity: a command no client invoked, or invoked with another operation", () => {
  const forged = cmd("z", 0);
  const changed = cmd("a", 0, put("k", "tampered"));
  const v = checkValidity({
    replicaRuns: [run("r1", [...applied(0, forged), ...applied(1, changed)])],
    history,
  });
  assert.ok(v.length >= 2);
  assert.ok(v.every((x) => x.kind === "validity"));
  assert.match(v[0]!.message, /z#0, which no client invoked/);
  assert.ok(v.some((x) => /tampered/.test(x.message)));
});

test("at-most-once: counted per replica incarnation", () => {
  const twice = run("r1", [...applied(0, a0), ...applied(1, a0)]);
  const v = checkAtMostOnce({ replicaRuns: [twice], history });
  assert.is(v.length, 1);
  assert.match(v[0]!.message, /r1#0 executed a#0 twice: at slot 0 and at slot 1/);
  // a restarted replica re-executing the log from scratch is not a duplicate
  const again = [run("r1", applied(0, a0), 0), run("r1", applied(0, a0), 1)];
  assert.equal(checkAtMostOnce({ replicaRuns: again, history }), []);
});

test("order: gaps and repeats are reported; a snapshot may skip ahead but not back", () => {
  const gap = run("r1", [...applied(0, a0), ...applied(2, b0)]);
  const gapMessages = checkOrder({ replicaRuns: [gap], history }).map((v) => v.message);
  assert.ok(gapMessages.some((m) => /executed b#0 at slot 2 while applying slot 1/.test(m)));
  assert.ok(gapMessages.some((m) => /applied slot 2, expected slot 1/.test(m)));
  const late = run("r1", applied(1, a0));
  assert.ok(
    checkOrder({ replicaRuns: [late], history }).some((v) =>
      /applied slot 1, expected slot 0/.test(v.message),
    ),
  );
  const back = run("r1", [
    ...applied(0, a0),
    ...applied(1, a1),
    { type: "snapshotInstalled", slot: 1, from: "r2" },
  ]);
  assert.match(checkOrder({ replicaRuns: [back], history })[0]!.message, /below slot 2/);
  const execElsewhere: NodeEvent[] = [
    { type: "executed", slot: 3, command: a0, result: PUT },
    { type: "slotApplied", slot: 0, value: [a0] },
  ];
  assert.match(
    checkOrder({ replicaRuns: [run("r1", execElsewhere)], history })[0]!.message,
    /at slot 3 while applying slot 0/,
  );
});

test("results: replicas disagree on a result, or the client saw another one", () => {
  const get0 = cmd("a", 0, { type: "get", key: "k" });
  const h = [invoked(get0, 5, { type: "get", value: "x" })];
  const exec = (value: string | null): NodeEvent[] => [
    { type: "executed", slot: 0, command: get0, result: { type: "get", value } },
    { type: "slotApplied", slot: 0, value: [get0] },
  ];
  const v = checkResults({
    replicaRuns: [run("r1", exec("x")), run("r2", exec(null))],
    history: h,
  });
  assert.is(v.length, 1);
  assert.match(v[0]!.message, /a#0: r1#0 computed .* but r2#0 computed/);
  const w = checkResults({ replicaRuns: [run("r1", exec(null))], history: h });
  assert.match(w[0]!.message, /client got .* for a#0, but r1#0 computed/);
});

test("liveness: commits resumed within the bound after the heal", () => {
  const h = [invoked(a0, 100), invoked(a1, 1_600), invoked(b0, null, null)];
  const rec = { replicaRuns: [], history: h };
  assert.equal(checkCommitsResumed(rec, { healedAtMs: 1_500, withinMs: 500 }), []);
  const v = checkCommitsResumed(rec, { healedAtMs: 1_500, withinMs: 500, minOps: 2 });
  assert.is(v[0]!.kind, "liveness");
  assert.match(
    v[0]!.message,
    /1 operation\(s\) completed in \[1500, 2000\] ms, expected at least 2/,
  );
  assert.is(checkCommitsResumed(rec, { healedAtMs: 2_000, withinMs: 500 }).length, 1);
});

test.run();

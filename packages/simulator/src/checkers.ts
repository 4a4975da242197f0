// Invariant checkers over what a simulation recorded (finished or still running). Each returns
// the violations it found, with enough detail to start debugging: the slot, the replicas, the
// two batches. They read only `replicaRuns` and `history`, so anything recording those (a
// results file, a live cluster's logs) can be checked the same way.

import {
  type Batch,
  type Command,
  commandKey,
  type Operation,
  type Result,
  sameBatch,
} from "@paxos/core";
import type { HistoryEntry, ReplicaRun } from "./records.js";

export type ViolationKind =
  | "agreement"
  | "validity"
  | "at-most-once"
  | "order"
  | "results"
  | "liveness";

export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
  readonly slot?: number;
  /** replica incarnations involved, as "node#incarnation" */
  readonly replicas?: readonly string[];
  /** for agreement: the two different batches, as (clientId#seq) lists */
  readonly batches?: readonly (readonly string[])[];
}

export interface Recorded {
  readonly replicaRuns: readonly ReplicaRun[];
  readonly history: readonly HistoryEntry[];
}

/** Stop collecting after this many violations of one kind: one is enough to fail, a few help. */
const MAX_REPORTED = 20;

function label(run: ReplicaRun): string {
  return `${run.node}#${run.incarnation}`;
}

function batchKeys(batch: Batch): string[] {
  return batch.map(commandKey);
}

/** Agreement: no two replicas apply different batches at the same slot. */
export function checkAgreement(sim: Recorded): Violation[] {
  const out: Violation[] = [];
  const first = new Map<number, { batch: Batch; run: ReplicaRun }>();
  for (const run of sim.replicaRuns) {
    for (const e of run.events) {
      if (e.type !== "slotApplied") continue;
      const seen = first.get(e.slot);
      if (seen === undefined) {
        first.set(e.slot, { batch: e.value, run });
      } else if (!sameBatch(seen.batch, e.value) && out.length < MAX_REPORTED) {
        out.push({
          kind: "agreement",
          slot: e.slot,
          replicas: [label(seen.run), label(run)],
          batches: [batchKeys(seen.batch), batchKeys(e.value)],
          message:
            `slot ${e.slot}: ${label(seen.run)} applied [${batchKeys(seen.batch).join(", ")}] ` +
            `but ${label(run)} applied [${batchKeys(e.value).join(", ")}]`,
        });
      }
    }
  }
  return out;
}

function sameOperation(a: Operation, b: Operation): boolean {
  if (a === b) return true;
  if (a.type !== b.type || a.key !== b.key) return false;
  switch (a.type) {
    case "get":
    case "delete":
      return true;
    case "put":
      return b.type === "put" && a.value === b.value;
    case "cas":
      return b.type === "cas" && a.value === b.value && a.expected === b.expected;
  }
}

/** Validity: every applied command was invoked by a client, with that very operation. */
export function checkValidity(sim: Recorded): Violation[] {
  const out: Violation[] = [];
  const invoked = new Map<string, Operation>();
  for (const h of sim.history) invoked.set(commandKey(h), h.op);
  const check = (run: ReplicaRun, slot: number, c: Command) => {
    const op = invoked.get(commandKey(c));
    if (op !== undefined && sameOperation(op, c.op)) return;
    if (out.length >= MAX_REPORTED) return;
    out.push({
      kind: "validity",
      slot,
      replicas: [label(run)],
      message:
        op === undefined
          ? `slot ${slot}: ${label(run)} applied ${commandKey(c)}, which no client invoked`
          : `slot ${slot}: ${label(run)} applied ${commandKey(c)} with operation ` +
            `${JSON.stringify(c.op)}, but the client invoked ${JSON.stringify(op)}`,
    });
  };
  for (const run of sim.replicaRuns) {
    for (const e of run.events) {
      if (e.type === "slotApplied") for (const c of e.value) check(run, e.slot, c);
      else if (e.type === "executed") check(run, e.slot, e.command);
    }
  }
  return out;
}

/**
 * At-most-once: a replica incarnation executes each (clientId, seq) once. (A restarted replica
 * has no state and rebuilds it by re-executing the log, so counting is per incarnation.)
 */
export function checkAtMostOnce(sim: Recorded): Violation[] {
  const out: Violation[] = [];
  for (const run of sim.replicaRuns) {
    const executedAt = new Map<string, number>();
    for (const e of run.events) {
      if (e.type !== "executed") continue;
      const key = commandKey(e.command);
      const before = executedAt.get(key);
      if (before === undefined) {
        executedAt.set(key, e.slot);
      } else if (out.length < MAX_REPORTED) {
        out.push({
          kind: "at-most-once",
          slot: e.slot,
          replicas: [label(run)],
          message: `${label(run)} executed ${key} twice: at slot ${before} and at slot ${e.slot}`,
        });
      }
    }
  }
  return out;
}

/**
 * In-order application: each replica incarnation applies slots 0, 1, 2, ... with no gap or
 * repeat, except that installing a snapshot moves it to the snapshot's slot. Commands are
 * executed within the slot being applied.
 */
export function checkOrder(sim: Recorded): Violation[] {
  const out: Violation[] = [];
  for (const run of sim.replicaRuns) {
    let expected = 0;
    for (const e of run.events) {
      if (out.length >= MAX_REPORTED) return out;
      if (e.type === "snapshotInstalled") {
        if (e.slot < expected) {
          out.push({
            kind: "order",
            slot: e.slot,
            replicas: [label(run)],
            message: `${label(run)} installed a snapshot at slot ${e.slot}, below slot ${expected} it had reached`,
          });
        }
        expected = e.slot;
      } else if (e.type === "executed") {
        if (e.slot !== expected) {
          out.push({
            kind: "order",
            slot: e.slot,
            replicas: [label(run)],
            message: `${label(run)} executed ${commandKey(e.command)} at slot ${e.slot} while applying slot ${expected}`,
          });
        }
      } else if (e.type === "slotApplied") {
        if (e.slot !== expected) {
          out.push({
            kind: "order",
            slot: e.slot,
            replicas: [label(run)],
            message: `${label(run)} applied slot ${e.slot}, expected slot ${expected}`,
          });
        }
        expected = e.slot + 1;
      }
    }
  }
  return out;
}

function sameResult(a: Result, b: Result): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case "get":
      return b.type === "get" && a.value === b.value;
    case "put":
      return true;
    case "delete":
      return b.type === "delete" && a.existed === b.existed;
    case "cas":
      return b.type === "cas" && a.ok === b.ok && a.value === b.value;
  }
}

/**
 * Results: every replica that executes a command computes the same result (a consequence of
 * agreement plus determinism, but it also catches a bad snapshot or session transfer), and a
 * client's completed operation returned that result.
 */
export function checkResults(sim: Recorded): Violation[] {
  const out: Violation[] = [];
  const computed = new Map<string, { result: Result; run: ReplicaRun }>();
  for (const run of sim.replicaRuns) {
    for (const e of run.events) {
      if (e.type !== "executed") continue;
      const key = commandKey(e.command);
      const seen = computed.get(key);
      if (seen === undefined) computed.set(key, { result: e.result, run });
      else if (!sameResult(seen.result, e.result) && out.length < MAX_REPORTED) {
        out.push({
          kind: "results",
          slot: e.slot,
          replicas: [label(seen.run), label(run)],
          message:
            `${key}: ${label(seen.run)} computed ${JSON.stringify(seen.result)} but ` +
            `${label(run)} computed ${JSON.stringify(e.result)}`,
        });
      }
    }
  }
  for (const h of sim.history) {
    if (h.result === null) continue;
    const key = commandKey(h);
    const seen = computed.get(key);
    if (out.length >= MAX_REPORTED) break;
    if (seen === undefined) {
      out.push({
        kind: "results",
        message: `client got a result for ${key}, which no recorded replica executed`,
      });
    } else if (!sameResult(seen.result, h.result)) {
      out.push({
        kind: "results",
        replicas: [label(seen.run)],
        message:
          `client got ${JSON.stringify(h.result)} for ${key}, but ${label(seen.run)} computed ` +
          `${JSON.stringify(seen.result)}`,
      });
    }
  }
  return out;
}

/** Every safety checker: agreement, validity, at-most-once, order, results. */
export function checkSafety(sim: Recorded): Violation[] {
  return [
    ...checkAgreement(sim),
    ...checkValidity(sim),
    ...checkAtMostOnce(sim),
    ...checkOrder(sim),
    ...checkResults(sim),
  ];
}

/** Operations completed in [fromMs, toMs]. */
export function completedBetween(sim: Recorded, fromMs: number, toMs: number): number {
  let n = 0;
  for (const e of sim.history) {
    if (e.returnedAt !== null && e.returnedAt >= fromMs && e.returnedAt <= toMs) n++;
  }
  return n;
}

export interface ResumeBound {
  /** when the last fault healed */
  readonly healedAtMs: number;
  /** how long commits may take to resume */
  readonly withinMs: number;
  /** how many operations must complete in [healedAtMs, healedAtMs + withinMs]; 1 by default */
  readonly minOps?: number;
}

/** Liveness: at least `minOps` operations completed within `withinMs` of the heal. */
export function checkCommitsResumed(sim: Recorded, bound: ResumeBound): Violation[] {
  const { healedAtMs, withinMs } = bound;
  const minOps = bound.minOps ?? 1;
  const n = completedBetween(sim, healedAtMs, healedAtMs + withinMs);
  if (n >= minOps) return [];
  return [
    {
      kind: "liveness",
      message:
        `commits did not resume: ${n} operation(s) completed in [${healedAtMs}, ` +
        `${healedAtMs + withinMs}] ms, expected at least ${minOps}`,
    },
  ];
}

export function formatViolations(violations: readonly Violation[], limit = 5): string {
  const lines = violations.slice(0, limit).map((v) => `  [${v.kind}] ${v.message}`);
  if (violations.length > limit) lines.push(`  ... and ${violations.length - limit} more`);
  return lines.join("\n");
}

// The linearizability checker of the key-value service (get, put, delete, cas).
//
// The history is split by key (P-compositionality: every operation touches one key, and a
// history is linearizable iff each key's sub-history is), and each key's sub-history is checked
// with Wing & Gong's search as improved by Lowe and used by Porcupine:
//
//   - the invocations and returns are laid out in one doubly linked list in time order (an
//     invocation before a return at the same instant: touching operations count as concurrent);
//   - the search walks the list from the front, trying to linearize an operation whose
//     invocation comes before the first remaining return; an operation that applies to the
//     current state is taken out of the list (both of its events) and pushed on a stack, and the
//     walk restarts from the front; reaching a return means the operation it closes was not
//     linearized in time, so the last choice is undone (popped, put back) and the walk resumes
//     after it. Iterative, with an explicit stack.
//   - Lowe's memoization: the (set of linearized operations, state) pairs already explored are
//     remembered, and a choice that leads to one of them again is skipped. The set is a bitset;
//     its hash is kept incrementally (Zobrist: XOR of a random word per operation), and a hit is
//     confirmed by comparing the bitsets word by word, so the memo is exact.
//
// Operations with an unknown outcome (never returned) may take effect at any time after their
// invocation, or never: they have no return event (a return time of +infinity), so the search
// may linearize them whenever it likes and needs not linearize them at all; reaching the end of
// the list with only such invocations left is success. Unknown reads cannot change anything and
// are dropped. A key's state is a small integer (the interned value, 0 for absent).
//
// A failing key is shrunk to a small failing slice (prefix and suffix trimming, then ddmin) within
// a budget. Every candidate slice is closed under "what it observed": with every operation kept
// come all the operations that could have written a value it read (or expected, or saw), so a
// slice that fails is a faithful witness, never an artefact of a removed write (see closure()).

import { describeOp, describeSliceOp, explain } from "./explain.js";
import { maxOf } from "./extent.js";
import type { HistoryOp } from "./history.js";
import { type Compiled, compile, Interner } from "./kv-model.js";
import { Outcome, search } from "./search.js";
import { shrink } from "./shrink.js";

export { describeOp, describeSliceOp };

/** An operation of a failing slice: the history's operation and its position in the input. */
export type SliceOp = HistoryOp & {
  /** 0-based position of the operation in the checked history */
  readonly index: number;
};

export interface CheckStats {
  /** operations in the history */
  operations: number;
  /** operations given to the search (unknown-outcome reads are dropped: they change nothing) */
  searched: number;
  /** operations whose outcome is unknown (never returned) */
  unknownOutcome: number;
  keys: number;
  /** keys whose sub-history was decided (all of them unless the budget ran out or a key failed) */
  keysChecked: number;
  /** the largest per-key sub-history */
  maxKeyOperations: number;
  /** search steps over all keys (one step: one list entry looked at) */
  steps: number;
  /** wall-clock time of the whole check, ms */
  elapsedMs: number;
}

export type LinearizabilityResult =
  | { verdict: "linearizable"; stats: CheckStats }
  | {
      verdict: "not linearizable";
      key: string;
      /** a small failing sub-history of the key (every operation with its times and result) */
      slice: SliceOp[];
      /** how many operations the key has in the whole history */
      keyOperations: number;
      /** true when the slice is 1-minimal (no single operation could be removed); false when the shrink budget ran out */
      minimal: boolean;
      explanation: string;
      stats: CheckStats;
    }
  | { verdict: "unknown"; reason: string; stats: CheckStats };

export interface CheckOptions {
  /** wall-clock budget of the search, ms (default 10 000); when it runs out the verdict is "unknown" */
  timeBudgetMs?: number;
  /** wall-clock budget for shrinking a failing key to a small slice, ms (default 2 000) */
  shrinkBudgetMs?: number;
  /** largest memo (in 32-bit words of stored bitsets) before giving up with "unknown" (default 2^25) */
  maxMemoWords?: number;
  /** the clock (tests) */
  now?: () => number;
}

export const DEFAULT_TIME_BUDGET_MS = 10_000;

function opKey(o: HistoryOp): string {
  return o.op.key;
}

/**
 * Checks a history of the key-value service for linearizability. Never throws on a well-formed
 * history (use parseHistory() first on untrusted input).
 */
export function checkLinearizability(
  history: readonly HistoryOp[],
  opts: CheckOptions = {},
): LinearizabilityResult {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const budget = opts.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const deadline = started + budget;
  const maxMemoWords = opts.maxMemoWords ?? 1 << 25;
  // Partition by key, dropping unknown-outcome reads (they constrain nothing).
  const byKey = new Map<string, number[]>();
  let unknownOutcome = 0;
  let searched = 0;
  history.forEach((o, index) => {
    const unknown = o.returnedAt === null || o.result === null;
    if (unknown) unknownOutcome++;
    if (unknown && o.op.type === "get") return;
    searched++;
    const k = opKey(o);
    const l = byKey.get(k);
    if (l) l.push(index);
    else byKey.set(k, [index]);
  });
  const stats: CheckStats = {
    operations: history.length,
    searched,
    unknownOutcome,
    keys: byKey.size,
    keysChecked: 0,
    maxKeyOperations: maxOf(
      [...byKey.values()].map((l) => l.length),
      0,
    ),
    steps: 0,
    elapsedMs: 0,
  };
  const finish = <T extends LinearizabilityResult>(r: T): T => {
    stats.elapsedMs = now() - started;
    return r;
  };

  const fail = (key: string, indexes: number[], values: Interner, c: Compiled, horizon: number) => {
    const shrinkDeadline = now() + (opts.shrinkBudgetMs ?? 2000);
    const { members, minimal } = shrink(c, horizon, shrinkDeadline, now, maxMemoWords);
    const slice: SliceOp[] = members.map((j) => ({ ...history[indexes[j]!]!, index: indexes[j]! }));
    slice.sort((x, y) => x.invokedAt - y.invokedAt || x.index - y.index);
    const sc = compile(slice, values);
    const keyOps = indexes.map((j) => history[j]!);
    return finish({
      verdict: "not linearizable" as const,
      key,
      slice,
      keyOperations: indexes.length,
      minimal,
      explanation: explain(key, sc, slice, keyOps, values, now),
      stats,
    });
  };

  // Pass 1: every key with a step cap, so one hard key cannot starve the others (a violation
  // elsewhere is still found); pass 2: the keys that hit the cap, with the rest of the budget.
  const deferred: [string, number[]][] = [];
  for (const [key, indexes] of byKey) {
    const values = new Interner();
    const c = compile(
      indexes.map((j) => history[j]!),
      values,
    );
    const r = search(c, {
      deadline,
      maxSteps: Math.max(200_000, 64 * c.n),
      maxMemoWords,
      now,
    });
    stats.steps += r.steps;
    if (r.outcome === Outcome.NotLinearizable) return fail(key, indexes, values, c, r.horizon);
    if (r.outcome === Outcome.Linearizable) stats.keysChecked++;
    else deferred.push([key, indexes]);
  }
  for (let d = 0; d < deferred.length; d++) {
    const [key, indexes] = deferred[d]!;
    const values = new Interner();
    const c = compile(
      indexes.map((j) => history[j]!),
      values,
    );
    const r = search(c, { deadline, maxSteps: Number.POSITIVE_INFINITY, maxMemoWords, now });
    stats.steps += r.steps;
    if (r.outcome === Outcome.NotLinearizable) return fail(key, indexes, values, c, r.horizon);
    if (r.outcome === Outcome.Linearizable) {
      stats.keysChecked++;
      continue;
    }
    const left = deferred.length - d;
    const why =
      r.aborted === "memory"
        ? `the search memo outgrew its limit (${maxMemoWords} words)`
        : `the time budget of ${budget} ms ran out`;
    return finish({
      verdict: "unknown" as const,
      reason:
        `${why} on key ${JSON.stringify(key)} (${indexes.length} operations); ` +
        `${stats.keysChecked} of ${stats.keys} key(s) were linearizable, ${left} undecided, none failed`,
      stats,
    });
  }
  return finish({ verdict: "linearizable" as const, stats });
}

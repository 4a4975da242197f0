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

import type { Operation, Result } from "@paxos/core";
import type { HistoryOp } from "./history.js";

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

// ---------------------------------------------------------------------------------------------
// Compiled sub-histories

const Kind = {
  Get: 0,
  Put: 1,
  DeleteKnown: 2,
  DeleteUnknown: 3,
  CasOk: 4,
  CasFailed: 5,
  CasUnknown: 6,
  /** a result no state can produce (a cas that "succeeded" with another value, ...) */
  Impossible: 7,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** The operations of one key, as the search sees them. Values are interned: 0 is "absent". */
interface Compiled {
  n: number;
  kind: Uint8Array;
  /** get: the value read; put: the value; delete: 1 if it existed; cas: expected */
  a: Int32Array;
  /** cas: the new value (ok/unknown) or the value seen (failed) */
  b: Int32Array;
  invoked: Float64Array;
  /** +Infinity when unknown */
  returned: Float64Array;
}

class Interner {
  private readonly ids = new Map<string, number>();
  readonly values: (string | null)[] = [null];
  id(v: string | null): number {
    if (v === null) return 0;
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      this.ids.set(v, id);
    }
    return id;
  }
  value(id: number): string | null {
    return this.values[id] ?? null;
  }
}

function compile(ops: readonly HistoryOp[], values: Interner): Compiled {
  const n = ops.length;
  const c: Compiled = {
    n,
    kind: new Uint8Array(n),
    a: new Int32Array(n),
    b: new Int32Array(n),
    invoked: new Float64Array(n),
    returned: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const h = ops[i]!;
    const known = h.returnedAt !== null && h.result !== null;
    c.invoked[i] = h.invokedAt;
    c.returned[i] = known ? (h.returnedAt as number) : Number.POSITIVE_INFINITY;
    const op = h.op;
    const r = known ? h.result : null;
    let kind: Kind;
    switch (op.type) {
      case "get":
        kind = Kind.Get;
        if (r?.type === "get") c.a[i] = values.id(r.value);
        else kind = r === null ? Kind.Get : Kind.Impossible;
        break;
      case "put":
        kind = r === null || r.type === "put" ? Kind.Put : Kind.Impossible;
        c.a[i] = values.id(op.value);
        break;
      case "delete":
        if (r === null) kind = Kind.DeleteUnknown;
        else if (r.type === "delete") {
          kind = Kind.DeleteKnown;
          c.a[i] = r.existed ? 1 : 0;
        } else kind = Kind.Impossible;
        break;
      case "cas":
        c.a[i] = values.id(op.expected);
        if (r === null) {
          kind = Kind.CasUnknown;
          c.b[i] = values.id(op.value);
        } else if (r.type !== "cas") kind = Kind.Impossible;
        else if (r.ok) {
          // a successful cas leaves (and reports) its new value
          kind = r.value === op.value ? Kind.CasOk : Kind.Impossible;
          c.b[i] = values.id(op.value);
        } else {
          // a failed cas saw a value other than the expected one
          kind = r.value === op.expected ? Kind.Impossible : Kind.CasFailed;
          c.b[i] = values.id(r.value);
        }
        break;
    }
    c.kind[i] = kind;
  }
  return c;
}

/** The state after applying operation i to `s`, or -1 when its result rules that out. */
function step(c: Compiled, i: number, s: number): number {
  switch (c.kind[i] as Kind) {
    case Kind.Get:
      return s === c.a[i] ? s : -1;
    case Kind.Put:
      return c.a[i]!;
    case Kind.DeleteKnown:
      return (s !== 0) === (c.a[i] === 1) ? 0 : -1;
    case Kind.DeleteUnknown:
      return 0;
    case Kind.CasOk:
      return s === c.a[i] ? c.b[i]! : -1;
    case Kind.CasFailed:
      return s !== c.a[i] && s === c.b[i] ? s : -1;
    case Kind.CasUnknown:
      return s === c.a[i] ? c.b[i]! : s;
    default:
      return -1;
  }
}

// ---------------------------------------------------------------------------------------------
// The search

const Outcome = {
  Linearizable: 0,
  NotLinearizable: 1,
  /** out of time, steps or memory */
  Aborted: 2,
} as const;
type Outcome = (typeof Outcome)[keyof typeof Outcome];

interface SearchLimits {
  deadline: number;
  maxSteps: number;
  maxMemoWords: number;
  now: () => number;
}

interface SearchResult {
  outcome: Outcome;
  steps: number;
  /** why it was aborted */
  aborted?: "time" | "steps" | "memory";
  /** with `explain`: the longest linearized prefix found, and the state after it */
  deepest?: { ops: number[]; state: number };
  /** the latest return any configuration had to meet next (nothing after it was reached) */
  horizon: number;
}

/** Deterministic random words for the Zobrist hash (splitmix32-like). */
function zobrist(n: number): Int32Array {
  const z = new Int32Array(n);
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < n; i++) {
    x = (x + 0x6d2b79f5) | 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    z[i] = t ^ (t >>> 14);
  }
  return z;
}

let zob = zobrist(1024);
function zobristFor(n: number): Int32Array {
  if (zob.length < n) zob = zobrist(Math.max(n, zob.length * 2));
  return zob;
}

function mixState(s: number): number {
  let h = Math.imul(s ^ 0x27d4eb2f, 0x165667b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca77);
}

/**
 * Is the compiled sub-history linearizable? Iterative Wing & Gong search with Lowe's memo.
 *
 * Returned (known) operations live in the event list. Unknown-outcome operations have no
 * return event, so they are kept apart, in invocation order, and tried only after the known
 * candidates of a configuration (those invoked before the first remaining return) have been
 * tried: an unknown operation is linearized when something needs it, not at every step.
 *
 * The memo key of a configuration is its state and its linearized set. The known part of the
 * set is stored compactly: f, the first known operation (by invocation) not yet linearized,
 * h, the last one linearized, and the bit words between them (all below f are in, none above h
 * is); the unknown part is a bitset of its own. The window between f and h is about as wide as
 * the operations in flight at a time, so an entry costs a few words whatever the key's length.
 */
function search(c: Compiled, limits: SearchLimits, explain = false): SearchResult {
  const n = c.n;
  if (n === 0) return { outcome: Outcome.Linearizable, steps: 0, horizon: 0 };
  const knownIdx: number[] = [];
  const unknownIdx: number[] = [];
  for (let i = 0; i < n; i++) {
    (c.returned[i] === Number.POSITIVE_INFINITY ? unknownIdx : knownIdx).push(i);
  }
  const byInvocation = (x: number, y: number) => c.invoked[x]! - c.invoked[y]! || x - y;
  knownIdx.sort(byInvocation);
  unknownIdx.sort(byInvocation);
  const nk = knownIdx.length;
  const nu = unknownIdx.length;
  const rank = new Int32Array(n);
  knownIdx.forEach((i, r) => {
    rank[i] = r;
  });
  unknownIdx.forEach((i, r) => {
    rank[i] = r;
  });
  // The event list of known operations: 2r is the invocation of known rank r, 2r+1 its return;
  // an invocation before a return at the same instant. Node 0 is the head; -1 ends the list.
  const events: number[] = [];
  for (let r = 0; r < nk; r++) events.push(2 * r, 2 * r + 1);
  const timeOf = (e: number) =>
    (e & 1) === 0 ? c.invoked[knownIdx[e >> 1]!]! : c.returned[knownIdx[e >> 1]!]!;
  events.sort((x, y) => timeOf(x) - timeOf(y) || (x & 1) - (y & 1) || x - y);
  const m = events.length;
  const next = new Int32Array(m + 1);
  const prev = new Int32Array(m + 1);
  const nodeEvent = new Int32Array(m + 1);
  const callNode = new Int32Array(nk);
  const retNode = new Int32Array(nk);
  for (let k = 0; k <= m; k++) {
    next[k] = k + 1 <= m ? k + 1 : -1;
    prev[k] = k - 1;
    if (k > 0) {
      const e = events[k - 1]!;
      nodeEvent[k] = e;
      if ((e & 1) === 0) callNode[e >> 1] = k;
      else retNode[e >> 1] = k;
    }
  }
  const unlink = (a: number) => {
    next[prev[a]!] = next[a]!;
    if (next[a]! >= 0) prev[next[a]!] = prev[a]!;
  };
  const relink = (a: number) => {
    next[prev[a]!] = a;
    if (next[a]! >= 0) prev[next[a]!] = a;
  };

  // The memo: entries chained by hash, their bit words in one growing arena.
  const bitsK = new Uint32Array((nk + 31) >>> 5);
  const bitsU = new Uint32Array((nu + 31) >>> 5);
  const wu = bitsU.length;
  const z = zobristFor(n);
  const memo = new Map<number, number>();
  let cap = 1024;
  let entryState = new Int32Array(cap);
  let entryF = new Int32Array(cap);
  let entryHi = new Int32Array(cap);
  let entryOff = new Int32Array(cap);
  let chain = new Int32Array(cap);
  let arena = new Uint32Array(4096);
  let used = 0;
  let size = 0;
  const grow = <T extends Int32Array>(a: T): T => {
    const b = new Int32Array(a.length * 2) as T;
    b.set(a);
    return b;
  };
  /** true when (linearized set, s) was seen before; else remembers it */
  const seenOrAdd = (h: number, s: number, f: number, hi: number): boolean => {
    const lo = f >>> 5;
    const kWords = hi >= f ? (hi >>> 5) - lo + 1 : 0;
    const first = memo.get(h);
    for (let e = first === undefined ? -1 : first; e >= 0; e = chain[e]!) {
      if (entryState[e] !== s || entryF[e] !== f || entryHi[e] !== hi) continue;
      let base = entryOff[e]!;
      let w = 0;
      while (w < kWords && arena[base + w] === bitsK[lo + w]) w++;
      if (w < kWords) continue;
      base += kWords;
      w = 0;
      while (w < wu && arena[base + w] === bitsU[w]) w++;
      if (w === wu) return true;
    }
    if (size === cap) {
      cap *= 2;
      entryState = grow(entryState);
      entryF = grow(entryF);
      entryHi = grow(entryHi);
      entryOff = grow(entryOff);
      chain = grow(chain);
    }
    const need = kWords + wu;
    if (used + need > arena.length) {
      const a2 = new Uint32Array(Math.max(arena.length * 2, used + need));
      a2.set(arena);
      arena = a2;
    }
    if (kWords > 0) arena.set(bitsK.subarray(lo, lo + kWords), used);
    if (wu > 0) arena.set(bitsU, used + kWords);
    entryState[size] = s;
    entryF[size] = f;
    entryHi[size] = hi;
    entryOff[size] = used;
    chain[size] = first === undefined ? -1 : first;
    memo.set(h, size);
    used += need;
    size++;
    return false;
  };

  // Operations that never change the state, wherever they apply (the forced moves below).
  const readOnly = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = c.kind[i] as Kind;
    readOnly[i] =
      k === Kind.Get ||
      k === Kind.CasFailed ||
      (k === Kind.DeleteKnown && c.a[i] === 0) ||
      (k === Kind.CasOk && c.a[i] === c.b[i])
        ? 1
        : 0;
  }

  // The stack of choices: the operation, and what to restore when it is undone.
  const stackOp = new Int32Array(n);
  const stackState = new Int32Array(n);
  const stackF = new Int32Array(n);
  const stackHi = new Int32Array(n);
  const stackLimit = new Float64Array(n);
  const stackForced = new Uint8Array(n);
  let depth = 0;
  let state = 0;
  let f = 0;
  let hi = -1;
  let setHash = 0;
  let steps = 0;
  let horizon = Number.NEGATIVE_INFINITY;
  let deepest: SearchResult["deepest"];
  if (explain) deepest = { ops: [], state: 0 };
  // Where the walk is: at a configuration just reached (look for a forced move first), in the
  // known candidates (`entry`, a node of the event list), in the unknown ones (`uCur`, among
  // those invoked by `limit`, the first remaining return), or undoing the last choice.
  const FRESH = 0;
  const KNOWN = 1;
  const UNKNOWN = 2;
  const BACK = 3;
  let mode = FRESH;
  let entry = next[0]!;
  let uCur = 0;
  let limit = 0;
  const push = (i: number, s: number, h: number, forced: boolean) => {
    stackOp[depth] = i;
    stackState[depth] = state;
    stackF[depth] = f;
    stackHi[depth] = hi;
    stackLimit[depth] = limit;
    stackForced[depth] = forced ? 1 : 0;
    depth++;
    state = s;
    setHash = h;
    if (deepest && depth > deepest.ops.length) {
      deepest.ops = Array.from(stackOp.subarray(0, depth));
      deepest.state = state;
    }
  };
  /** Tries to linearize known rank r (new state s); false when that configuration was seen. */
  const tryKnown = (r: number, s: number, forced: boolean): boolean => {
    const i = knownIdx[r]!;
    const w = r >>> 5;
    const bit = 1 << (r & 31);
    bitsK[w] = bitsK[w]! | bit;
    const newHi = Math.max(r, hi);
    let newF = f;
    while (newF < nk && (bitsK[newF >>> 5]! & (1 << (newF & 31))) !== 0) newF++;
    const h = setHash ^ z[i]!;
    if (seenOrAdd((h ^ mixState(s)) | 0, s, newF, newHi)) {
      bitsK[w] = bitsK[w]! & ~bit;
      return false;
    }
    push(i, s, h, forced);
    f = newF;
    hi = newHi;
    unlink(callNode[r]!);
    unlink(retNode[r]!);
    return true;
  };
  /**
   * Is an unknown operation taking the key to state s now of any use? Only if some other
   * candidate then observes s (reads it, expects it, ...): if a valid order exists, one with
   * the fewest unknown operations does, and in it every unknown operation is followed by one
   * that depends on its effect (else leaving it out changes nothing).
   */
  const observed = (s: number, except: number): boolean => {
    for (let e = next[0]!; e >= 0 && (nodeEvent[e]! & 1) === 0; e = next[e]!) {
      const i = knownIdx[nodeEvent[e]! >> 1]!;
      if (!blindWrite(c, i) && step(c, i, s) >= 0) return true;
    }
    for (let u = 0; u < nu; u++) {
      const i = unknownIdx[u]!;
      if (c.invoked[i]! > limit) break;
      if (u === except || (bitsU[u >>> 5]! & (1 << (u & 31))) !== 0) continue;
      if (c.kind[i] === Kind.CasUnknown && c.a[i] === s) return true;
    }
    return false;
  };
  for (;;) {
    if ((++steps & 1023) === 0) {
      if (steps > limits.maxSteps)
        return { outcome: Outcome.Aborted, steps, aborted: "steps", horizon };
      if (limits.now() > limits.deadline) {
        return { outcome: Outcome.Aborted, steps, aborted: "time", horizon };
      }
      if (used > limits.maxMemoWords)
        return { outcome: Outcome.Aborted, steps, aborted: "memory", horizon };
    }
    if (mode === FRESH) {
      // A known read-only candidate that applies now (a read of the current value, a failed
      // cas that saw it, ...) can always go first: if any order of the rest works, the one
      // starting with it does too (it never changes the state, and every remaining operation
      // returns after it was invoked). So take it and try nothing else here.
      let e = next[0]!;
      while (e >= 0 && (nodeEvent[e]! & 1) === 0) {
        const i = knownIdx[nodeEvent[e]! >> 1]!;
        if (readOnly[i] === 1 && step(c, i, state) === state) break;
        e = next[e]!;
      }
      if (e < 0) {
        // no return left: every known operation is linearized
        return { outcome: Outcome.Linearizable, steps, horizon, ...(deepest ? { deepest } : {}) };
      }
      if ((nodeEvent[e]! & 1) === 0) {
        // seen before means explored and failed: then this configuration fails too
        if (!tryKnown(nodeEvent[e]! >> 1, state, true)) mode = BACK;
        continue;
      }
      mode = KNOWN;
      entry = next[0]!;
    }
    if (mode === KNOWN) {
      const ev = nodeEvent[entry]!;
      const r = ev >> 1;
      if ((ev & 1) === 1) {
        // the first remaining return: the known candidates are exhausted, try unknown ones
        mode = UNKNOWN;
        uCur = 0;
        limit = c.returned[knownIdx[r]!]!;
        if (limit > horizon) horizon = limit;
        continue;
      }
      const s = step(c, knownIdx[r]!, state);
      if (s >= 0 && tryKnown(r, s, false)) mode = FRESH;
      else entry = next[entry]!;
      continue;
    }
    if (mode === UNKNOWN) {
      while (uCur < nu && (bitsU[uCur >>> 5]! & (1 << (uCur & 31))) !== 0) uCur++;
      if (uCur < nu && c.invoked[unknownIdx[uCur]!]! <= limit) {
        const i = unknownIdx[uCur]!;
        const s = step(c, i, state);
        if (s >= 0 && s !== state && observed(s, uCur)) {
          const w = uCur >>> 5;
          const bit = 1 << (uCur & 31);
          bitsU[w] = bitsU[w]! | bit;
          const h = setHash ^ z[i]!;
          if (!seenOrAdd((h ^ mixState(s)) | 0, s, f, hi)) {
            push(i, s, h, false);
            mode = FRESH;
            continue;
          }
          bitsU[w] = bitsU[w]! & ~bit;
        }
        uCur++;
        continue;
      }
      mode = BACK;
    }
    // BACK: nothing left to try here, undo the last choice
    if (depth === 0) {
      return { outcome: Outcome.NotLinearizable, steps, horizon, ...(deepest ? { deepest } : {}) };
    }
    depth--;
    const j = stackOp[depth]!;
    state = stackState[depth]!;
    f = stackF[depth]!;
    hi = stackHi[depth]!;
    setHash ^= z[j]!;
    const r = rank[j]!;
    if (c.returned[j] !== Number.POSITIVE_INFINITY) {
      bitsK[r >>> 5] = bitsK[r >>> 5]! & ~(1 << (r & 31));
      relink(retNode[r]!);
      relink(callNode[r]!);
      if (stackForced[depth] === 0) {
        entry = next[callNode[r]!]!;
        mode = KNOWN;
      }
      // a forced move that failed: the configuration before it fails too (stay in BACK)
    } else {
      bitsU[r >>> 5] = bitsU[r >>> 5]! & ~(1 << (r & 31));
      limit = stackLimit[depth]!;
      uCur = r + 1;
      mode = UNKNOWN;
    }
  }
}

/** A write whose effect does not depend on the state (put, a delete whose answer is unknown). */
function blindWrite(c: Compiled, i: number): boolean {
  const k = c.kind[i] as Kind;
  return k === Kind.Put || k === Kind.DeleteUnknown;
}

// ---------------------------------------------------------------------------------------------
// Shrinking a failing key to a small, faithful slice

/**
 * For each operation, the operations that must come with it in a slice: every operation that
 * could have produced the state it observed: a write of that value that began before it
 * returned, and when a surely-completed write separates that write from its invocation, the
 * separating write too (the slice shows why the value was gone). A delete that found the key
 * present keeps only the writes that may have been the last one, and the separating writes.
 * If H is linearizable then so is every closed subset
 * S of it (take a linearization of H and keep the operations of S: each one still finds the
 * state it observed, because the operation that last set that state in H is in S, and unknown
 * operations that did not take effect in H are left out). So a closed subset that fails is a
 * faithful witness that H fails.
 */
function observationDeps(c: Compiled): number[][] {
  const n = c.n;
  const writers = new Map<number, number[]>();
  const nonNull: number[] = [];
  const addWriter = (v: number, i: number) => {
    const l = writers.get(v);
    if (l) l.push(i);
    else writers.set(v, [i]);
    if (v !== 0) nonNull.push(i);
  };
  // known operations that surely change the state, by return time, with the two largest
  // invocation times among those returned so far: a write w cannot be the last one before an
  // operation invoked at t if another of these began after w returned and returned before t
  const changers: number[] = [];
  for (let i = 0; i < n; i++) {
    switch (c.kind[i] as Kind) {
      case Kind.Put:
        addWriter(c.a[i]!, i);
        if (c.returned[i] !== Number.POSITIVE_INFINITY) changers.push(i);
        break;
      case Kind.CasOk:
        addWriter(c.b[i]!, i);
        changers.push(i);
        break;
      case Kind.CasUnknown:
        addWriter(c.b[i]!, i);
        break;
      case Kind.DeleteUnknown:
        addWriter(0, i);
        break;
      case Kind.DeleteKnown:
        if (c.a[i] === 1) {
          addWriter(0, i);
          changers.push(i);
        }
        break;
    }
  }
  changers.sort((x, y) => c.returned[x]! - c.returned[y]!);
  const best1 = new Int32Array(changers.length); // argmax of invocation over the prefix
  const best2 = new Int32Array(changers.length); // second
  let b1 = -1;
  let b2 = -1;
  changers.forEach((w, k) => {
    if (b1 < 0 || c.invoked[w]! > c.invoked[b1]!) {
      b2 = b1;
      b1 = w;
    } else if (b2 < 0 || c.invoked[w]! > c.invoked[b2]!) b2 = w;
    best1[k] = b1;
    best2[k] = b2;
  });
  /**
   * Could w be the last write before an operation invoked at t? -1 if so, else the write that
   * surely came between (kept in the slice instead, as the evidence that w was overwritten).
   */
  const supersededBy = (w: number, t: number): number => {
    let lo = 0;
    let hi = changers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c.returned[changers[mid]!]! < t) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return -1;
    let other = best1[lo - 1]!;
    if (other === w) other = best2[lo - 1]!;
    return other >= 0 && c.returned[w]! < c.invoked[other]! ? other : -1;
  };
  const deps: number[][] = [];
  for (let i = 0; i < n; i++) {
    const d = new Set<number>();
    const t = c.invoked[i]!;
    // a read of a given value keeps its (usually single) writer even when it was overwritten,
    // for the reader of the slice; "some value" (a delete that existed) keeps the candidates
    const observe = (ws: readonly number[], keepOverwritten = true) => {
      for (const w of ws) {
        if (w === i || c.invoked[w]! > c.returned[i]!) continue;
        const other = supersededBy(w, t);
        if (other >= 0) d.add(other);
        if (other < 0 || keepOverwritten) d.add(w);
      }
    };
    const of = (v: number) => writers.get(v) ?? [];
    switch (c.kind[i] as Kind) {
      case Kind.Get:
        observe(of(c.a[i]!));
        break;
      case Kind.CasOk:
      case Kind.CasUnknown:
        observe(of(c.a[i]!));
        break;
      case Kind.CasFailed:
        observe(of(c.b[i]!));
        break;
      case Kind.DeleteKnown:
        // it saw absent, or some value: any write of one that could have been the last
        if (c.a[i] === 0) observe(of(0));
        else observe(nonNull, false);
        break;
    }
    d.delete(i);
    deps.push([...d]);
  }
  return deps;
}

function closure(members: Iterable<number>, deps: number[][], n: number): number[] {
  const inSet = new Uint8Array(n);
  const work: number[] = [];
  for (const i of members) {
    if (!inSet[i]) {
      inSet[i] = 1;
      work.push(i);
    }
  }
  while (work.length > 0) {
    const i = work.pop()!;
    for (const d of deps[i]!) {
      if (!inSet[d]) {
        inSet[d] = 1;
        work.push(d);
      }
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (inSet[i]) out.push(i);
  return out;
}

function subset(c: Compiled, members: readonly number[]): Compiled {
  const k = members.length;
  const s: Compiled = {
    n: k,
    kind: new Uint8Array(k),
    a: new Int32Array(k),
    b: new Int32Array(k),
    invoked: new Float64Array(k),
    returned: new Float64Array(k),
  };
  members.forEach((i, j) => {
    s.kind[j] = c.kind[i]!;
    s.a[j] = c.a[i]!;
    s.b[j] = c.b[i]!;
    s.invoked[j] = c.invoked[i]!;
    s.returned[j] = c.returned[i]!;
  });
  return s;
}

/** Shrinks a failing compiled key to a small closed failing subset; returns it and whether it is 1-minimal. */
function shrink(
  c: Compiled,
  horizon: number,
  deadline: number,
  now: () => number,
  maxMemoWords: number,
): { members: number[]; minimal: boolean } {
  const deps = observationDeps(c);
  const n = c.n;
  let outOfTime = false;
  const fails = (members: readonly number[]): boolean => {
    if (now() > deadline) {
      outOfTime = true;
      return false;
    }
    const r = search(subset(c, members), {
      deadline,
      maxSteps: 2_000_000,
      maxMemoWords,
      now,
    });
    if (r.outcome === Outcome.Aborted && r.aborted === "time") outOfTime = true;
    return r.outcome === Outcome.NotLinearizable;
  };
  // By invocation order.
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => c.invoked[x]! - c.invoked[y]! || x - y,
  );
  // 1. the shortest failing prefix. The search never got past the horizon, so what was
  // invoked after it is irrelevant (it never was a candidate); then a binary search (the
  // whole prefix fails, the empty one not).
  let lo = 0;
  let hi = n;
  while (hi > 1 && c.invoked[order[hi - 1]!]! > horizon) hi--;
  // a failure is usually local: first try growing windows that end at the horizon
  for (let k = 8; k < hi && !outOfTime; k *= 2) {
    if (fails(closure(order.slice(hi - k, hi), deps, n))) {
      order.splice(0, hi - k);
      hi = k;
      break;
    }
  }
  while (hi - lo > 1 && !outOfTime) {
    const mid = (lo + hi) >>> 1;
    if (fails(closure(order.slice(0, mid), deps, n))) hi = mid;
    else lo = mid;
  }
  let current = closure(order.slice(0, hi), deps, n);
  // 2. drop as much of the front as possible
  const byInvoke = [...current].sort((x, y) => c.invoked[x]! - c.invoked[y]! || x - y);
  lo = 0;
  hi = byInvoke.length;
  while (hi - lo > 1 && !outOfTime) {
    const mid = (lo + hi) >>> 1;
    if (fails(closure(byInvoke.slice(mid), deps, n))) lo = mid;
    else hi = mid;
  }
  if (lo > 0) current = closure(byInvoke.slice(lo), deps, n);
  // 3. ddmin
  let parts = 2;
  while (current.length >= 2 && !outOfTime) {
    const size = Math.ceil(current.length / parts);
    const chunks: number[][] = [];
    for (let k = 0; k < current.length; k += size) chunks.push(current.slice(k, k + size));
    let reduced = false;
    for (const chunk of chunks) {
      const cand = closure(chunk, deps, n);
      if (cand.length < current.length && fails(cand)) {
        current = cand;
        parts = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && chunks.length > 2) {
      for (const chunk of chunks) {
        const drop = new Set(chunk);
        const cand = closure(
          current.filter((i) => !drop.has(i)),
          deps,
          n,
        );
        if (cand.length < current.length && fails(cand)) {
          current = cand;
          parts = Math.max(parts - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (parts >= current.length) break;
      parts = Math.min(parts * 2, current.length);
    }
  }
  // 1-minimal means no single removal still fails: ddmin ends there unless it ran out of time.
  return { members: current, minimal: !outOfTime };
}

// ---------------------------------------------------------------------------------------------
// Explanations

function shortValue(v: string | null): string {
  if (v === null) return "absent";
  const s = v.length > 20 ? `${v.slice(0, 16)}…` : v;
  return JSON.stringify(s);
}

/** "put "v"", "get → "v"", "cas("a"→"b") → ok", with "→ ?" when the outcome is unknown. */
export function describeOp(op: Operation, result: Result | null): string {
  const v = shortValue;
  let call: string;
  switch (op.type) {
    case "get":
      call = "get";
      break;
    case "put":
      call = `put ${v(op.value)}`;
      break;
    case "delete":
      call = "delete";
      break;
    case "cas":
      call = `cas(${v(op.expected)}→${v(op.value)})`;
      break;
  }
  if (result === null) return `${call} → ? (unknown outcome)`;
  switch (result.type) {
    case "get":
      return `${call} → ${v(result.value)}`;
    case "put":
      return `${call} → ok`;
    case "delete":
      return `${call} → ${result.existed ? "existed" : "was absent"}`;
    case "cas":
      return `${call} → ${result.ok ? "ok" : `failed, saw ${v(result.value)}`}`;
  }
}

function fmtTime(t: number | null): string {
  if (t === null) return "∞";
  return Number.isInteger(t) ? String(t) : t.toFixed(3).replace(/\.?0+$/, "");
}

export function describeSliceOp(o: HistoryOp): string {
  const who = `${o.clientId}${o.seq === undefined ? "" : `#${o.seq}`}`;
  return `${who} ${describeOp(o.op, o.result)} [${fmtTime(o.invokedAt)}, ${fmtTime(o.returnedAt)}]`;
}

/** Why operation i cannot be applied to state s (its result says otherwise). */
function whyNot(c: Compiled, i: number, s: number, values: Interner): string {
  const held = shortValue(values.value(s));
  switch (c.kind[i] as Kind) {
    case Kind.Get:
      return `it read ${shortValue(values.value(c.a[i]!))} but the key holds ${held}`;
    case Kind.DeleteKnown:
      return `it reported the key ${c.a[i] === 1 ? "existed" : "absent"} but the key holds ${held}`;
    case Kind.CasOk:
      return `it succeeded expecting ${shortValue(values.value(c.a[i]!))} but the key holds ${held}`;
    case Kind.CasFailed:
      return `it failed having seen ${shortValue(values.value(c.b[i]!))} but the key holds ${held}`;
    default:
      return "no state of the key gives its result";
  }
}

function explain(
  key: string,
  c: Compiled,
  slice: readonly HistoryOp[],
  keyOps: readonly HistoryOp[],
  values: Interner,
  now: () => number,
): string {
  const lines: string[] = [];
  lines.push(
    `No order of these ${slice.length} operation(s) on key ${JSON.stringify(key)} respects both ` +
      "their real-time order (an operation that returned before another was invoked comes first) " +
      "and the key-value semantics.",
  );
  // values read (or seen) that nothing in the key's whole history wrote
  const written = new Set<string>();
  for (const o of keyOps) {
    if (o.op.type === "put" || o.op.type === "cas") written.add(o.op.value);
  }
  for (const o of slice) {
    const r = o.result;
    const seen = r?.type === "get" ? r.value : r?.type === "cas" && !r.ok ? r.value : null;
    if (seen !== null && !written.has(seen)) {
      lines.push(
        `${o.clientId}${o.seq === undefined ? "" : `#${o.seq}`} saw ${shortValue(seen)}, which no operation on the key ever wrote.`,
      );
    }
  }
  const r = search(
    c,
    { deadline: now() + 1000, maxSteps: 1_000_000, maxMemoWords: 1 << 24, now },
    true,
  );
  const best = r.deepest;
  if (best) {
    const done = new Set(best.ops);
    if (best.ops.length === 0) {
      lines.push("Not even the first operation can be placed: the key starts absent.");
    } else {
      lines.push(
        `The longest valid order found places ${best.ops.length} of them: ` +
          best.ops.map((i) => describeOp(slice[i]!.op, slice[i]!.result)).join(", then ") +
          `; the key then holds ${shortValue(values.value(best.state))}.`,
      );
    }
    // the operation that must come next: the earliest return among the rest, and what may precede it
    let deadlineOp = -1;
    for (let i = 0; i < c.n; i++) {
      if (done.has(i) || c.returned[i] === Number.POSITIVE_INFINITY) continue;
      if (deadlineOp < 0 || c.returned[i]! < c.returned[deadlineOp]!) deadlineOp = i;
    }
    if (deadlineOp >= 0) {
      const candidates: number[] = [];
      for (let i = 0; i < c.n; i++) {
        if (!done.has(i) && c.invoked[i]! <= c.returned[deadlineOp]!) candidates.push(i);
      }
      const d = slice[deadlineOp]!;
      lines.push(
        `Next, ${describeOp(d.op, d.result)} (returned at ${fmtTime(d.returnedAt)}) must take effect, ` +
          "possibly after operations invoked before that:",
      );
      for (const i of candidates) {
        const o = slice[i]!;
        const s = step(c, i, best.state);
        lines.push(
          `  - ${describeSliceOp(o)}: ${s < 0 ? whyNot(c, i, best.state, values) : "it applies, but every order continuing with it fails later"}`,
        );
      }
    }
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// The check

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
    maxKeyOperations: Math.max(0, ...[...byKey.values()].map((l) => l.length)),
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

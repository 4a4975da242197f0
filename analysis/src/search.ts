// Wing & Gong's search with Lowe's memo over one key's compiled operations (see
// linearizability.ts for the whole method).

import { blindWrite, type Compiled, readOnly as isReadOnly, Kind, step } from "./kv-model.js";

export const Outcome = {
  Linearizable: 0,
  NotLinearizable: 1,
  /** out of time, steps or memory */
  Aborted: 2,
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

export interface SearchLimits {
  deadline: number;
  maxSteps: number;
  maxMemoWords: number;
  now: () => number;
}

export interface SearchResult {
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
 *
 * Pruning by unknown-outcome operations: a configuration (K, U, s) (known operations K and
 * unknown ones U linearized, the key in state s) that failed makes every (K, U', s) with U' a
 * superset of U fail too: any way to finish from (K, U', s) finishes from (K, U, s) as well,
 * by leaving the operations of U' - U out (an unknown operation need not take effect), since
 * the remaining known operations and their deadlines are the same. So the memo is keyed by
 * (K, s) only, and a configuration is skipped when one with the same (K, s) and a subset of its
 * U has failed (been backtracked from). Without it a hot key with deletes and many unknown
 * outcomes fills the memo with configurations that differ only in which unknown deletes and
 * puts were used, and the search runs out of time or memory on a linearizable history.
 *
 * And an unknown operation is never directly followed by a known blind write (a put, a delete
 * whose answer is not known): in a valid order with the fewest unknown operations, the one
 * after an unknown operation u depends on the state u left, else u could be left out. As what
 * may follow a configuration then depends on whether its last choice was unknown, that bit is
 * part of the memo's state (2 * state + bit); the pruning above holds for either bit.
 *
 * Unknown operations of the same effect are used in invocation order (prevSame below): after
 * both were invoked they are interchangeable, so trying each of them would only repeat work.
 */
export function search(c: Compiled, limits: SearchLimits, explain = false): SearchResult {
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
  // Unknown operations with the same effect (kind and arguments: every blind delete, the puts of
  // one value, ...) are interchangeable once invoked, as they never return: they are used in
  // invocation order, so the search picks one of them where it could pick any (prevSame: the
  // unknown rank of the previous one with the same effect, or -1).
  const prevSame = new Int32Array(nu).fill(-1);
  {
    const lastOf = new Map<string, number>();
    for (let u = 0; u < nu; u++) {
      const i = unknownIdx[u]!;
      const sig = `${c.kind[i]}:${c.a[i]}:${c.b[i]}`;
      prevSame[u] = lastOf.get(sig) ?? -1;
      lastOf.set(sig, u);
    }
  }
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
  /** entries backtracked from: they and every superset of their unknown set fail */
  let entryFailed = new Uint8Array(16);
  /** the entry of the configuration pushed last (set by seenOrAdd when it adds one) */
  let added = -1;
  let cap = 16; // grows by doubling: most keys of a big history need a handful of entries
  let entryState = new Int32Array(cap);
  let entryF = new Int32Array(cap);
  let entryHi = new Int32Array(cap);
  let entryOff = new Int32Array(cap);
  let chain = new Int32Array(cap);
  let arena = new Uint32Array(64);
  let used = 0;
  let size = 0;
  const grow = <T extends Int32Array>(a: T): T => {
    const b = new Int32Array(a.length * 2) as T;
    b.set(a);
    return b;
  };
  /**
   * true when (linearized set, s) was seen before, or a subset of it by unknown operations
   * failed; else remembers it (in `added`). `h` hashes the known set and the state only.
   */
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
      if (entryFailed[e] === 1) {
        // a failed configuration whose unknown set is a subset of ours: we fail too
        w = 0;
        while (w < wu && (arena[base + w]! & ~bitsU[w]!) === 0) w++;
        if (w === wu) return true;
      }
    }
    if (size === cap) {
      cap *= 2;
      entryState = grow(entryState);
      entryF = grow(entryF);
      entryHi = grow(entryHi);
      entryOff = grow(entryOff);
      chain = grow(chain);
      const failed = new Uint8Array(cap);
      failed.set(entryFailed);
      entryFailed = failed;
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
    added = size;
    size++;
    return false;
  };

  // Operations that never change the state, wherever they apply (the forced moves below).
  const readOnly = new Uint8Array(n);
  for (let i = 0; i < n; i++) readOnly[i] = isReadOnly(c, i) ? 1 : 0;

  // The stack of choices: the operation, and what to restore when it is undone.
  const stackOp = new Int32Array(n);
  const stackState = new Int32Array(n);
  const stackF = new Int32Array(n);
  const stackHi = new Int32Array(n);
  const stackLimit = new Float64Array(n);
  const stackForced = new Uint8Array(n);
  /** the memo entry of the configuration each choice led to */
  const stackEntry = new Int32Array(n);
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
    stackEntry[depth] = added;
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
    // memo state: the key's state, and 0: the last choice was a known operation (see below)
    if (seenOrAdd((h ^ mixState(2 * s)) | 0, 2 * s, newF, newHi)) {
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
  /** the last choice was an unknown-outcome operation */
  const afterUnknown = () =>
    depth > 0 && c.returned[stackOp[depth - 1]!] === Number.POSITIVE_INFINITY;
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
      const i = knownIdx[r]!;
      // right after an unknown operation, a blind write would make it useless (see below)
      const s = afterUnknown() && blindWrite(c, i) ? -1 : step(c, i, state);
      if (s >= 0 && tryKnown(r, s, false)) mode = FRESH;
      else entry = next[entry]!;
      continue;
    }
    if (mode === UNKNOWN) {
      while (uCur < nu && (bitsU[uCur >>> 5]! & (1 << (uCur & 31))) !== 0) uCur++;
      if (uCur < nu && c.invoked[unknownIdx[uCur]!]! <= limit) {
        const i = unknownIdx[uCur]!;
        const p = prevSame[uCur]!;
        const s = p >= 0 && (bitsU[p >>> 5]! & (1 << (p & 31))) === 0 ? -1 : step(c, i, state);
        if (s >= 0 && s !== state && observed(s, uCur)) {
          const w = uCur >>> 5;
          const bit = 1 << (uCur & 31);
          bitsU[w] = bitsU[w]! | bit;
          // the hash covers the known set only (see the pruning above)
          // memo state: the key's state, and 1: the last choice was an unknown operation
          if (!seenOrAdd((setHash ^ mixState(2 * s + 1)) | 0, 2 * s + 1, f, hi)) {
            push(i, s, setHash, false);
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
    // every way on from the configuration this choice led to was tried: it fails
    entryFailed[stackEntry[depth]!] = 1;
    const j = stackOp[depth]!;
    state = stackState[depth]!;
    f = stackF[depth]!;
    hi = stackHi[depth]!;
    const r = rank[j]!;
    if (c.returned[j] !== Number.POSITIVE_INFINITY) {
      setHash ^= z[j]!;
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

// Shrinking a failing key to a small, faithful slice: prefix and suffix trimming, then ddmin,
// every candidate closed under "what it observed" (observationDeps) so that a slice that fails
// is a witness that the whole history fails.

import { type Compiled, Kind } from "./kv-model.js";
import { Outcome, search } from "./search.js";

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
  if (c.hasAppend) return appendDeps(c);
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
      case Kind.DeleteBlind:
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
      case Kind.CasFailedBlind: {
        // it saw some value other than the expected one: any write of one
        const expected = c.a[i]!;
        const others: number[] = [];
        for (const [v, ws] of writers) if (v !== expected) others.push(...ws);
        observe(others, false);
        break;
      }
    }
    d.delete(i);
    deps.push([...d]);
  }
  return deps;
}

/**
 * The dependencies when the key has appends: a value is then the last put (or cas, or delete:
 * "") followed by the appends since, so an operation that observed a value R needs every put
 * or successful cas whose value begins R, every append whose value occurs in R, and every
 * delete, that began before it returned. In a linearization of H, the operations that set the
 * state an operation observed (the last reset before it and the appends after that reset) are
 * all among these, so the closed-subset argument above holds. Observing "some value" (a delete
 * that found the key, a failed cas that did not say what it saw) needs every write.
 */
function appendDeps(c: Compiled): number[][] {
  const n = c.n;
  const text = (id: number) => c.values.value(id) ?? "";
  const resets: number[] = []; // put, successful or unknown cas: value in b (cas) or a (put)
  const appends: number[] = [];
  const deletes: number[] = [];
  for (let i = 0; i < n; i++) {
    switch (c.kind[i] as Kind) {
      case Kind.Put:
      case Kind.CasOk:
      case Kind.CasUnknown:
        resets.push(i);
        break;
      case Kind.Append:
        appends.push(i);
        break;
      case Kind.DeleteKnown:
      case Kind.DeleteBlind:
        deletes.push(i);
        break;
    }
  }
  const written = (w: number) => text(c.kind[w] === Kind.Put ? c.a[w]! : c.b[w]!);
  const deps: number[][] = [];
  for (let i = 0; i < n; i++) {
    const d: number[] = [];
    const before = (w: number) => w !== i && c.invoked[w]! <= c.returned[i]!;
    const observeValue = (id: number) => {
      for (const w of deletes) if (before(w)) d.push(w);
      if (id === 0) return;
      const r = text(id);
      for (const w of resets) if (before(w) && r.startsWith(written(w))) d.push(w);
      for (const w of appends) if (before(w) && r.includes(text(c.a[w]!))) d.push(w);
    };
    const observeAny = () => {
      for (const list of [deletes, resets, appends]) for (const w of list) if (before(w)) d.push(w);
    };
    switch (c.kind[i] as Kind) {
      case Kind.Get:
      case Kind.CasOk:
      case Kind.CasUnknown:
        observeValue(c.a[i]!);
        break;
      case Kind.CasFailed:
        observeValue(c.b[i]!);
        break;
      case Kind.DeleteKnown:
        if (c.a[i] === 0) observeValue(0);
        else observeAny();
        break;
      case Kind.CasFailedBlind:
        observeAny();
        break;
    }
    deps.push(d);
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
    values: c.values,
    hasAppend: c.hasAppend,
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
export function shrink(
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

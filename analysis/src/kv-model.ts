// The key-value model the checker searches with: a key's operations compiled into typed arrays
// (kind, interned arguments, times) and step(), the state a key is in after one operation.
// Values are interned: 0 is "absent".

import type { HistoryOp } from "./history.js";

export const Kind = {
  Get: 0,
  Put: 1,
  /** a delete that said whether the key existed */
  DeleteKnown: 2,
  /** a delete whose answer is unknown (no outcome, or "existed" not recorded): the key is absent after it */
  DeleteBlind: 3,
  CasOk: 4,
  /** a failed cas that said which value it saw */
  CasFailed: 5,
  CasUnknown: 6,
  /** a result no state can produce (a cas that "succeeded" with another value, ...) */
  Impossible: 7,
  /** appends its value to the key's (absent counts as "") */
  Append: 8,
  /** a failed cas that did not say what it saw: the key held something other than expected */
  CasFailedBlind: 9,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** The operations of one key, as the search sees them. Values are interned: 0 is "absent". */
export interface Compiled {
  n: number;
  kind: Uint8Array;
  /** get: the value read; put, append: the value; delete: 1 if it existed; cas: expected */
  a: Int32Array;
  /** cas: the new value (ok/unknown) or the value seen (failed) */
  b: Int32Array;
  invoked: Float64Array;
  /** +Infinity when unknown */
  returned: Float64Array;
  /** the key's values; appends intern the values they make as the search goes */
  values: Interner;
  /** whether any operation is an append (values then compose: see shrink.ts) */
  hasAppend: boolean;
}

export class Interner {
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

export function compile(ops: readonly HistoryOp[], values: Interner): Compiled {
  const n = ops.length;
  const c: Compiled = {
    n,
    kind: new Uint8Array(n),
    a: new Int32Array(n),
    b: new Int32Array(n),
    invoked: new Float64Array(n),
    returned: new Float64Array(n),
    values,
    hasAppend: false,
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
      case "append":
        kind = r === null || r.type === "append" ? Kind.Append : Kind.Impossible;
        c.a[i] = values.id(op.value);
        c.hasAppend = true;
        break;
      case "delete":
        if (r === null || (r.type === "delete" && r.existed === undefined)) kind = Kind.DeleteBlind;
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
          // a successful cas leaves (and, when it says, reports) its new value
          kind = r.value === undefined || r.value === op.value ? Kind.CasOk : Kind.Impossible;
          c.b[i] = values.id(op.value);
        } else if (r.value === undefined) {
          // a failed cas that did not say what it saw: something other than the expected value
          kind = Kind.CasFailedBlind;
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
export function step(c: Compiled, i: number, s: number): number {
  switch (c.kind[i] as Kind) {
    case Kind.Get:
      return s === c.a[i] ? s : -1;
    case Kind.Put:
      return c.a[i]!;
    case Kind.Append:
      return c.values.id((c.values.value(s) ?? "") + (c.values.value(c.a[i]!) ?? ""));
    case Kind.DeleteKnown:
      return (s !== 0) === (c.a[i] === 1) ? 0 : -1;
    case Kind.DeleteBlind:
      return 0;
    case Kind.CasOk:
      return s === c.a[i] ? c.b[i]! : -1;
    case Kind.CasFailed:
      return s !== c.a[i] && s === c.b[i] ? s : -1;
    case Kind.CasFailedBlind:
      return s !== c.a[i] ? s : -1;
    case Kind.CasUnknown:
      return s === c.a[i] ? c.b[i]! : s;
    default:
      return -1;
  }
}

/**
 * A write whose effect does not depend on the state (put, a delete whose answer is unknown):
 * it observes nothing. (An append is not one: what it leaves depends on what it found.)
 */
export function blindWrite(c: Compiled, i: number): boolean {
  const k = c.kind[i] as Kind;
  return k === Kind.Put || k === Kind.DeleteBlind;
}

/** Never changes the state, wherever it applies (a read, a failed cas, ...). */
export function readOnly(c: Compiled, i: number): boolean {
  const k = c.kind[i] as Kind;
  return (
    k === Kind.Get ||
    k === Kind.CasFailed ||
    k === Kind.CasFailedBlind ||
    (k === Kind.DeleteKnown && c.a[i] === 0) ||
    (k === Kind.CasOk && c.a[i] === c.b[i])
  );
}

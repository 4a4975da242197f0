// Test scaffolding: terse constructors for history operations, and a brute-force reference
// checker (every order of every subset of the unknown-outcome operations) for small histories.
import type { HistoryOp, KvOperation, KvResult } from "../src/history.js";

let seqs = 0;
function mk(
  clientId: string,
  op: KvOperation,
  result: KvResult | null,
  invokedAt: number,
  returnedAt: number | null,
): HistoryOp {
  return {
    clientId,
    seq: seqs++,
    op,
    result: returnedAt === null ? null : result,
    invokedAt,
    returnedAt,
  };
}

/** put(client, key, value, invokedAt, returnedAt | null) */
export const put = (c: string, key: string, value: string, inv: number, ret: number | null) =>
  mk(c, { type: "put", key, value }, { type: "put" }, inv, ret);

/** get(client, key, value read, invokedAt, returnedAt | null) */
export const get = (
  c: string,
  key: string,
  value: string | null,
  inv: number,
  ret: number | null,
) => mk(c, { type: "get", key }, { type: "get", value }, inv, ret);

export const del = (c: string, key: string, existed: boolean, inv: number, ret: number | null) =>
  mk(c, { type: "delete", key }, { type: "delete", existed }, inv, ret);

/** cas(client, key, expected, new value, ok, value after (ok: the new value; failed: what it saw), ...) */
export const cas = (
  c: string,
  key: string,
  expected: string | null,
  value: string,
  ok: boolean,
  seen: string | null,
  inv: number,
  ret: number | null,
) =>
  mk(
    c,
    { type: "cas", key, expected, value },
    { type: "cas", ok, value: ok ? value : seen },
    inv,
    ret,
  );

/** append(client, key, value, invokedAt, returnedAt | null) */
export const append = (c: string, key: string, value: string, inv: number, ret: number | null) =>
  mk(c, { type: "append", key, value }, { type: "append" }, inv, ret);

/** A failed cas that did not say what it saw (Jepsen's and etcd's `:fail`). */
export const casFailedBlind = (
  c: string,
  key: string,
  expected: string | null,
  value: string,
  inv: number,
  ret: number | null,
) => mk(c, { type: "cas", key, expected, value }, { type: "cas", ok: false }, inv, ret);

/** A delete that did not say whether the key existed. */
export const delBlind = (c: string, key: string, inv: number, ret: number | null) =>
  mk(c, { type: "delete", key }, { type: "delete" }, inv, ret);

/** The key-value semantics written the plain way, as the reference sees them. */
function apply(kv: Map<string, string>, op: KvOperation): KvResult {
  const had = kv.get(op.key) ?? null;
  switch (op.type) {
    case "get":
      return { type: "get", value: had };
    case "put":
      kv.set(op.key, op.value);
      return { type: "put" };
    case "append":
      kv.set(op.key, (had ?? "") + op.value);
      return { type: "append" };
    case "delete":
      kv.delete(op.key);
      return { type: "delete", existed: had !== null };
    case "cas":
      if (had !== op.expected) return { type: "cas", ok: false, value: had };
      kv.set(op.key, op.value);
      return { type: "cas", ok: true, value: op.value };
  }
}

/** Does the recorded result agree with the real one, in every field it records? */
function sameResult(real: KvResult, recorded: KvResult): boolean {
  const rec = recorded as Record<string, unknown>;
  const actual = real as Record<string, unknown>;
  return Object.keys(rec).every((k) => rec[k] === actual[k]);
}

/**
 * Reference: is there an order of all returned operations and any subset of the unknown ones
 * that respects real time (a returned strictly before b invoked => a first) and in which the
 * key-value store gives every returned operation its recorded result? Exponential: small only.
 */
export function bruteForce(history: readonly HistoryOp[]): boolean {
  const n = history.length;
  const placed = new Array<boolean>(n).fill(false);
  const known = history.map((h) => h.returnedAt !== null && h.result !== null);
  const knownCount = known.filter(Boolean).length;
  const order: number[] = [];
  const replay = (): boolean => {
    const kv = new Map<string, string>();
    for (const i of order) {
      const r = apply(kv, history[i]!.op);
      if (known[i] && !sameResult(r, history[i]!.result!)) return false;
    }
    return true;
  };
  const dfs = (placedKnown: number): boolean => {
    if (!replay()) return false;
    if (placedKnown === knownCount) return true;
    for (let i = 0; i < n; i++) {
      if (placed[i]) continue;
      const h = history[i]!;
      // every operation that returned before i was invoked must already be placed
      let ok = true;
      for (let j = 0; j < n && ok; j++) {
        if (j !== i && !placed[j] && known[j] && history[j]!.returnedAt! < h.invokedAt) ok = false;
      }
      if (!ok) continue;
      placed[i] = true;
      order.push(i);
      const found = dfs(placedKnown + (known[i] ? 1 : 0));
      order.pop();
      placed[i] = false;
      if (found) return true;
    }
    return false;
  };
  return dfs(0);
}

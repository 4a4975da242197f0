// Test scaffolding: terse constructors for history operations, and a brute-force reference
// checker (every order of every subset of the unknown-outcome operations) for small histories.
import { KeyValueStore, type Operation, type Result } from "@paxos/core";
import type { HistoryOp } from "../src/history.js";

let seqs = 0;
function mk(
  clientId: string,
  op: Operation,
  result: Result | null,
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

function sameResult(a: Result, b: Result): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
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
    const kv = new KeyValueStore();
    for (const i of order) {
      const r = kv.apply(history[i]!.op);
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

// Random linearizable histories of the key-value service, for the benchmark and the property
// tests: clients issue operations one after another with random latencies; each operation takes
// effect at a random instant inside its interval, and results are computed by applying the
// operations to the real key-value store in the order of those instants (so the history is
// linearizable by construction). Some operations time out: their outcome is unknown, and they
// took effect or not (a coin flip).

import { KeyValueStore, type Operation, type Result } from "@paxos/core";
import type { HistoryOp } from "../src/history.js";

export interface GenerateOptions {
  operations: number;
  keys: number;
  clients: number;
  /** operations each client keeps in flight (default 1) */
  outstanding?: number;
  /** key distribution (default uniform) */
  zipf?: number;
  /** mean latency, ms (default 5; exponential on top of a 0.5 ms floor) */
  meanLatencyMs?: number;
  /** fraction of operations whose outcome is unknown (default 0.002) */
  unknownRate?: number;
  /** fraction of gets, puts, cas and deletes (default 0.5, 0.3, 0.15, 0.05) */
  mix?: { get: number; put: number; cas: number; delete: number };
  seed?: number;
}

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Pending {
  h: {
    clientId: string;
    seq: number;
    op: Operation;
    result: Result | null;
    invokedAt: number;
    returnedAt: number | null;
  };
  point: number;
  /** an unknown-outcome operation that never took effect */
  dropped: boolean;
  /** cas: expect the current value (else a stale one) */
  fresh: boolean;
}

export function generateHistory(o: GenerateOptions): HistoryOp[] {
  const random = rng(o.seed ?? 1);
  const mix = o.mix ?? { get: 0.5, put: 0.3, cas: 0.15, delete: 0.05 };
  const total = mix.get + mix.put + mix.cas + mix.delete;
  const meanLat = o.meanLatencyMs ?? 5;
  const unknownRate = o.unknownRate ?? 0.002;
  const outstanding = o.outstanding ?? 1;
  let pickKey: () => number;
  if (o.zipf === undefined) pickKey = () => Math.floor(random() * o.keys);
  else {
    const cdf = new Float64Array(o.keys);
    let sum = 0;
    for (let k = 0; k < o.keys; k++) {
      sum += 1 / (k + 1) ** o.zipf;
      cdf[k] = sum;
    }
    pickKey = () => {
      const u = random() * sum;
      let lo = 0;
      let hi = o.keys - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cdf[mid]! < u) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
  }
  // each lane (client x outstanding slot) issues operations back to back
  const lanes = o.clients * outstanding;
  const laneTime = new Float64Array(lanes);
  for (let l = 0; l < lanes; l++) laneTime[l] = random() * meanLat;
  const seqs = new Int32Array(o.clients);
  const incarnation = new Int32Array(o.clients);
  const all: Pending[] = [];
  for (let n = 0; n < o.operations; n++) {
    // the lane that is free earliest issues the next operation
    let l = 0;
    for (let k = 1; k < lanes; k++) if (laneTime[k]! < laneTime[l]!) l = k;
    const c = l % o.clients;
    const inv = laneTime[l]!;
    const lat = 0.5 + -Math.log(1 - random()) * meanLat;
    const ret = inv + lat;
    const key = `k${pickKey()}`;
    const u = random() * total;
    const value = `c${c}.${seqs[c]}`;
    let op: Operation;
    if (u < mix.get) op = { type: "get", key };
    else if (u < mix.get + mix.put) op = { type: "put", key, value };
    else if (u < mix.get + mix.put + mix.cas) op = { type: "cas", key, expected: null, value };
    else op = { type: "delete", key };
    const unknown = random() < unknownRate;
    const clientId = `c${c}/${incarnation[c]}`;
    all.push({
      h: {
        clientId,
        seq: seqs[c]!,
        op,
        result: null,
        invokedAt: inv,
        returnedAt: unknown ? null : ret,
      },
      point: inv + random() * lat,
      dropped: unknown && random() < 0.5,
      fresh: random() < 0.7,
    });
    seqs[c]!++;
    if (unknown) incarnation[c]!++; // a client that gave up on an operation starts afresh
    laneTime[l] = ret + random() * meanLat * 0.2;
  }
  const byPoint = [...all].sort((a, b) => a.point - b.point);
  const kv = new KeyValueStore();
  const current = new Map<string, string | null>();
  const previous = new Map<string, string | null>();
  for (const p of byPoint) {
    if (p.dropped) continue;
    let op = p.h.op;
    if (op.type === "cas") {
      const expected = p.fresh ? (current.get(op.key) ?? null) : (previous.get(op.key) ?? null);
      op = { ...op, expected };
      p.h.op = op;
    }
    const r = kv.apply(op);
    if (p.h.returnedAt !== null) p.h.result = r;
    const now =
      op.type === "get" || (r.type === "cas" && !r.ok)
        ? undefined
        : op.type === "delete"
          ? null
          : op.value;
    if (now !== undefined) {
      previous.set(op.key, current.get(op.key) ?? null);
      current.set(op.key, now);
    }
  }
  return all.map((p) => p.h);
}

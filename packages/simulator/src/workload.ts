// Closed-loop workload: each client node keeps `outstanding` operations in flight and submits a
// new one as soon as one completes (no think time). Operations come from a seeded stream per
// client incarnation, so they replay with the seed.

import type { Operation } from "@paxos/core";
import { OperationGenerator } from "./operations.js";
import type { SimRng } from "./rng.js";

export interface OperationMix {
  readonly get: number;
  readonly put: number;
  readonly delete: number;
  readonly cas: number;
}

export interface WorkloadSpec {
  /** operations each client node keeps in flight */
  readonly outstandingPerClient: number;
  /** keys are "k0" .. "k{keyCount-1}", drawn uniformly */
  readonly keyCount?: number;
  /** relative weights of the operation types */
  readonly mix?: Partial<OperationMix>;
  /** length of the values written by put and cas */
  readonly valueBytes?: number;
  /** when clients start submitting (virtual ms) */
  readonly startMs?: number;
  /** no operation is invoked at or after this time (virtual ms) */
  readonly stopMs?: number;
}

export const DEFAULT_MIX: OperationMix = { get: 0.5, put: 0.4, delete: 0.05, cas: 0.05 };

export class WorkloadConfigError extends Error {
  override readonly name = "WorkloadConfigError";
}

export interface ResolvedWorkload {
  readonly outstandingPerClient: number;
  readonly keyCount: number;
  readonly mix: OperationMix;
  readonly valueBytes: number;
  readonly startMs: number;
  readonly stopMs: number;
}

export function resolveWorkload(spec: WorkloadSpec): ResolvedWorkload {
  const int = (name: string, v: unknown, min: number): number => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      throw new WorkloadConfigError(
        `workload.${name} must be an integer >= ${min}, got ${String(v)}`,
      );
    }
    return v;
  };
  const mix = { ...DEFAULT_MIX, ...spec.mix };
  let total = 0;
  for (const [k, w] of Object.entries(mix)) {
    if (!(k in DEFAULT_MIX))
      throw new WorkloadConfigError(`workload.mix: unknown operation "${k}"`);
    if (typeof w !== "number" || !(w >= 0) || !Number.isFinite(w)) {
      throw new WorkloadConfigError(`workload.mix.${k} must be a weight >= 0, got ${String(w)}`);
    }
    total += w;
  }
  if (total <= 0) throw new WorkloadConfigError("workload.mix: every weight is 0");
  const startMs = spec.startMs ?? 0;
  const stopMs = spec.stopMs ?? Number.POSITIVE_INFINITY;
  if (!(startMs >= 0) || !(stopMs >= startMs)) {
    throw new WorkloadConfigError(
      `workload: need 0 <= startMs <= stopMs, got ${startMs}, ${stopMs}`,
    );
  }
  return {
    outstandingPerClient: int("outstandingPerClient", spec.outstandingPerClient, 0),
    keyCount: int("keyCount", spec.keyCount ?? 100, 1),
    mix: {
      get: mix.get / total,
      put: mix.put / total,
      delete: mix.delete / total,
      cas: mix.cas / total,
    },
    valueBytes: int("valueBytes", spec.valueBytes ?? 8, 1),
    startMs,
    stopMs,
  };
}

/** Where a closed-loop client's operations come from (SimulationConfig.operations). */
export interface ClientOperations {
  next(seq: number): Operation;
  /** what a completed operation showed of its key (a get's or cas's value) */
  observe(op: Operation, value: string | null): void;
}

/** The simulator's closed loop's operations: the toolkit's generator over uniform keys. */
export function operationSource(
  workload: ResolvedWorkload,
  clientId: string,
  rng: SimRng,
): ClientOperations {
  const g = new OperationGenerator(
    {
      keys: { count: workload.keyCount, distribution: { type: "uniform" } },
      mix: workload.mix,
      valueSizeBytes: workload.valueBytes,
    },
    clientId,
    rng,
  );
  return { next: (seq) => g.next(seq), observe: (op, value) => g.observeValue(op.key, value) };
}

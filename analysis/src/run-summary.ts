// The format of a run's summary.json, defined once: the runner writes it (its `summarize`
// builds exactly this) and the analysis reads it. snake_case, as written. Results folders
// written by older versions may lack the fields marked as newer; readers check what they use.

/** Latency of the operations that returned inside the measurement window, ms. */
export interface LatencyStats {
  count: number;
  mean_ms: number | null;
  stddev_ms: number | null;
  min_ms: number | null;
  p50_ms: number | null;
  p90_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  p999_ms: number | null;
  max_ms: number | null;
}

/** What one fault did to the run. */
export interface FaultEffect {
  at_ms: number;
  what: string;
  /** longest stretch with no completed operation that starts within a second of the fault */
  unavailable_ms: number | null;
  /** from the fault until throughput is back to half its pre-fault rate (null: never) */
  recovery_ms: number | null;
}

/** The system that ran (our engine, or another system under test). */
export interface SystemSummary {
  kind: string;
  name: string;
  label: string;
  /** one sentence: what the latency figures of this system measure */
  latency_measures: string;
  /** whether the run left a client history (false: nothing could be checked) */
  history: boolean;
  /** the quorum variant the run used */
  quorum_label: string;
  /** requests in flight per client, when the system entry set it */
  outstanding: number | null;
}

/** One check's verdict as summary.json keeps it, under the check's name in `checks`. */
export interface CheckSummary {
  passed: boolean;
  kind: "safety" | "liveness";
  violations: string[];
  inconclusive?: boolean;
}

export interface RunSummary {
  experiment: string;
  variant: string;
  quorum: string;
  repetition: number;
  seed: number;
  mode: string;
  time: "simulated" | "wall-clock";
  note: string;
  started_at: string;
  wall_ms: number;
  window: { from_ms: number; to_ms: number };
  ops: { invoked: number; completed: number; in_window: number; unfinished: number };
  throughput: { ops_per_s: number };
  latency: LatencyStats;
  checks: {
    passed: boolean;
    total: number;
    failed: string[];
    inconclusive: string[];
    failed_safety: string[];
    failed_liveness: string[];
    [check: string]: CheckSummary | boolean | number | string[];
  };
  faults: FaultEffect[];
  leadership_changes: number;
  /** over the whole run (warm-up included): batching and message cost, same in every mode */
  engine: {
    slots: number;
    commands: number;
    commands_per_slot: number | null;
    messages_per_command: number | null;
  } | null;
  error: string | null;
  extra: Record<string, unknown>;
  /** which system ran (absent: our engine, in results written before systems existed) */
  system?: SystemSummary;
}

// The shapes of an experiment config: `RawConfig` is what the schema admits (optional fields
// may be missing), `ResolvedConfig` is the same with every default filled in and every sweep
// expanded; the resolved form is what a run saves and what the runner reads.

import type { Timing } from "@paxos/core";
import type { RawSystem, ResolvedSystem } from "../systems/types.js";

export type Mode = "sim" | "local";
export type NodeRole = "replica" | "leader" | "acceptor";

export type Latency =
  | { dist: "constant"; ms: number }
  | { dist: "uniform"; minMs: number; maxMs: number }
  | { dist: "normal"; meanMs: number; stddevMs: number }
  | { dist: "exponential"; meanMs: number };

export interface LinkSpec {
  latency?: Latency;
  jitterMs?: number;
  loss?: number;
  bandwidthMbps?: number;
  /** sim only: probability that a message arrives twice */
  duplicate?: number;
  /** sim only: probability that a message is held back (and so overtaken) by up to 10 ms */
  reorder?: number;
}

export interface ResolvedLink {
  latency: Latency;
  jitterMs: number;
  loss: number;
  bandwidthMbps?: number;
  duplicate?: number;
  reorder?: number;
}

export interface LinkOverride extends LinkSpec {
  from: string;
  to: string;
  symmetric?: boolean;
}

export interface VariantCommon {
  label?: string;
  acceptors?: number;
  thrifty?: boolean;
  allowUnsafe?: boolean;
}

export type ConcreteVariant =
  | ({ kind: "majority" } & VariantCommon)
  | ({ kind: "flexible"; phase1: number; phase2: number } & VariantCommon)
  | ({ kind: "grid"; rows: number; columns: number; phase1?: "row" | "column" } & VariantCommon)
  | ({ kind: "explicit"; phase1: string[][]; phase2: string[][] } & VariantCommon);

export interface Range {
  from?: number;
  to?: number;
}

export interface SweepVariant {
  kind: "sweep";
  label?: string;
  acceptors?: number | Range;
  phase2?: Range;
  thrifty?: boolean;
}

export type QuorumVariant = ConcreteVariant | SweepVariant;

export interface ExplicitNode {
  id: string;
  roles: NodeRole[];
  site?: string;
}

export interface ClusterConfig {
  acceptors?: number;
  replicas?: number;
  leaders?: number;
  colocated?: boolean;
  nodes?: ExplicitNode[];
}

export type ClientsConfig =
  | { type: "closed"; count?: number; outstanding?: number }
  | { type: "open"; ratePerSec: number; count?: number; maxOutstanding?: number };

export type KeyDistribution =
  | { type: "uniform" }
  | { type: "zipfian"; exponent?: number }
  | { type: "hotKey"; hotKeys?: number; hotFraction?: number };

export interface Mix {
  get?: number;
  put?: number;
  delete?: number;
  cas?: number;
}

export interface WorkloadConfig {
  clients?: ClientsConfig;
  mix?: Mix;
  keys?: { count?: number; distribution?: KeyDistribution };
  valueSizeBytes?: number;
  durationMs?: number;
  warmupMs?: number;
  cooldownMs?: number;
}

export interface SitesConfig {
  names: string[];
  latencyMs: number[][];
  jitterMs?: number;
  placement?: "round-robin" | Record<string, string>;
}

export type Fault =
  | { atMs: number; action: "crash"; node: string }
  | { atMs: number; action: "restart"; node: string }
  | { atMs: number; action: "partition"; groups: string[][] }
  | { atMs: number; action: "isolate"; node: string }
  | { atMs: number; action: "heal" }
  | {
      atMs: number;
      action: "link";
      from: string;
      to: string;
      symmetric?: boolean;
      set?: LinkSpec;
      reset?: boolean;
    }
  | { atMs: number; action: "recover" };

/** The nemeses a `chaos` section mixes (see src/chaos/schedule.ts). */
export const NEMESES = [
  "crash",
  "killLeader",
  "partitionHalves",
  "isolateLeader",
  "bridge",
  "slowLink",
  "lossyLink",
  "duplicate",
  "reorder",
] as const;
export type Nemesis = (typeof NEMESES)[number];

/** Nemeses only the simulator can play (the WebSocket transport runs over TCP). */
export const SIM_ONLY_NEMESES: readonly Nemesis[] = ["duplicate", "reorder"];

/** [min, max] */
export type Span = [number, number];

/** One run's concrete fault schedule, as resolved from the chaos section and the run's seed. */
export interface ChaosSchedule {
  variant: string;
  seed: number;
  mode: Mode;
  /** crashed nodes at most at once in this schedule */
  maxConcurrentCrashes: number;
  faults: Fault[];
}

export interface ChaosConfig {
  startMs?: number;
  healByMs?: number;
  rate?: number;
  meanIntervalMs?: number;
  mix?: Partial<Record<Nemesis, number>>;
  faultDurationMs?: Span;
  maxConcurrentCrashes?: number;
  allowUnavailable?: boolean;
  quietMs?: number;
  resumeWithinMs?: number;
  minOpsAfterHeal?: number;
  finalReads?: boolean;
  finalReadsWithinMs?: number;
  intensity?: { slowMs?: Span; loss?: Span; duplicate?: Span; reorder?: Span };
  schedules?: ChaosSchedule[];
}

export interface ResolvedChaos {
  startMs: number;
  healByMs: number;
  meanIntervalMs: number;
  /** as written (a nemesis left out weighs 0); absent: every nemesis the mode can play weighs 1 */
  mix?: Partial<Record<Nemesis, number>>;
  faultDurationMs: Span;
  maxConcurrentCrashes?: number;
  allowUnavailable: boolean;
  quietMs: number;
  resumeWithinMs: number;
  minOpsAfterHeal: number;
  finalReads: boolean;
  finalReadsWithinMs: number;
  intensity: { slowMs: Span; loss: Span; duplicate: Span; reorder: Span };
  /** one per (variant, repetition): what the runs play */
  schedules: ChaosSchedule[];
}

export interface RawConfig {
  $schema?: string;
  name: string;
  description?: string;
  mode?: Mode;
  seed?: number;
  repetitions?: number;
  cluster: ClusterConfig;
  quorums: QuorumVariant[];
  engine?: {
    thrifty?: boolean;
    window?: number;
    maxBatch?: number;
    /** sim only: modelled CPU time of a host turn */
    hostTurn?: HostTurn;
    timing?: Partial<Timing>;
  };
  network?: {
    default?: LinkSpec;
    links?: LinkOverride[];
    sites?: SitesConfig;
    /** sim only: every node's total sending capacity (Mbit/s), shared by its links */
    uplinkMbps?: number;
  };
  workload?: WorkloadConfig;
  faults?: Fault[];
  chaos?: ChaosConfig;
  systems?: RawSystem[];
}

/** The simulator's model of a host turn's CPU time, in microseconds. */
export interface HostTurn {
  fixedUs?: number;
  perMessageUs?: number;
}

/** Everything filled in; sweeps expanded into concrete variants that each carry a label. */
export interface ResolvedConfig {
  $schema?: string;
  name: string;
  description: string;
  mode: Mode;
  seed: number;
  repetitions: number;
  cluster: ClusterConfig;
  quorums: (ConcreteVariant & { label: string })[];
  engine: {
    thrifty: boolean;
    window?: number;
    maxBatch?: number;
    hostTurn?: HostTurn;
    timing: Partial<Timing>;
  };
  network: {
    default: ResolvedLink;
    links: (LinkOverride & { symmetric: boolean })[];
    uplinkMbps?: number;
    sites?: SitesConfig & { jitterMs: number; placement: "round-robin" | Record<string, string> };
  };
  workload: {
    clients:
      | { type: "closed"; count: number; outstanding: number }
      | { type: "open"; ratePerSec: number; count: number; maxOutstanding: number };
    mix: Required<Mix>;
    keys: {
      count: number;
      distribution:
        | { type: "uniform" }
        | { type: "zipfian"; exponent: number }
        | { type: "hotKey"; hotKeys: number; hotFraction: number };
    };
    valueSizeBytes: number;
    durationMs: number;
    warmupMs: number;
    cooldownMs: number;
  };
  faults: Fault[];
  chaos?: ResolvedChaos;
  /** absent: our engine only */
  systems?: ResolvedSystem[];
}

/** One problem with a config: where (a JSON pointer), what, and how to fix it. */
export interface ConfigIssue {
  path: string;
  message: string;
  hint: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly issues: ConfigIssue[],
    readonly file?: string,
  ) {
    super(formatIssues(issues, file));
  }
}

export function formatIssue(issue: ConfigIssue, file?: string): string {
  const where = `${file ? `${file}: ` : ""}${issue.path === "" ? "/" : issue.path}`;
  return `${where}: ${issue.message}\n    hint: ${issue.hint}`;
}

export function formatIssues(issues: readonly ConfigIssue[], file?: string): string {
  const head = `${issues.length} problem${issues.length === 1 ? "" : "s"} in the config`;
  return [head, ...issues.map((i) => `  ${formatIssue(i, file)}`)].join("\n");
}

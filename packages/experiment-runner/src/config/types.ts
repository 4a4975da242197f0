// The shapes of an experiment config, all derived from its JSON Schema (./schema.ts) so that
// the two cannot drift apart. `RawConfig` is what the schema admits as written; `DefaultedConfig`
// is the same after ajv filled in every `default` keyword of the schema; `ResolvedConfig` adds
// what code works out (defaults that depend on other values, sweeps expanded, chaos schedules,
// the liveness bound): it is what a run saves and what the runner reads.

import type { FromSchema } from "json-schema-to-ts";
import type { ResolvedSystem } from "../systems/types.js";
import type { CONFIG_SCHEMA } from "./schema.js";

export { NEMESES, type Nemesis } from "./schema.js";

/** A config as written: a property with a schema default may be missing. */
export type RawConfig = FromSchema<typeof CONFIG_SCHEMA, { keepDefaultedPropertiesOptional: true }>;

/** A config after schema validation with ajv's `useDefaults`: defaulted properties are there. */
export type DefaultedConfig = FromSchema<typeof CONFIG_SCHEMA>;

export type Mode = DefaultedConfig["mode"];
export type ClusterConfig = DefaultedConfig["cluster"];
export type NodeRole = NonNullable<ClusterConfig["nodes"]>[number]["roles"][number];

export type QuorumVariant = DefaultedConfig["quorums"][number];
export type SweepVariant = Extract<QuorumVariant, { kind: "sweep" }>;
export type ConcreteVariant = Exclude<QuorumVariant, { kind: "sweep" }>;

type Network = DefaultedConfig["network"];
/** the network's default link, every setting filled in */
export type ResolvedLink = Network["default"];
/** a per-link override of the network section */
export type LinkOverride = Network["links"][number];
/** a fault as written or generated (a link fault's `symmetric` may be missing: true) */
export type Fault = NonNullable<RawConfig["faults"]>[number];
/** a fault with the schema's defaults filled in (a link fault's `symmetric` is there) */
export type ResolvedFault = DefaultedConfig["faults"][number];
/** a link's behaviour as a link fault sets it: every setting optional */
export type LinkSpec = NonNullable<Extract<Fault, { action: "link" }>["set"]>;
export type Latency = ResolvedLink["latency"];

/** the chaos section with the schema's defaults */
export type ChaosConfig = NonNullable<DefaultedConfig["chaos"]>;
type Chaos = ChaosConfig;
/** [min, max] */
export type Span = Chaos["faultDurationMs"];
/** One run's concrete fault schedule, as resolved from the chaos section and the run's seed. */
export type ChaosSchedule = NonNullable<Chaos["schedules"]>[number];
/** The chaos section with every default worked out (`rate` becomes `meanIntervalMs`). */
export type ResolvedChaos = Omit<Chaos, "rate" | "schedules"> &
  Required<Pick<Chaos, "startMs" | "healByMs" | "meanIntervalMs" | "quietMs" | "resumeWithinMs">> &
  Required<Pick<Chaos, "finalReadsWithinMs">> & {
    /** one per (variant, repetition): what the runs play */
    schedules: ChaosSchedule[];
  };

/** Nemeses only the simulator can play (the WebSocket transport runs over TCP). */
export { SIM_ONLY_NEMESES } from "@paxos/simulator";

/** Everything filled in; sweeps expanded into concrete variants that each carry a label. */
export type ResolvedConfig = Omit<DefaultedConfig, "quorums" | "chaos" | "liveness" | "systems"> & {
  quorums: (ConcreteVariant & { label: string })[];
  chaos?: ResolvedChaos;
  /** the during-fault liveness check (see src/chaos/liveness.ts); absent: off */
  liveness?: { withinMs: number };
  /** absent: our engine only */
  systems?: ResolvedSystem[];
};

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

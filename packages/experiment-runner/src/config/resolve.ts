// From a parsed JSON value to a config the runner can trust: the schema first (ajv), then
// defaults and sweep expansion, then the checks a schema cannot express (ids that name no
// node, quorum systems that are unsafe or do not fit the acceptors, a fault schedule that
// restarts a node that is up, ...). Every problem is collected, with its JSON path and a hint,
// and nothing runs unless there are none.

import { readFileSync } from "node:fs";
import {
  checkIntersection,
  fromSpec,
  type QuorumSpec,
  type QuorumSystem,
  UnsafeQuorumError,
} from "@paxos/quorum-system";
import { fillChaos, resolveSchedules, simOnlyLinkIssues } from "../chaos/resolve.js";
import { expandSystems, fillSystems, OUR_ENGINE } from "../systems/resolve.js";
import type { SystemRun } from "../systems/types.js";
import {
  type ClusterConfig,
  type ConcreteVariant,
  ConfigError,
  type ConfigIssue,
  type Fault,
  type NodeRole,
  type RawConfig,
  type ResolvedConfig,
  type SweepVariant,
} from "./types.js";
import { closest, schemaIssues } from "./validate.js";

export const LEADER_REF = "@leader";
/** in a link fault: every other node */
export const EVERY_REF = "*";

export interface NodeSpec {
  id: string;
  roles: NodeRole[];
  site?: string;
}

/** One quorum variant made concrete: its quorum system and the cluster it runs on. */
export interface Variant {
  index: number;
  /** the position of its quorum variant in config.quorums */
  quorumIndex: number;
  /** the system that runs it (our engine unless the config lists systems) */
  system: SystemRun;
  label: string;
  spec: QuorumSpec;
  quorum: QuorumSystem;
  describe: string;
  thrifty: boolean;
  nodes: NodeSpec[];
  acceptors: string[];
  replicas: string[];
  leaders: string[];
  clients: string[];
  /** node or client id -> site name, for nodes placed in a site */
  sites: Map<string, string>;
}

export interface Experiment {
  config: ResolvedConfig;
  variants: Variant[];
}

export const DEFAULTS = {
  mode: "sim",
  seed: 1,
  repetitions: 1,
  latency: { dist: "constant", ms: 1 },
  clients: { count: 4, outstanding: 1 },
  openCount: 4,
  maxOutstanding: 1000,
  mix: { get: 0.5, put: 0.5, delete: 0, cas: 0 },
  keyCount: 1000,
  zipfExponent: 0.99,
  hotKeys: 1,
  hotFraction: 0.9,
  valueSizeBytes: 64,
  durationMs: 5000,
  warmupMs: 1000,
  cooldownMs: 500,
} as const;

/** Reads, parses, validates and resolves a config file; throws ConfigError with every issue. */
export function loadConfigFile(file: string): Experiment {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(
      [
        {
          path: "",
          message: `cannot read the file: ${(e as Error).message}`,
          hint: "check the path",
        },
      ],
      file,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(
      [
        {
          path: "",
          message: `not valid JSON: ${(e as Error).message}`,
          hint: "JSON has no comments and no trailing commas; keys need double quotes",
        },
      ],
      file,
    );
  }
  try {
    return resolveConfig(value);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.issues, file);
    throw e;
  }
}

/** Validates a parsed config and fills it in; throws ConfigError with every issue found. */
export function resolveConfig(value: unknown): Experiment {
  const issues = schemaIssues(value);
  if (issues.length > 0) throw new ConfigError(issues);
  const raw = value as RawConfig;
  const { config, sources } = fillDefaults(raw, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  const systems = fillSystems(raw.systems, issues);
  if (systems) config.systems = systems;
  const variants = expandSystems(
    config,
    buildVariants(config, sources, issues),
    issues,
    raw.chaos !== undefined,
  );
  // Ids are checked against every variant's cluster, also those whose quorum was refused.
  const scopes =
    issues.length > 0 && !config.cluster.nodes && config.cluster.acceptors === undefined
      ? []
      : config.quorums.map((q) => scopeOf(config, q));
  checkNetwork(config, scopes, issues);
  checkWorkload(config, issues);
  checkFaults(config, scopes, issues);
  const chaos = fillChaos(raw.chaos, config, issues);
  if (chaos && raw.chaos && issues.length === 0) {
    chaos.schedules = resolveSchedules(raw.chaos, chaos, config, variants, issues, (s, path, v) =>
      checkFaultList(
        s.faults,
        path,
        config,
        [scopeOf(config, config.quorums[v.quorumIndex]!)],
        issues,
      ),
    );
  }
  if (chaos) config.chaos = chaos;
  if (issues.length > 0) throw new ConfigError(issues);
  return { config, variants };
}

// ---------------------------------------------------------------------------------------------
// defaults and sweeps

/** Where a resolved variant came from, so its errors point at what the researcher wrote. */
interface Source {
  path: string;
}

function fillDefaults(
  raw: RawConfig,
  issues: ConfigIssue[],
): { config: ResolvedConfig; sources: Source[] } {
  const cluster = fillCluster(raw.cluster, issues);
  const baseAcceptors = cluster.nodes
    ? cluster.nodes.filter((n) => n.roles.includes("acceptor")).length
    : (cluster.acceptors ?? 1);
  const quorums: ResolvedConfig["quorums"] = [];
  const sources: Source[] = [];
  raw.quorums.forEach((v, i) => {
    const path = `/quorums/${i}`;
    if (v.kind === "sweep") {
      for (const expanded of expandSweep(v, baseAcceptors, path, cluster, issues)) {
        quorums.push(expanded);
        sources.push({ path });
      }
    } else {
      if (v.acceptors !== undefined && cluster.nodes) {
        issues.push({
          path: `${path}/acceptors`,
          message: "a per-variant acceptor count needs the counts form of `cluster`",
          hint: "with explicit cluster.nodes, the acceptors are the nodes with the acceptor role",
        });
      }
      quorums.push({ ...v, label: v.label ?? defaultLabel(v, v.acceptors ?? baseAcceptors) });
      sources.push({ path });
    }
  });
  const seenLabels = new Map<string, number>();
  quorums.forEach((q, i) => {
    const first = seenLabels.get(q.label);
    if (first !== undefined) {
      issues.push({
        path: `${sources[i]!.path}/label`,
        message: `label ${JSON.stringify(q.label)} is already used by variant ${first}`,
        hint: "give every variant its own label: results are filed by label",
      });
    } else seenLabels.set(q.label, i);
  });

  const net = raw.network ?? {};
  const link = net.default ?? {};
  const network: ResolvedConfig["network"] = {
    default: {
      latency: link.latency ?? { ...DEFAULTS.latency },
      jitterMs: link.jitterMs ?? 0,
      loss: link.loss ?? 0,
      ...(link.bandwidthMbps === undefined ? {} : { bandwidthMbps: link.bandwidthMbps }),
      ...(link.duplicate === undefined ? {} : { duplicate: link.duplicate }),
      ...(link.reorder === undefined ? {} : { reorder: link.reorder }),
    },
    links: (net.links ?? []).map((l) => ({ ...l, symmetric: l.symmetric ?? true })),
    ...(net.uplinkMbps === undefined ? {} : { uplinkMbps: net.uplinkMbps }),
  };
  if (net.sites) {
    network.sites = {
      ...net.sites,
      jitterMs: net.sites.jitterMs ?? 0,
      placement: net.sites.placement ?? "round-robin",
    };
  }

  const w = raw.workload ?? {};
  const c = w.clients ?? { type: "closed" };
  const clients: ResolvedConfig["workload"]["clients"] =
    c.type === "closed"
      ? {
          type: "closed",
          count: c.count ?? DEFAULTS.clients.count,
          outstanding: c.outstanding ?? DEFAULTS.clients.outstanding,
        }
      : {
          type: "open",
          ratePerSec: c.ratePerSec,
          count: c.count ?? DEFAULTS.openCount,
          maxOutstanding: c.maxOutstanding ?? DEFAULTS.maxOutstanding,
        };
  const mix = w.mix
    ? { get: w.mix.get ?? 0, put: w.mix.put ?? 0, delete: w.mix.delete ?? 0, cas: w.mix.cas ?? 0 }
    : { ...DEFAULTS.mix };
  const d = w.keys?.distribution ?? { type: "uniform" };
  const distribution: ResolvedConfig["workload"]["keys"]["distribution"] =
    d.type === "uniform"
      ? { type: "uniform" }
      : d.type === "zipfian"
        ? { type: "zipfian", exponent: d.exponent ?? DEFAULTS.zipfExponent }
        : {
            type: "hotKey",
            hotKeys: d.hotKeys ?? DEFAULTS.hotKeys,
            hotFraction: d.hotFraction ?? DEFAULTS.hotFraction,
          };
  const config: ResolvedConfig = {
    ...(raw.$schema === undefined ? {} : { $schema: raw.$schema }),
    name: raw.name,
    description: raw.description ?? "",
    mode: raw.mode ?? DEFAULTS.mode,
    seed: raw.seed ?? DEFAULTS.seed,
    repetitions: raw.repetitions ?? DEFAULTS.repetitions,
    cluster,
    quorums,
    engine: {
      thrifty: raw.engine?.thrifty ?? false,
      ...(raw.engine?.window === undefined ? {} : { window: raw.engine.window }),
      ...(raw.engine?.maxBatch === undefined ? {} : { maxBatch: raw.engine.maxBatch }),
      ...(raw.engine?.hostTurn === undefined ? {} : { hostTurn: { ...raw.engine.hostTurn } }),
      timing: { ...raw.engine?.timing },
    },
    network,
    workload: {
      clients,
      mix,
      keys: { count: w.keys?.count ?? DEFAULTS.keyCount, distribution },
      valueSizeBytes: w.valueSizeBytes ?? DEFAULTS.valueSizeBytes,
      durationMs: w.durationMs ?? DEFAULTS.durationMs,
      warmupMs: w.warmupMs ?? DEFAULTS.warmupMs,
      cooldownMs: w.cooldownMs ?? DEFAULTS.cooldownMs,
    },
    faults: (raw.faults ?? []).map((f) =>
      f.action === "link" ? { ...f, symmetric: f.symmetric ?? true } : { ...f },
    ),
  };
  return { config, sources };
}

function fillCluster(c: ClusterConfig, issues: ConfigIssue[]): ClusterConfig {
  if (c.nodes) {
    for (const key of ["acceptors", "replicas", "leaders", "colocated"] as const) {
      if (c[key] !== undefined) {
        issues.push({
          path: `/cluster/${key}`,
          message: "`nodes` and counts are two forms of `cluster`: use one",
          hint: "drop the counts, or drop `nodes` and let the runner name the nodes",
        });
      }
    }
    return { nodes: c.nodes.map((n) => ({ ...n, roles: [...n.roles] })) };
  }
  if (c.acceptors === undefined) {
    issues.push({
      path: "/cluster/acceptors",
      message: "missing: the cluster needs `acceptors` (counts form) or `nodes`",
      hint: 'e.g. "cluster": {"acceptors": 5} or {"nodes": [{"id": "n1", "roles": ["replica", "leader", "acceptor"]}]}',
    });
    return { acceptors: 1, replicas: 1, leaders: 1, colocated: true };
  }
  return {
    acceptors: c.acceptors,
    replicas: c.replicas ?? Math.min(3, c.acceptors),
    leaders: c.leaders ?? Math.min(2, c.acceptors),
    colocated: c.colocated ?? true,
  };
}

function defaultLabel(v: ConcreteVariant, n: number): string {
  switch (v.kind) {
    case "majority":
      return `majority n=${n}`;
    case "flexible":
      return `flexible n=${n} p1=${v.phase1} p2=${v.phase2}`;
    case "grid":
      return `grid ${v.rows}x${v.columns}${v.phase1 === "column" ? " col" : ""}`;
    case "explicit":
      return `explicit n=${n}`;
  }
}

/** phase2 from..to (default 1..floor(n/2)+1) with phase1 = n - phase2 + 1, for each n. */
export function expandSweep(
  v: SweepVariant,
  baseAcceptors: number,
  path: string,
  cluster: ClusterConfig,
  issues: ConfigIssue[],
): (ConcreteVariant & { label: string })[] {
  let ns: number[];
  if (v.acceptors === undefined) ns = [baseAcceptors];
  else if (cluster.nodes) {
    issues.push({
      path: `${path}/acceptors`,
      message: "sweeping the acceptor count needs the counts form of `cluster`",
      hint: "with explicit cluster.nodes, drop `acceptors` from the sweep",
    });
    return [];
  } else if (typeof v.acceptors === "number") ns = [v.acceptors];
  else {
    const from = v.acceptors.from ?? baseAcceptors;
    const to = v.acceptors.to ?? from;
    if (to < from) {
      issues.push({
        path: `${path}/acceptors/to`,
        message: `acceptors.to = ${to} is below acceptors.from = ${from}`,
        hint: "a range runs from..to inclusive, from <= to",
      });
      return [];
    }
    ns = range(from, to);
  }
  const out: (ConcreteVariant & { label: string })[] = [];
  const template = v.label ?? "n={n} p1={phase1} p2={phase2}";
  for (const n of ns) {
    const from = v.phase2?.from ?? 1;
    const to = v.phase2?.to ?? Math.floor(n / 2) + 1;
    if (to > n) {
      issues.push({
        path: `${path}/phase2/to`,
        message: `phase2.to = ${to} exceeds the ${n} acceptors`,
        hint: "a phase-2 quorum cannot be larger than the number of acceptors",
      });
      continue;
    }
    if (to < from) {
      issues.push({
        path: `${path}/phase2/${v.phase2?.to === undefined ? "from" : "to"}`,
        message: `phase2 runs from ${from} to ${to}: an empty range for n=${n}`,
        hint: "a range runs from..to inclusive, from <= to (to defaults to floor(n/2)+1)",
      });
      continue;
    }
    for (const phase2 of range(from, to)) {
      const phase1 = n - phase2 + 1;
      out.push({
        kind: "flexible",
        phase1,
        phase2,
        label: template
          .replaceAll("{n}", String(n))
          .replaceAll("{phase1}", String(phase1))
          .replaceAll("{phase2}", String(phase2)),
        ...(v.acceptors === undefined ? {} : { acceptors: n }),
        ...(v.thrifty === undefined ? {} : { thrifty: v.thrifty }),
      });
    }
  }
  return out;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

// ---------------------------------------------------------------------------------------------
// variants: quorum systems over the cluster's acceptors

/** The nodes of the cluster for a given acceptor count (counts form) or as listed. */
export function clusterNodes(cluster: ClusterConfig, acceptorCount?: number): NodeSpec[] {
  if (cluster.nodes) return cluster.nodes.map((n) => ({ ...n, roles: [...n.roles] }));
  const a = acceptorCount ?? cluster.acceptors ?? 1;
  const r = cluster.replicas ?? Math.min(3, a);
  const l = cluster.leaders ?? Math.min(2, a);
  if (cluster.colocated ?? true) {
    const total = Math.max(a, r, l);
    return range(1, total).map((i) => ({
      id: `n${i}`,
      roles: [
        ...(i <= r ? (["replica"] as const) : []),
        ...(i <= l ? (["leader"] as const) : []),
        ...(i <= a ? (["acceptor"] as const) : []),
      ],
    }));
  }
  return [
    ...range(1, r).map((i) => ({ id: `r${i}`, roles: ["replica"] as NodeRole[] })),
    ...range(1, l).map((i) => ({ id: `l${i}`, roles: ["leader"] as NodeRole[] })),
    ...range(1, a).map((i) => ({ id: `a${i}`, roles: ["acceptor"] as NodeRole[] })),
  ];
}

export function toQuorumSpec(v: ConcreteVariant): QuorumSpec {
  const allow = v.allowUnsafe === undefined ? {} : { allowUnsafe: v.allowUnsafe };
  switch (v.kind) {
    case "majority":
      return { kind: "majority", ...allow };
    case "flexible":
      return { kind: "flexible", phase1: v.phase1, phase2: v.phase2, ...allow };
    case "grid":
      return {
        kind: "grid",
        rows: v.rows,
        columns: v.columns,
        ...(v.phase1 === undefined ? {} : { phase1: v.phase1 }),
        ...allow,
      };
    case "explicit":
      return { kind: "explicit", phase1: v.phase1, phase2: v.phase2, ...allow };
  }
}

function buildVariants(
  config: ResolvedConfig,
  sources: Source[],
  issues: ConfigIssue[],
): Variant[] {
  const clusterIssues = checkCluster(config.cluster);
  issues.push(...clusterIssues);
  if (clusterIssues.length > 0) return [];
  const variants: Variant[] = [];
  config.quorums.forEach((v, i) => {
    const path = sources[i]!.path;
    const nodes = clusterNodes(config.cluster, v.acceptors);
    const acceptors = nodes.filter((n) => n.roles.includes("acceptor")).map((n) => n.id);
    const replicas = nodes.filter((n) => n.roles.includes("replica")).map((n) => n.id);
    const leaders = nodes.filter((n) => n.roles.includes("leader")).map((n) => n.id);
    if (v.kind === "explicit") {
      let bad = false;
      for (const phase of ["phase1", "phase2"] as const) {
        for (const [j, set] of v[phase].entries()) {
          for (const [k, id] of set.entries()) {
            if (acceptors.includes(id)) continue;
            bad = true;
            issues.push({
              path: `${path}/${phase}/${j}/${k}`,
              message: `${JSON.stringify(id)} names no acceptor`,
              hint: `the acceptors of variant ${JSON.stringify(v.label)} are ${acceptors.join(", ")}`,
            });
          }
        }
      }
      if (bad) return;
    }
    const spec = toQuorumSpec(v);
    let quorum: QuorumSystem;
    try {
      quorum = fromSpec(spec, acceptors);
    } catch (e) {
      if (e instanceof UnsafeQuorumError) {
        issues.push({
          path,
          message:
            `variant ${JSON.stringify(v.label)}: ${e.system} is unsafe: phase-1 quorum ` +
            `{${e.witness.phase1.join(", ")}} and phase-2 quorum {${e.witness.phase2.join(", ")}} do not intersect`,
          hint: 'fix the sizes so that phase1 + phase2 > n, or add "allowUnsafe": true to run it on purpose',
        });
      } else {
        issues.push({
          path,
          message: `variant ${JSON.stringify(v.label)}: ${(e as Error).message}`,
          hint: `this variant has ${acceptors.length} acceptors: ${acceptors.join(", ")}`,
        });
      }
      return;
    }
    const describe = quorum.describe();
    const safe = checkIntersection(quorum).safe;
    const clients = range(1, config.workload.clients.count).map((k) => `c${k}`);
    variants.push({
      index: i,
      quorumIndex: i,
      system: { system: OUR_ENGINE, quorumLabel: v.label },
      label: v.label,
      spec,
      quorum,
      describe: safe ? describe : `${describe} UNSAFE`,
      thrifty: v.thrifty ?? config.engine.thrifty,
      nodes,
      acceptors,
      replicas,
      leaders,
      clients,
      sites: placeNodes(config, nodes, clients),
    });
  });
  return variants;
}

function checkCluster(cluster: ClusterConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!cluster.nodes) return issues;
  const seen = new Map<string, number>();
  cluster.nodes.forEach((n, i) => {
    const first = seen.get(n.id);
    if (first !== undefined) {
      issues.push({
        path: `/cluster/nodes/${i}/id`,
        message: `node id ${JSON.stringify(n.id)} is already used by /cluster/nodes/${first}`,
        hint: "every node needs its own id",
      });
    } else seen.set(n.id, i);
    if (/^c\d+$/.test(n.id)) {
      issues.push({
        path: `/cluster/nodes/${i}/id`,
        message: `node id ${JSON.stringify(n.id)} is reserved`,
        hint: "c1, c2, ... are the ids of the workload's clients: choose another id",
      });
    }
  });
  for (const role of ["replica", "leader", "acceptor"] as const) {
    if (!cluster.nodes.some((n) => n.roles.includes(role))) {
      issues.push({
        path: "/cluster/nodes",
        message: `no node has the ${role} role`,
        hint: "a cluster needs at least one replica, one leader and one acceptor",
      });
    }
  }
  return issues;
}

function placeNodes(
  config: ResolvedConfig,
  nodes: NodeSpec[],
  clients: string[],
): Map<string, string> {
  const placed = new Map<string, string>();
  const sites = config.network.sites;
  for (const n of nodes) if (n.site !== undefined) placed.set(n.id, n.site);
  if (!sites) return placed;
  if (sites.placement === "round-robin") {
    const s = sites.names.length;
    const counters = new Map<string, number>();
    const place = (id: string) => {
      if (placed.has(id)) return;
      const prefix = id.replace(/\d+$/, "");
      const k = counters.get(prefix) ?? 0;
      counters.set(prefix, k + 1);
      placed.set(id, sites.names[k % s]!);
    };
    for (const n of nodes) place(n.id);
    for (const c of clients) place(c);
  } else {
    for (const [id, site] of Object.entries(sites.placement)) placed.set(id, site);
  }
  return placed;
}

// ---------------------------------------------------------------------------------------------
// network, workload, faults

/** The ids a variant's cluster has, for checking references. */
interface Scope {
  label: string;
  nodes: string[];
  clients: string[];
}

function scopeOf(config: ResolvedConfig, q: ResolvedConfig["quorums"][number]): Scope {
  return {
    label: q.label,
    nodes: clusterNodes(config.cluster, q.acceptors).map((n) => n.id),
    clients: range(1, config.workload.clients.count).map((k) => `c${k}`),
  };
}

/** An issue when `id` names no node in some variant; `leaderOk` admits "@leader". */
function checkRef(
  id: string,
  path: string,
  variants: Scope[],
  issues: ConfigIssue[],
  opts: { leaderOk: boolean; clientsOk: boolean; everyOk?: boolean },
): void {
  if (id === EVERY_REF && opts.everyOk) return;
  if (id === LEADER_REF) {
    if (!opts.leaderOk) {
      issues.push({
        path,
        message: `"${LEADER_REF}" is only meaningful in faults`,
        hint: "static settings name nodes by id",
      });
    }
    return;
  }
  for (const v of variants) {
    const ids = opts.clientsOk ? [...v.nodes, ...v.clients] : v.nodes;
    if (!ids.includes(id)) {
      const guess = closest(id, ids);
      issues.push({
        path,
        message: `${JSON.stringify(id)} names no node${variants.length > 1 ? ` of variant ${JSON.stringify(v.label)}` : ""}`,
        hint: `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ""}nodes: ${ids.join(", ")}${opts.leaderOk ? `, or "${LEADER_REF}"` : ""}`,
      });
      return;
    }
  }
}

function checkNetwork(config: ResolvedConfig, variants: Scope[], issues: ConfigIssue[]): void {
  const net = config.network;
  checkLatency(net.default.latency, "/network/default/latency", issues);
  simOnlyLinkIssues(net.default, "/network/default", config.mode, issues);
  if (config.mode === "local" && net.uplinkMbps !== undefined) {
    issues.push({
      path: "/network/uplinkMbps",
      message: 'a node uplink is simulated only (mode is "local")',
      hint: "the transport shapes each destination on its own: use network.default.bandwidthMbps in local mode, or run with --mode sim",
    });
  }
  net.links.forEach((l, i) => {
    simOnlyLinkIssues(l, `/network/links/${i}`, config.mode, issues);
    checkRef(l.from, `/network/links/${i}/from`, variants, issues, {
      leaderOk: false,
      clientsOk: true,
    });
    checkRef(l.to, `/network/links/${i}/to`, variants, issues, {
      leaderOk: false,
      clientsOk: true,
    });
    if (l.latency) checkLatency(l.latency, `/network/links/${i}/latency`, issues);
  });
  const sites = net.sites;
  const names = sites?.names ?? [];
  if (sites) {
    if (sites.latencyMs.length !== names.length) {
      issues.push({
        path: "/network/sites/latencyMs",
        message: `the matrix has ${sites.latencyMs.length} rows for ${names.length} sites`,
        hint: "one row per site, in the order of `names`",
      });
    }
    sites.latencyMs.forEach((row, i) => {
      if (row.length !== names.length) {
        issues.push({
          path: `/network/sites/latencyMs/${i}`,
          message: `row ${i} has ${row.length} entries for ${names.length} sites`,
          hint: "the matrix is square: latencyMs[i][j] is the delay from site i to site j",
        });
      }
    });
    if (sites.placement !== "round-robin") {
      for (const [id, site] of Object.entries(sites.placement)) {
        const path = `/network/sites/placement/${id}`;
        checkRef(id, path, variants, issues, { leaderOk: false, clientsOk: true });
        if (!names.includes(site)) {
          issues.push({
            path,
            message: `site ${JSON.stringify(site)} is not in network.sites.names`,
            hint: `sites: ${names.join(", ")}`,
          });
        }
      }
    }
  }
  (config.cluster.nodes ?? []).forEach((n, i) => {
    if (n.site === undefined) return;
    if (!sites) {
      issues.push({
        path: `/cluster/nodes/${i}/site`,
        message: `node ${n.id} is placed in site ${JSON.stringify(n.site)} but network.sites is missing`,
        hint: 'define the sites: "network": {"sites": {"names": [...], "latencyMs": [[...]]}}',
      });
    } else if (!names.includes(n.site)) {
      issues.push({
        path: `/cluster/nodes/${i}/site`,
        message: `site ${JSON.stringify(n.site)} is not in network.sites.names`,
        hint: `sites: ${names.join(", ")}`,
      });
    }
  });
}

function checkLatency(
  l: ResolvedConfig["network"]["default"]["latency"],
  path: string,
  issues: ConfigIssue[],
) {
  if (l.dist === "uniform" && l.maxMs < l.minMs) {
    issues.push({
      path: `${path}/maxMs`,
      message: `maxMs = ${l.maxMs} is below minMs = ${l.minMs}`,
      hint: "a uniform delay is drawn from [minMs, maxMs]",
    });
  }
}

function checkWorkload(config: ResolvedConfig, issues: ConfigIssue[]): void {
  const w = config.workload;
  const { get, put, delete: del, cas } = w.mix;
  if (get + put + del + cas <= 0) {
    issues.push({
      path: "/workload/mix",
      message: "every operation weight is 0",
      hint: 'give at least one operation a positive weight, e.g. {"get": 0.5, "put": 0.5}',
    });
  }
  if (w.warmupMs + w.cooldownMs >= w.durationMs) {
    issues.push({
      path: "/workload/warmupMs",
      message: `warm-up ${w.warmupMs} ms + cool-down ${w.cooldownMs} ms leave nothing of the ${w.durationMs} ms run`,
      hint: "durationMs includes warm-up and cool-down: make it longer or them shorter",
    });
  }
  const d = w.keys.distribution;
  if (d.type === "hotKey" && d.hotKeys > w.keys.count) {
    issues.push({
      path: "/workload/keys/distribution/hotKeys",
      message: `${d.hotKeys} hot keys out of ${w.keys.count} keys`,
      hint: "hotKeys must not exceed keys.count",
    });
  }
}

function checkFaults(config: ResolvedConfig, variants: Scope[], issues: ConfigIssue[]): void {
  checkFaultList(config.faults, "/faults", config, variants, issues);
}

/** Checks a fault list (the config's, or a chaos schedule's) whose JSON path is `base`. */
function checkFaultList(
  faults: readonly Fault[],
  base: string,
  config: ResolvedConfig,
  variants: Scope[],
  issues: ConfigIssue[],
): void {
  const opts = { leaderOk: true, clientsOk: false };
  const order = faults.map((f, i) => ({ f, i })).sort((a, b) => a.f.atMs - b.f.atMs || a.i - b.i);
  const down: string[] = [];
  for (const { f, i } of order) {
    const path = `${base}/${i}`;
    if (f.atMs > config.workload.durationMs) {
      issues.push({
        path: `${path}/atMs`,
        message: `at ${f.atMs} ms, after the run ends (durationMs = ${config.workload.durationMs})`,
        hint: "fault times count from the start of the run, warm-up included",
      });
    }
    switch (f.action) {
      case "crash":
      case "restart": {
        checkRef(f.node, `${path}/node`, variants, issues, opts);
        const at = down.indexOf(f.node);
        if (f.action === "crash") {
          if (at >= 0 && f.node !== LEADER_REF) {
            issues.push({
              path: `${path}/node`,
              message: `${f.node} is already down at ${f.atMs} ms`,
              hint: "restart it before crashing it again",
            });
          } else down.push(f.node);
        } else if (at < 0) {
          issues.push({
            path: `${path}/node`,
            message: `restart of ${f.node}, which is not down at ${f.atMs} ms`,
            hint:
              f.node === LEADER_REF
                ? `"${LEADER_REF}" in a restart means the node an earlier crash of "${LEADER_REF}" took down`
                : "crash it earlier in the schedule",
          });
        } else down.splice(at, 1);
        break;
      }
      case "partition": {
        const seen = new Set<string>();
        for (const [j, g] of f.groups.entries()) {
          for (const [k, id] of g.entries()) {
            checkRef(id, `${path}/groups/${j}/${k}`, variants, issues, opts);
            if (seen.has(id)) {
              issues.push({
                path: `${path}/groups/${j}/${k}`,
                message: `${id} is in two groups`,
                hint: "partition groups are disjoint",
              });
            }
            seen.add(id);
          }
        }
        break;
      }
      case "isolate":
        checkRef(f.node, `${path}/node`, variants, issues, opts);
        break;
      case "heal":
        break;
      case "recover":
        down.length = 0;
        break;
      case "link":
        checkRef(f.from, `${path}/from`, variants, issues, { ...opts, everyOk: true });
        checkRef(f.to, `${path}/to`, variants, issues, { ...opts, everyOk: true });
        if (f.from === f.to && f.from !== EVERY_REF) {
          issues.push({
            path: `${path}/to`,
            message: "a link joins two different nodes",
            hint: "from and to must differ",
          });
        }
        if ((f.set === undefined) === (f.reset !== true)) {
          issues.push({
            path: f.set === undefined ? path : `${path}/reset`,
            message:
              f.set === undefined
                ? 'a link fault needs "set" (new settings) or "reset": true'
                : "a link fault either sets new settings or resets them, not both",
            hint: 'e.g. {"action": "link", "from": "n1", "to": "*", "set": {"loss": 0.1}}',
          });
        }
        if (f.set?.latency) checkLatency(f.set.latency, `${path}/set/latency`, issues);
        simOnlyLinkIssues(f.set, `${path}/set`, config.mode, issues);
        break;
    }
  }
}

/** Faults in the order they happen (stable for equal times). */
export function faultSchedule(faults: readonly Fault[]): Fault[] {
  return faults
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.atMs - b.f.atMs || a.i - b.i)
    .map((x) => x.f);
}

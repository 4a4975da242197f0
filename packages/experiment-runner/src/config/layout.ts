// The cluster each quorum variant runs on: the nodes (counts form or as listed), their roles and
// sites, and the variant's quorum system over its acceptors (refused, with the two disjoint
// quorums as witness, when it is unsafe and the config did not ask for that on purpose).

import {
  checkIntersection,
  fromSpec,
  type QuorumSpec,
  type QuorumSystem,
  UnsafeQuorumError,
} from "@paxos/quorum-system";
import { OUR_ENGINE } from "../systems/resolve.js";
import type { SystemRun } from "../systems/types.js";
import { range, type VariantSource } from "./sweep.js";
import type {
  ClusterConfig,
  ConcreteVariant,
  ConfigIssue,
  NodeRole,
  ResolvedConfig,
} from "./types.js";

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

/** The counts form with replicas, leaders and colocation filled in (they depend on `acceptors`). */
export function fillCluster(c: ClusterConfig, issues: ConfigIssue[]): ClusterConfig {
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

/** One variant per quorum variant whose quorum system fits its cluster; issues for the others. */
export function buildVariants(
  config: ResolvedConfig,
  sources: readonly VariantSource[],
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

// The `systems` of a config made concrete: labels filled in, and every quorum variant run by
// every system that runs it, once per outstanding count that system names. A system that
// cannot run a variant (LibPaxos3 and a flexible quorum, etcd in sim mode, ...) is an error
// with the JSON path of the system entry, never a silently skipped row.

import type { Variant } from "../config/resolve.js";
import type { ConfigIssue, ResolvedConfig } from "../config/types.js";
import { adapterFor } from "./registry.js";
import type { RawSystem, ResolvedSystem, SystemRun, VariantShape } from "./types.js";

const DEFAULT_LABELS: Record<RawSystem["system"], string> = {
  "paxos-lab": "paxos-lab",
  libpaxos3: "LibPaxos3",
  libfpaxos: "LibFPaxos",
  etcd: "etcd",
};

/** Our engine with the config's own settings: the system of a config without `systems`. */
export const OUR_ENGINE: ResolvedSystem = {
  system: "paxos-lab",
  label: "paxos-lab",
  fsync: true,
  clientsFollowLeader: true,
  clientsShareConnections: false,
};

/** Labels filled in and checked for clashes; undefined when the config has no `systems`. */
export function fillSystems(
  raw: readonly RawSystem[] | undefined,
  issues: ConfigIssue[],
): ResolvedSystem[] | undefined {
  if (raw === undefined) return undefined;
  const seen = new Map<string, number>();
  return raw.map((s, i) => {
    const label = s.label ?? DEFAULT_LABELS[s.system];
    const first = seen.get(label);
    if (first !== undefined) {
      issues.push({
        path: `/systems/${i}/label`,
        message: `label ${JSON.stringify(label)} is already used by /systems/${first}`,
        hint: 'give every system its own label, e.g. "paxos-lab batched"',
      });
    } else seen.set(label, i);
    return { ...s, label };
  });
}

/** What an adapter needs of a variant to decide whether it can run it. */
export function shapeOf(config: ResolvedConfig, v: Variant): VariantShape {
  const q = config.quorums[v.quorumIndex]!;
  const n = v.acceptors.length;
  const majority = Math.floor(n / 2) + 1;
  return {
    label: v.system.quorumLabel,
    kind: q.kind,
    acceptors: n,
    phase1: q.kind === "flexible" ? q.phase1 : q.kind === "majority" ? majority : null,
    phase2: q.kind === "flexible" ? q.phase2 : q.kind === "majority" ? majority : null,
    thrifty: v.thrifty,
  };
}

/**
 * Every (quorum variant, system, outstanding count) as a variant of its own, grouped so that the
 * systems of one quorum variant and one outstanding count sit next to each other.
 */
export function expandSystems(
  config: ResolvedConfig,
  variants: readonly Variant[],
  issues: ConfigIssue[],
  chaos: boolean,
): Variant[] {
  const systems = config.systems;
  if (systems === undefined) return [...variants];
  const labels = new Set(config.quorums.map((q) => q.label));
  systems.forEach((s, i) => {
    for (const [j, name] of (s.quorums ?? []).entries()) {
      if (!labels.has(name)) {
        issues.push({
          path: `/systems/${i}/quorums/${j}`,
          message: `${JSON.stringify(name)} is not the label of a quorum variant`,
          hint: `quorum variants: ${[...labels].map((l) => JSON.stringify(l)).join(", ")}`,
        });
      }
    }
    if (s.outstanding !== undefined && config.workload.clients.type !== "closed") {
      issues.push({
        path: `/systems/${i}/outstanding`,
        message: "an outstanding count needs closed-loop clients",
        hint: 'set workload.clients to {"type": "closed", ...} or drop `outstanding`',
      });
    }
    const adapter = adapterFor(s.system);
    const why = adapter.refusesConfig(config);
    if (why !== null) {
      issues.push({
        path: `/systems/${i}`,
        message: `${s.label} cannot run this experiment: ${why}`,
        hint: "run it in a config of its own, or drop it from `systems`",
      });
    }
    if (s.system === "paxos-lab" && s.storage === "memory" && (config.faults.length > 0 || chaos)) {
      issues.push({
        path: `/systems/${i}/storage`,
        message:
          'storage "memory" keeps nothing across a restart: an acceptor that comes back empty can break agreement, and this config has faults or chaos',
        hint: 'use "file" or "fsync" storage with faults',
      });
    }
    if (s.system !== "paxos-lab" && (config.faults.length > 0 || chaos)) {
      issues.push({
        path: `/systems/${i}`,
        message: `the ${adapter.name} adapter cannot play faults: this config has faults or chaos`,
        hint: "run the other systems in a config without faults, or drop them from this one",
      });
    }
  });
  if (issues.length > 0) return [...variants];
  const many = config.quorums.length > 1;
  const out: Variant[] = [];
  for (const v of variants) {
    const counts = new Set<number | undefined>();
    for (const s of systems) for (const n of levels(s)) counts.add(n);
    const ordered = [...counts].sort((a, b) => (a ?? 0) - (b ?? 0));
    for (const n of ordered) {
      systems.forEach((s, i) => {
        if (s.quorums !== undefined && !s.quorums.includes(v.label)) return;
        if (!levels(s).includes(n)) return;
        const adapter = adapterFor(s.system);
        const why = adapter.refusesVariant(shapeOf(config, v));
        if (why !== null) {
          issues.push({
            path: `/systems/${i}`,
            message: `${s.label} cannot run quorum variant ${JSON.stringify(v.label)}: ${why}`,
            hint: `name the variants it can run in /systems/${i}/quorums`,
          });
          return;
        }
        const run: SystemRun = {
          system: s,
          quorumLabel: v.label,
          ...(n === undefined ? {} : { outstanding: n }),
        };
        const label = [
          s.label,
          ...(many ? [v.label] : []),
          ...(n === undefined ? [] : [`${n} outstanding`]),
        ].join(", ");
        out.push({ ...v, label, system: run, thrifty: thriftyOf(s, v.thrifty) });
      });
    }
  }
  return out.map((v, index) => ({ ...v, index }));
}

/** The outstanding counts a system runs at (undefined: the workload's own). */
const levels = (s: ResolvedSystem): (number | undefined)[] => s.outstanding ?? [undefined];

function thriftyOf(s: ResolvedSystem, variantThrifty: boolean): boolean {
  return s.system === "paxos-lab" ? (s.engine?.thrifty ?? variantThrifty) : variantThrifty;
}

/** The config one variant runs with: its system's engine options and outstanding count. */
export function configFor(config: ResolvedConfig, v: Variant): ResolvedConfig {
  const s = v.system.system;
  const engine = s.system === "paxos-lab" && s.engine ? { ...config.engine, ...s.engine } : null;
  const clients = config.workload.clients;
  const workload =
    v.system.outstanding !== undefined && clients.type === "closed"
      ? { ...config.workload, clients: { ...clients, outstanding: v.system.outstanding } }
      : null;
  if (engine === null && workload === null) return config;
  return {
    ...config,
    ...(engine === null ? {} : { engine }),
    ...(workload === null ? {} : { workload }),
  };
}

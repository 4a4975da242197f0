// The config's quorum variants made concrete: a sweep expands into flexible variants (phase-2
// sizes over a range, phase1 = n - phase2 + 1, for each acceptor count), and every variant gets
// a label (its own, or one that describes it). Labels name result files, so they must differ.

import type {
  ClusterConfig,
  ConcreteVariant,
  ConfigIssue,
  QuorumVariant,
  SweepVariant,
} from "./types.js";

export type LabelledVariant = ConcreteVariant & { label: string };

/** Where a resolved variant came from, so its errors point at what the researcher wrote. */
export interface VariantSource {
  path: string;
}

/** Every quorum variant with its label, sweeps expanded; `sources[i]` is where variant i came from. */
export function expandQuorums(
  written: readonly QuorumVariant[],
  cluster: ClusterConfig,
  issues: ConfigIssue[],
): { quorums: LabelledVariant[]; sources: VariantSource[] } {
  const baseAcceptors = cluster.nodes
    ? cluster.nodes.filter((n) => n.roles.includes("acceptor")).length
    : (cluster.acceptors ?? 1);
  const quorums: LabelledVariant[] = [];
  const sources: VariantSource[] = [];
  written.forEach((v, i) => {
    const path = `/quorums/${i}`;
    if (v.kind === "sweep") {
      for (const expanded of expandSweep(v, baseAcceptors, path, cluster, issues)) {
        quorums.push(expanded);
        sources.push({ path });
      }
      return;
    }
    if (v.acceptors !== undefined && cluster.nodes) {
      issues.push({
        path: `${path}/acceptors`,
        message: "a per-variant acceptor count needs the counts form of `cluster`",
        hint: "with explicit cluster.nodes, the acceptors are the nodes with the acceptor role",
      });
    }
    quorums.push({ ...v, label: v.label ?? defaultLabel(v, v.acceptors ?? baseAcceptors) });
    sources.push({ path });
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
  return { quorums, sources };
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
): LabelledVariant[] {
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
  const out: LabelledVariant[] = [];
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

/** from, from + 1, ..., to */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

// How many crashed nodes a variant's cluster tolerates: the size of its smallest blocking set
// minus one. A set of nodes blocks the cluster when, with those nodes down, no phase-1 quorum
// or no phase-2 quorum of live acceptors is left, or no leader, or no replica. Crashing fewer
// nodes than the smallest blocking set, whichever they are, leaves every role able to make
// progress; the chaos schedule never crashes more at once unless the config asks for it.

import type { QuorumSpec } from "@paxos/quorum-system";

export interface Tolerance {
  /** most nodes that may be down at once with the cluster still able to commit */
  readonly crashes: number;
  /** a smallest set of nodes whose crash stops the cluster */
  readonly blocking: readonly string[];
  /** what that set takes away, for humans */
  readonly why: string;
}

export interface ClusterShape {
  readonly spec: QuorumSpec;
  readonly acceptors: readonly string[];
  readonly leaders: readonly string[];
  readonly replicas: readonly string[];
}

/** A smallest set of acceptors hitting every listed set (each must lose a member). */
function hittingSet(sets: readonly (readonly string[])[], ids: readonly string[]): string[] {
  const usable = ids.filter((id) => sets.some((s) => s.includes(id)));
  // sizes grow until a hitting set is found; explicit systems are small, so this stays cheap
  for (let k = 1; k <= usable.length; k++) {
    const pick: string[] = [];
    const found = choose(usable, k, 0, pick, () =>
      sets.every((s) => s.some((x) => pick.includes(x))),
    );
    if (found) return found;
  }
  return [...usable];
}

function choose(
  ids: readonly string[],
  k: number,
  from: number,
  pick: string[],
  ok: () => boolean,
): string[] | undefined {
  if (pick.length === k) return ok() ? [...pick] : undefined;
  for (let i = from; i <= ids.length - (k - pick.length); i++) {
    pick.push(ids[i]!);
    const r = choose(ids, k, i + 1, pick, ok);
    pick.pop();
    if (r) return r;
  }
  return undefined;
}

/** Smallest sets of acceptors that block phase 1 and phase 2. */
function acceptorBlocking(
  spec: QuorumSpec,
  acceptors: readonly string[],
): { phase1: string[]; phase2: string[] } {
  const n = acceptors.length;
  const first = (k: number) => acceptors.slice(0, Math.max(0, Math.min(n, k)));
  switch (spec.kind) {
    case "majority": {
      const q = Math.floor(n / 2) + 1;
      return { phase1: first(n - q + 1), phase2: first(n - q + 1) };
    }
    case "flexible":
      return { phase1: first(n - spec.phase1 + 1), phase2: first(n - spec.phase2 + 1) };
    case "grid": {
      const rows = Array.from({ length: spec.rows }, (_, r) =>
        acceptors.slice(r * spec.columns, (r + 1) * spec.columns),
      );
      const columns = Array.from({ length: spec.columns }, (_, c) => rows.map((row) => row[c]!));
      // phase 1 needs a full line: one member of every line blocks it; phase 2 needs a member of
      // every line: one whole line blocks it
      const lines = spec.phase1 === "column" ? columns : rows;
      return { phase1: lines.map((l) => l[0]!), phase2: [...lines[0]!] };
    }
    case "explicit":
      return {
        phase1: hittingSet(spec.phase1, acceptors),
        phase2: hittingSet(spec.phase2, acceptors),
      };
  }
}

export function crashTolerance(c: ClusterShape): Tolerance {
  const { phase1, phase2 } = acceptorBlocking(c.spec, c.acceptors);
  const candidates: [string[], string][] = [
    [phase1, "no phase-1 quorum left"],
    [phase2, "no phase-2 quorum left"],
    [[...c.leaders], "no leader left"],
    [[...c.replicas], "no replica left"],
  ];
  let best = candidates[0]!;
  for (const x of candidates) if (x[0].length < best[0].length) best = x;
  return { crashes: Math.max(0, best[0].length - 1), blocking: best[0], why: best[1] };
}

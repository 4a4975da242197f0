// Liveness during faults: while a fault leaves a leader candidate connected to a phase-1 and a
// phase-2 quorum of live acceptors and to a live replica that a live client reaches, commits
// must go on, with no gap longer than a bound (the election timeout plus a few round trips,
// set by the caller). The check is checked *during* each fault, not only after the heal, so a
// cluster that stalls while it could commit fails even if it recovers once everything heals.
//
// The network's state is a sequence of snapshots (who is down, which directed links are cut),
// one per change; the rule itself (canCommit) and the gap test (progressViolations) are pure,
// so the experiment runner applies the very same check to its runs in either mode.

import type { Role, Timing } from "@paxos/core";
import type { QuorumSystem } from "@paxos/quorum-system";
import type { Violation } from "./checkers.js";
import type { Simulation } from "./simulation.js";

export interface LivenessLayout {
  readonly nodes: readonly { readonly id: string; readonly roles: readonly Role[] }[];
  readonly quorum: QuorumSystem;
  /**
   * clients outside the cluster's nodes that reach every live replica whatever the cuts
   * (the experiment runner's load generator in local mode); sim clients are nodes instead
   */
  readonly externalClients?: boolean;
}

/** The network from `atMs` until the next snapshot: nodes down, directed links cut ("a>b"). */
export interface NetState {
  readonly atMs: number;
  readonly down: ReadonlySet<string>;
  readonly cut: ReadonlySet<string>;
}

export interface CanCommit {
  readonly ok: boolean;
  /** a leader candidate with everything it needs, when ok */
  readonly leader?: string;
}

/**
 * Whether the state leaves some live leader connected (both ways) to a phase-1 and a
 * phase-2 quorum of live acceptors and to a live replica that a live client reaches.
 * Roles on one node always reach each other.
 */
export function canCommit(layout: LivenessLayout, state: NetState): CanCommit {
  for (const n of layout.nodes) {
    if (n.roles.includes("leader") && canCommitVia(layout, state, n.id)) {
      return { ok: true, leader: n.id };
    }
  }
  return { ok: false };
}

/** canCommit for one leader: `leader` is up and reaches both quorums and a reachable replica. */
export function canCommitVia(layout: LivenessLayout, state: NetState, leader: string): boolean {
  const up = (id: string) => !state.down.has(id);
  const linked = (a: string, b: string) =>
    a === b || (!state.cut.has(`${a}>${b}`) && !state.cut.has(`${b}>${a}`));
  const having = (role: Role) =>
    layout.nodes.filter((n) => n.roles.includes(role) && up(n.id)).map((n) => n.id);
  const acceptors = having("acceptor");
  const replicas = having("replica");
  const clients = having("client");
  const reachable = (replica: string) =>
    layout.externalClients === true || clients.some((c) => linked(c, replica));
  if (!up(leader)) return false;
  const reached = acceptors.filter((a) => linked(leader, a));
  if (!layout.quorum.isPhase1Quorum(reached) || !layout.quorum.isPhase2Quorum(reached)) {
    return false;
  }
  return replicas.some((r) => linked(leader, r) && reachable(r));
}

export interface LeaderChange {
  readonly atMs: number;
  readonly node: string;
  readonly active: boolean;
}

/**
 * Non-disruption: a leader that keeps everything it needs (canCommitVia) is not deposed by
 * another node, during a fault or after it, e.g. by a node that missed its heartbeats while
 * cut off or down. Holds when no message is lost (with loss a leader may honestly miss its
 * quorum's answers for a while, and then it should be replaced). A leader in its first
 * `graceMs` (not yet heard as live), or a state younger than `graceMs`, is not judged.
 */
export function stabilityViolations(
  layout: LivenessLayout,
  states: readonly NetState[],
  changes: readonly LeaderChange[],
  graceMs: number,
): Violation[] {
  const out: Violation[] = [];
  const since = new Map<string, number>();
  for (const c of changes) {
    if (c.active) {
      if (!since.has(c.node)) since.set(c.node, c.atMs);
      continue;
    }
    // c.node stopped leading: a higher ballot reached it (a crash leaves no such record)
    const from = since.get(c.node);
    since.delete(c.node);
    const i = stateIndexAt(states, c.atMs);
    const state = states[i];
    if (state === undefined || !canCommitVia(layout, state, c.node)) continue;
    // since when it could commit without a break (it needs a moment to be heard as live)
    let j = i;
    while (j > 0 && canCommitVia(layout, states[j - 1]!, c.node)) j--;
    if (
      from !== undefined &&
      c.atMs - states[j]!.atMs >= graceMs &&
      c.atMs - from >= graceMs &&
      out.length < 20
    ) {
      out.push({
        kind: "liveness",
        message:
          `${c.node} was deposed at ${round(c.atMs)} ms although it kept a quorum and a ` +
          `replica (${describeState(state)})`,
      });
    }
  }
  return out;
}

/** Index of the state in force at `t` (-1 before the first). */
function stateIndexAt(states: readonly NetState[], t: number): number {
  let found = -1;
  for (let i = 0; i < states.length && states[i]!.atMs <= t; i++) found = i;
  return found;
}

export interface ProgressWindow {
  readonly fromMs: number;
  readonly toMs: number;
  /** the first commit (operation completed) in the window, null if none */
  readonly firstCommitMs: number | null;
  /** the longest stretch of the window without a commit, from its start to its end */
  readonly longestGapMs: number;
  readonly leader: string;
}

export interface ProgressReport {
  readonly violations: Violation[];
  /** every window in which a fault was in force and the cluster could commit */
  readonly windows: ProgressWindow[];
}

/**
 * The windows in which a fault is in force (someone down or some link cut) and the cluster
 * can commit, and in each the longest stretch without a completed operation: longer than
 * `withinMs` is a liveness violation. A window is checked up to `untilMs` (when the workload
 * stops); a window shorter than the bound cannot fail.
 */
export function progressViolations(
  layout: LivenessLayout,
  states: readonly NetState[],
  returnedAt: readonly number[],
  o: { readonly withinMs: number; readonly untilMs: number },
): ProgressReport {
  const returns = [...returnedAt].sort((a, b) => a - b);
  const violations: Violation[] = [];
  const windows: ProgressWindow[] = [];
  states.forEach((state, i) => {
    const fromMs = state.atMs;
    const toMs = Math.min(states[i + 1]?.atMs ?? o.untilMs, o.untilMs);
    if (!(toMs > fromMs) || (state.down.size === 0 && state.cut.size === 0)) return;
    const can = canCommit(layout, state);
    if (!can.ok) return;
    let last = fromMs;
    let longest = 0;
    let gapFrom = fromMs;
    let first: number | null = null;
    for (const t of returns) {
      if (t <= fromMs) continue;
      if (t > toMs) break;
      if (first === null) first = t;
      if (t - last > longest) {
        longest = t - last;
        gapFrom = last;
      }
      last = t;
    }
    if (toMs - last > longest) {
      longest = toMs - last;
      gapFrom = last;
    }
    windows.push({
      fromMs,
      toMs,
      firstCommitMs: first,
      longestGapMs: longest,
      leader: can.leader!,
    });
    if (longest > o.withinMs && violations.length < 20) {
      violations.push({
        kind: "liveness",
        message:
          `no commit for ${round(longest)} ms from ${round(gapFrom)} ms (bound ${o.withinMs} ms) ` +
          `while ${describeState(state)} left ${can.leader} a quorum and a replica`,
      });
    }
  });
  return { violations, windows };
}

export function describeState(state: NetState): string {
  const parts: string[] = [];
  if (state.down.size > 0) parts.push(`${[...state.down].join(", ")} down`);
  if (state.cut.size > 0) parts.push(`${state.cut.size} links cut`);
  return parts.length > 0 ? parts.join(" and ") : "nothing broken";
}

const round = (x: number) => Math.round(x * 10) / 10;

/**
 * Records the simulation's network state whenever a fault changes it (call record() after
 * each change; faults.ts's applyFaults does when given this log).
 */
export class NetStateLog {
  readonly states: NetState[] = [];

  constructor(private readonly sim: Simulation) {
    this.record();
  }

  record(): void {
    const { sim } = this;
    const ids = sim.nodeIds;
    const down = new Set(ids.filter((id) => !sim.isAlive(id)));
    const cut = new Set<string>();
    if (sim.network.partitioned) {
      for (const a of ids) {
        for (const b of ids) if (a !== b && sim.network.isBlocked(a, b)) cut.add(`${a}>${b}`);
      }
    }
    const last = this.states.at(-1);
    const state: NetState = { atMs: sim.now, down, cut };
    if (last && last.atMs === sim.now) this.states[this.states.length - 1] = state;
    else if (!last || !sameState(last, state)) this.states.push(state);
  }

  /** The simulation's layout, for canCommit / progressViolations. */
  layout(): LivenessLayout {
    return { nodes: this.sim.config.nodes, quorum: this.sim.config.quorum };
  }

  /**
   * The check over the simulation's history so far, up to `untilMs`; with `stableGraceMs`,
   * non-disruption too (stabilityViolations: only for runs without message loss).
   */
  check(withinMs: number, untilMs: number, stableGraceMs?: number): ProgressReport {
    const returns: number[] = [];
    for (const h of this.sim.history) if (h.returnedAt !== null) returns.push(h.returnedAt);
    const report = progressViolations(this.layout(), this.states, returns, { withinMs, untilMs });
    if (stableGraceMs === undefined) return report;
    const changes = this.sim.leadership.filter((l) => l.atMs <= untilMs);
    return {
      ...report,
      violations: [
        ...report.violations,
        ...stabilityViolations(this.layout(), this.states, changes, stableGraceMs),
      ],
    };
  }
}

function sameState(a: NetState, b: NetState): boolean {
  if (a.down.size !== b.down.size || a.cut.size !== b.cut.size) return false;
  for (const x of a.down) if (!b.down.has(x)) return false;
  for (const x of a.cut) if (!b.cut.has(x)) return false;
  return true;
}

/**
 * The default bound on a stretch without commits while the cluster could commit, "the
 * election timeout plus a few round trips": a leader that lost its quorum stops heartbeating
 * within half a leader timeout; a follower then waits one to two timeouts (timeout plus
 * jitter) and an acceptor's prevote window has run out by then; one more timeout of slack
 * covers a prevote round that just gave up or a duel; then a replica's and a client's resend
 * periods for requests that went to the old leader or a replica cut off from the new one.
 */
export function defaultLivenessBoundMs(timing: Timing): number {
  return 4 * timing.leaderTimeoutMs + timing.proposeRetryMs + timing.clientRetryMs;
}

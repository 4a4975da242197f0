// Diagnosis of a stalled run: recognises the stall patterns we know the cause of, so a sweep can
// tell a known engine bug from a new problem.

import { DEFAULT_TIMING } from "@paxos/core";
import type { Simulation } from "./simulation.js";

export interface LostDecisionStall {
  readonly kind: "lost-decision";
  /** the slot every live replica waits for */
  readonly slot: number;
  /** live leaders that count the slot as decided (their decided prefix is above it) */
  readonly leadersDecided: readonly string[];
  /** replica incarnations, now crashed, that had applied the slot (may be empty: one may
   * have held the decision without reaching it, the deciding leader may have crashed) */
  readonly appliedByCrashed: readonly string[];
  readonly message: string;
}

/**
 * KNOWN CORE BUG (reported, not fixed here): a decided slot can be lost for good.
 *
 * Replicas keep decisions only in memory, and a leader answers a proposal for an already
 * decided slot only from its own `recentDecisions` (slots *it* decided). Suppose the replicas
 * that received a decision crash and the others lost the message, and the live leader knows
 * the slot is decided only through another leader's heartbeat (`decidedBelow`), or the leader
 * that decided it crashed too. Then:
 * - no replica can serve the slot through catch-up;
 * - Leader.onPropose drops every proposal for it (the stuck replicas' no-ops included): the
 *   slot is decided, but the leader has no value to resend;
 * - a new leader's phase 1 asks acceptors only for slots at or above its decided prefix, so the
 *   accepted value the acceptors still hold durably is never read back.
 * Every replica waits at that slot forever and no operation completes. Minimal reproduction:
 * test/known-core-bugs.test.ts.
 *
 * Signature checked here (call it on a run whose commits did not resume): every live replica
 * has applied exactly the slots below some s and some live leader's decided prefix is above s.
 * Crashed replica incarnations that had applied s are listed for the report.
 */
export function diagnoseLostDecision(sim: Simulation): LostDecisionStall | null {
  const replicas = sim.nodesWithRole("replica").filter((id) => sim.isAlive(id));
  if (replicas.length === 0) return null;
  const applied = replicas.map((id) => sim.node(id)!.replica!.appliedBelow);
  const slot = applied[0]!;
  if (applied.some((s) => s !== slot)) return null;
  const leadersDecided = sim
    .nodesWithRole("leader")
    .filter((id) => sim.isAlive(id) && sim.node(id)!.leader!.decidedPrefix > slot);
  if (leadersDecided.length === 0) return null;
  const appliedByCrashed = sim.replicaRuns
    .filter((run) => run.crashedAt !== null)
    .filter((run) => run.events.some((e) => e.type === "slotApplied" && e.slot === slot))
    .map((run) => `${run.node}#${run.incarnation}`);
  return {
    kind: "lost-decision",
    slot,
    leadersDecided,
    appliedByCrashed,
    message:
      `known core bug "lost decision": every live replica waits at slot ${slot}, leaders ` +
      `${leadersDecided.join(", ")} count it as decided` +
      (appliedByCrashed.length > 0
        ? `, and only crashed replicas (${appliedByCrashed.join(", ")}) had applied it`
        : ", and no replica ever applied it"),
  };
}

export interface HoleStarvationStall {
  readonly kind: "hole-starvation";
  /** live replicas stuck behind the decided prefix, not asking for catch-up */
  readonly replicas: readonly {
    readonly node: string;
    readonly slot: number;
    readonly sinceMs: number;
  }[];
  readonly message: string;
}

/**
 * KNOWN CORE BUG (reported, not fixed here): a replica with a hole never asks for catch-up
 * while decisions keep arriving.
 *
 * Replica.applyReady ends with `stuckSince = NO_WAKE; ...; checkStuck()`, unconditionally: every
 * decision received restarts the hole timer, even when the hole is still there and nothing was
 * applied. While the cluster keeps deciding later slots faster than holeTimeoutMs, the timer
 * never fires, so the replica neither sends `catchup` nor proposes the no-op, and stays behind
 * for good. With Leader.relocate (a leader re-places a batch proposed into a decided slot it
 * has no value for), the stuck replicas' own resent proposals become new decisions, which reset
 * their timers again: the whole cluster stops applying while slots keep being decided.
 * Minimal reproduction: test/known-core-bugs.test.ts.
 *
 * Signature checked here: some live replica has applied nothing for `quietMs` (3 hole timeouts
 * by default) although a live leader's decided prefix is above its position, and it has sent
 * no `catchup` in that time.
 */
export function diagnoseHoleStarvation(
  sim: Simulation,
  quietMs?: number,
): HoleStarvationStall | null {
  const holeTimeoutMs = sim.config.timing?.holeTimeoutMs ?? DEFAULT_TIMING.holeTimeoutMs;
  const quiet = quietMs ?? 3 * holeTimeoutMs;
  const now = sim.now;
  let decided = 0;
  for (const id of sim.nodesWithRole("leader")) {
    const leader = sim.node(id)?.leader;
    if (leader && leader.decidedPrefix > decided) decided = leader.decidedPrefix;
  }
  const stuck: { node: string; slot: number; sinceMs: number }[] = [];
  for (const run of sim.replicaRuns) {
    if (run.crashedAt !== null) continue;
    const replica = sim.node(run.node)?.replica;
    if (!replica || replica.appliedBelow >= decided) continue;
    const sinceMs = run.lastAppliedAt ?? run.startedAt;
    if (now - sinceMs < quiet) continue;
    if (now - sim.lastSentAt(run.node, "catchup") < quiet) continue;
    stuck.push({ node: run.node, slot: replica.appliedBelow, sinceMs });
  }
  if (stuck.length === 0) return null;
  return {
    kind: "hole-starvation",
    replicas: stuck,
    message: `known core bug "hole starvation": ${stuck
      .map((s) => `${s.node} stuck at slot ${s.slot} since ${s.sinceMs.toFixed(0)} ms`)
      .join(", ")}, decided prefix ${decided}, and no catch-up request for ${quiet} ms`,
  };
}

/** The known engine stall this run ended in, if any (see the two diagnoses above). */
export function diagnoseKnownStall(
  sim: Simulation,
): LostDecisionStall | HoleStarvationStall | null {
  return diagnoseHoleStarvation(sim) ?? diagnoseLostDecision(sim);
}

// What real-process runs check beyond the history's linearizability: the replicas' applied-log
// digests agree once they converged (agreement across processes), the client-visible history
// shows validity and at-most-once, and the engine's counts from the nodes' status counters.

import type { Result } from "@paxos/core";
import type { NodeStatus } from "@paxos/transport-ws";
import type { Variant } from "../config/resolve.js";
import type { CheckResult, EngineCounts, HistoryRecord } from "../run/types.js";

const CONVERGE_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The engine's counts from the nodes' status counters (since each node's last start): slots
 * and commands of the replica that applied the most, messages sent by every node.
 */
export function engineCounts(
  variant: Variant,
  statuses: ReadonlyMap<string, NodeStatus>,
): EngineCounts | undefined {
  let slots = -1;
  let commands = 0;
  let messages = 0;
  for (const [id, s] of statuses) {
    messages += s.counters.messagesOut ?? 0;
    if (!variant.replicas.includes(id)) continue;
    const applied = s.counters.slotsApplied ?? 0;
    if (applied > slots) {
      slots = applied;
      commands = s.counters.commandsApplied ?? 0;
    }
  }
  return slots < 0 ? undefined : { slots, commands, messages };
}

/** Agreement across processes: once the replicas have converged, their applied-log digests match. */
export async function replicaChecks(
  variant: Variant,
  statuses: () => Promise<Map<string, NodeStatus>>,
): Promise<CheckResult[]> {
  const deadline = performance.now() + CONVERGE_MS;
  let replicas: [string, NonNullable<NodeStatus["replica"]>][] = [];
  for (;;) {
    const all = await statuses();
    replicas = variant.replicas
      .map((id) => [id, all.get(id)?.replica] as const)
      .filter((x): x is [string, NonNullable<NodeStatus["replica"]>] => x[1] != null);
    // Converged: every replica applied the same slots. (Their digests may start at different
    // slots: a restarted replica that caught up by snapshot folds in only what followed it.)
    const same = new Set(replicas.map(([, r]) => r.appliedBelow)).size <= 1;
    if (same || performance.now() > deadline) break;
    await sleep(200);
  }
  const violations: string[] = [];
  const bySlot = new Map<string, { digest: string; id: string }>();
  for (const [id, r] of replicas) {
    const key = `${r.digestFrom}..${r.appliedBelow}`;
    const seen = bySlot.get(key);
    if (seen && seen.digest !== r.digest) {
      violations.push(
        `${seen.id} and ${id} applied different logs over slots ${key} (digests ${seen.digest} vs ${r.digest})`,
      );
    } else if (!seen) bySlot.set(key, { digest: r.digest, id });
  }
  const converged = new Set(replicas.map(([, r]) => r.appliedBelow)).size <= 1;
  return [
    { name: "agreement", passed: violations.length === 0, violations },
    {
      name: "converged",
      passed: converged && replicas.length > 0,
      violations: converged
        ? replicas.length > 0
          ? []
          : ["no replica answered the control channel"]
        : [
            `replicas did not reach the same slot within ${CONVERGE_MS} ms: ${replicas
              .map(([id, r]) => `${id}@${r.appliedBelow}`)
              .join(", ")}`,
          ],
    },
  ];
}

/**
 * What the client-visible history shows: every value a read returns was written by some put or
 * cas of the history (validity), and no (clientId, seq) was answered twice (at-most-once as the
 * clients can see it; the replicas' own execution counts are not exposed by the transport).
 */
export function historyChecks(history: readonly HistoryRecord[]): CheckResult[] {
  const written = new Set<string>();
  for (const h of history) if (h.op.type === "put" || h.op.type === "cas") written.add(h.op.value);
  const validity: string[] = [];
  const seen = new Set<string>();
  const twice: string[] = [];
  const value = (r: Result): string | null =>
    r.type === "get" || r.type === "cas" ? r.value : null;
  for (const h of history) {
    const key = `${h.clientId}#${h.seq}`;
    if (seen.has(key) && twice.length < 5) twice.push(`${key} appears twice in the history`);
    seen.add(key);
    if (h.result === null) continue;
    const v = value(h.result);
    if (v !== null && !written.has(v) && validity.length < 5) {
      validity.push(
        `${key} (${h.op.type} ${h.op.key}) returned ${JSON.stringify(v)}, which no client wrote`,
      );
    }
  }
  return [
    { name: "validity", passed: validity.length === 0, violations: validity },
    { name: "at-most-once", passed: twice.length === 0, violations: twice },
  ];
}

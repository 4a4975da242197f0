// `paxos-client status`: who leads, read from every node's control channel. One line per node:
// its roles, whether its leader role is the active one, the ballot it follows (its acceptor's
// promise: (round, leader id) names the leader it obeys), the slot its replica applied up to,
// and how many of its peer links are up. A node that does not answer is
// shown as such, with the reason; it is not an error of the command while another node answers.

import { type Cluster, nodeUrl } from "../cluster-file.js";
import { ControlClient } from "../control-client.js";
import type { NodeStatus } from "../control-protocol.js";

export interface StatusTarget {
  /** the node id when known (cluster file), else the address */
  readonly name: string;
  readonly url: string;
}

export type NodeAnswer =
  | { readonly name: string; readonly status: NodeStatus }
  | { readonly name: string; readonly error: string };

export function statusTargets(cluster: Cluster): StatusTarget[] {
  return [...cluster.nodesById.values()].map((n) => ({ name: n.id, url: nodeUrl(n) }));
}

/** Asks every node for its status, all at once; never throws for a node that is down. */
export async function clusterStatus(
  targets: readonly StatusTarget[],
  options: { secret: string; clusterId?: string; timeoutMs: number },
): Promise<NodeAnswer[]> {
  return Promise.all(
    targets.map(async (t): Promise<NodeAnswer> => {
      let control: ControlClient | undefined;
      try {
        control = await withTimeout(
          ControlClient.open(t.url, {
            secret: options.secret,
            ...(options.clusterId === undefined ? {} : { clusterId: options.clusterId }),
            id: `status-${process.pid}`,
            timeoutMs: options.timeoutMs,
          }),
          options.timeoutMs,
          `no answer within ${options.timeoutMs} ms`,
        );
        return { name: t.name, status: await control.status() };
      } catch (error) {
        return { name: t.name, error: (error as Error).message };
      } finally {
        control?.close();
      }
    }),
  );
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const ballot = (b: { round: number; leader: string }) => `(${b.round},${b.leader})`;

/** One row per node, as printed. */
export function statusRows(answers: readonly NodeAnswer[]): string[][] {
  const rows = [["node", "roles", "leader", "ballot", "applied below", "peers up"]];
  for (const a of answers) {
    if ("error" in a) {
      rows.push([a.name, "-", `down: ${a.error}`, "-", "-", "-"]);
      continue;
    }
    const s = a.status;
    const links = Object.values(s.links);
    const up = links.filter((l) => l.state === "open").length;
    rows.push([
      s.id,
      s.roles.join(","),
      s.leader === null ? "-" : s.leader.active ? "ACTIVE" : "following",
      // the ballot this node follows: its acceptor's promise (the leader it obeys), else the
      // ballot its own leader role holds
      s.acceptor !== null
        ? ballot(s.acceptor.promised)
        : s.leader !== null
          ? ballot(s.leader.ballot)
          : "-",
      s.replica === null ? "-" : String(s.replica.appliedBelow),
      `${up}/${links.length}${s.partitioned.length > 0 ? ` (cut off from ${s.partitioned.join(",")})` : ""}`,
    ]);
  }
  return rows;
}

export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? "").length), 0));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

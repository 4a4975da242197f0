import type { Role } from "@paxos/core";
import { majority, type QuorumSystem } from "@paxos/quorum-system";
import type { NodeSpec, SimulationConfig } from "../src/simulation.js";

export const SERVER: readonly Role[] = ["replica", "leader", "acceptor"];

export function serverIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `n${i + 1}`);
}

/** n servers (replica + leader + acceptor) and `clients` client nodes c1.. */
export function nodes(n: number, clients: number): NodeSpec[] {
  return [
    ...serverIds(n).map((id) => ({ id, roles: SERVER })),
    ...Array.from({ length: clients }, (_, i) => ({
      id: `c${i + 1}`,
      roles: ["client"] as Role[],
    })),
  ];
}

/** A fault-free cluster of n servers with 1 ms +/- 0.2 ms links. */
export function cluster(
  n: number,
  clients: number,
  seed: number,
  extra: Partial<SimulationConfig> = {},
  quorum: QuorumSystem = majority(serverIds(n)),
): SimulationConfig {
  return {
    nodes: nodes(n, clients),
    quorum,
    seed,
    network: { link: { latency: { kind: "constant", ms: 1 }, jitterMs: 0.2 } },
    ...extra,
  };
}

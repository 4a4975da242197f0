// The simulator as a cluster driver: every answer is immediate and every action lands at the
// simulator's current virtual time, so a fault played from a simulator event changes the
// network inside that event, and a run replays exactly from its seed.

import type { LinkSpec, Simulation } from "@paxos/simulator";
import type { LinkSpec as ConfigLink } from "../config/types.js";
import { simLink } from "./sim-links.js";
import type { ClusterDriver, NodeView } from "./types.js";

export class SimDriver implements ClusterDriver {
  readonly mode = "sim" as const;
  readonly linkIds: readonly string[];
  /** each link's simulator settings before the first change, under which changes are laid */
  private readonly base = new Map<string, LinkSpec>();

  constructor(
    readonly sim: Simulation,
    readonly nodeIds: readonly string[],
  ) {
    this.linkIds = sim.nodeIds;
  }

  now(): number {
    return this.sim.now;
  }

  at(atMs: number, fn: () => void): void {
    this.sim.at(Math.max(atMs, this.sim.now), fn);
  }

  /** the simulation starts its nodes when it is made */
  async start(): Promise<void> {}

  isUp(id: string): boolean {
    return this.sim.isAlive(id);
  }

  crash(id: string): void {
    this.sim.crash(id);
  }

  restart(id: string): { ready: undefined } {
    this.sim.restart(id);
    return { ready: undefined };
  }

  cut(id: string, peers: readonly string[]): void {
    const others = peers.filter((p) => p !== id);
    if (others.length > 0) this.sim.partition([[id], others]);
  }

  healAll(): void {
    this.sim.heal();
  }

  setLink(from: string, to: string, link: ConfigLink): void {
    const key = `${from}>${to}`;
    let base = this.base.get(key);
    if (base === undefined) {
      base = this.sim.network.link(from, to);
      this.base.set(key, base);
    }
    this.sim.network.setLink(from, to, { ...base, ...simLink(link) });
  }

  leader(): string | undefined {
    return this.sim.activeLeader();
  }

  async status(): Promise<Map<string, NodeView>> {
    const out = new Map<string, NodeView>();
    const leader = this.sim.activeLeader();
    for (const id of this.nodeIds) {
      if (!this.sim.isAlive(id)) continue;
      const node = this.sim.node(id);
      const appliedBelow = node?.replica?.appliedBelow;
      out.set(id, {
        up: true,
        leading: id === leader,
        ...(appliedBelow === undefined ? {} : { appliedBelow }),
      });
    }
    return out;
  }

  async stop(): Promise<void> {}
}

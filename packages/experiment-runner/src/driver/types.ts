// One shape for every world a cluster runs in (sim, local, netns): start it, crash and restart
// a node, cut and heal links, change a link, find the leader, read status, stop. The fault
// player and the shared driver tests see a cluster only through this.
//
// Methods return `Awaitable`: the simulator's driver answers at once (a fault must land at its
// virtual time, inside the simulator's event, not a microtask later), real drivers answer with
// promises. `steps.ts` runs code written once against both.

import type { LinkSpec as ConfigLink, Mode } from "../config/types.js";

export type Awaitable<T> = T | Promise<T>;

/** What a driver knows about a node now. */
export interface NodeView {
  /** the node's process (or simulated host) runs */
  up: boolean;
  /** the replica's applied prefix (slots below it applied), when it is a replica */
  appliedBelow?: number;
  /** it leads with an active ballot */
  leading?: boolean;
}

export interface ClusterDriver {
  readonly mode: Mode;
  /** the cluster's nodes, in config order */
  readonly nodeIds: readonly string[];
  /** everything a link fault or partition may name (sim: nodes and its clients; real: nodes) */
  readonly linkIds: readonly string[];
  /** ms since the run's t = 0 (virtual in sim) */
  now(): number;
  /** runs `fn` at run time `atMs` (at once when that has passed) */
  at(atMs: number, fn: () => void): void;
  /** starts every node; resolves when each serves */
  start(): Promise<void>;
  isUp(id: string): boolean;
  /** kills the node at once (SIGKILL; the simulator drops its volatile state) */
  crash(id: string): Awaitable<void>;
  /**
   * starts a crashed node again on its durable state; `ready` settles when it serves and was
   * told again whatever cuts and link changes are in force
   */
  restart(id: string): { ready: Awaitable<void> };
  /** drops everything between `id` and `peers`, both ways */
  cut(id: string, peers: readonly string[]): Awaitable<void>;
  /** restores every cut link */
  healAll(): Awaitable<void>;
  /** gives the directed link from -> to these settings (the whole link, not a change) */
  setLink(from: string, to: string, link: ConfigLink): Awaitable<void>;
  /** the node that leads now, as far as the cluster says (undefined: none known) */
  leader(): Awaitable<string | undefined>;
  /** every live node's view */
  status(): Promise<Map<string, NodeView>>;
  /** stops everything it started and removes what it made; idempotent */
  stop(): Promise<void>;
}

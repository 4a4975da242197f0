// Real processes as a cluster driver: one `paxos-node` per node, reached through its control
// channel (status, partition, heal, link changes). A crash is SIGKILL; a restart spawns the
// node again on the same data dir and, once it listens, tells it again what a fresh process
// forgot (the link changes in force, and in local mode its cuts). Where the node runs and
// how links are cut differ by world: `local-driver.ts` (loopback) and `netns-driver.ts`
// (a network namespace per host).

import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ClusterControl,
  type ClusterFile,
  type LinkSpec,
  loadCluster,
  type NodeStatus,
} from "@paxos/transport-ws";
import type { Variant } from "../config/resolve.js";
import type { LinkSpec as ConfigLink, ResolvedConfig } from "../config/types.js";
import { type Child, killChild, spawnChild, stopChild, waitForLine } from "../modes/processes.js";
import { seededStream } from "../workload.js";
import { specOf } from "./links.js";
import type { ClusterDriver, NodeView } from "./types.js";

// A bound on a hang, not an expectation: a process that exits fails the wait at once, and one
// that is alive may need tens of seconds to load its modules on a machine shared by many (15 s
// was exceeded at a load average of 30 on 2 cores).
const NODE_READY_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, sleep(ms).then(() => undefined)]);
}

/** Where the node program is (the transport package's CLI). */
export function nodeBin(): string {
  const require = createRequire(import.meta.url);
  let index: string;
  try {
    index = require.resolve("@paxos/transport-ws");
  } catch {
    index = fileURLToPath(import.meta.resolve("@paxos/transport-ws"));
  }
  return join(dirname(index), "cli", "paxos-node.js");
}

export interface ProcessDriverOptions {
  config: ResolvedConfig;
  variant: Variant;
  /** the run's seed: each node incarnation gets its own stream of it (`paxos-node --seed`) */
  seed: number;
  /** the run's folder: cluster.json, logs/, data/ */
  dir: string;
  clusterId: string;
  secret: string;
}

export abstract class ProcessDriver implements ClusterDriver {
  abstract readonly mode: "local" | "netns";
  readonly nodeIds: readonly string[];
  readonly linkIds: readonly string[];
  readonly clusterFile: string;
  readonly logs: string;
  readonly data: string;
  protected control: ClusterControl | undefined;
  protected readonly nodes = new Map<string, Child>();
  private readonly incarnations = new Map<string, number>();
  /** per node, the peers it is cut from (re-told after a restart where the node keeps them) */
  protected readonly cuts = new Map<string, Set<string>>();
  /** links changed from the cluster file (re-told after a restart) */
  private readonly changed = new Map<string, ConfigLink>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private t0 = performance.now();
  /** the nodes' addresses, once started */
  protected hostAddresses: { host: string; port: number }[] = [];
  private stopped = false;

  constructor(protected readonly opts: ProcessDriverOptions) {
    this.nodeIds = opts.variant.nodes.map((n) => n.id);
    this.linkIds = this.nodeIds;
    this.clusterFile = join(opts.dir, "cluster.json");
    this.logs = join(opts.dir, "logs");
    this.data = join(opts.dir, "data");
  }

  /** the node addresses, in node order (before any node starts) */
  protected abstract addresses(): Promise<{ host: string; port: number }[]>;
  /** the cluster file for those addresses */
  protected abstract clusterFileFor(addresses: { host: string; port: number }[]): ClusterFile;
  /** how to run `argv` as node `id` (netns: inside its namespace) */
  protected abstract command(id: string, argv: string[]): string[];
  /** what the transport's link emulation does of a link on this world */
  protected emulate(link: ConfigLink): LinkSpec {
    return specOf(link);
  }
  /** the world's own cut and heal (local: the nodes' control channel; netns: nftables) */
  protected abstract cutLinks(id: string, peers: readonly string[]): Promise<void>;
  protected abstract healLinks(ids: readonly string[]): Promise<void>;
  /** how to run the load generator (`argv`) as the clients' host (netns: a host of its own) */
  clientCommand(argv: string[]): string[] {
    return argv;
  }
  /** the environment of the clients' process */
  clientEnv(): NodeJS.ProcessEnv {
    return this.env();
  }
  /** the world's own tear-down after the processes stopped */
  protected async teardown(): Promise<void> {}
  /** what a restarted node must be told again of its cuts (local: all; netns: the kernel keeps them) */
  protected cutsToReapply(id: string): string[] {
    const peers = new Set(this.cuts.get(id) ?? []);
    for (const [other, set] of this.cuts) if (set.has(id)) peers.add(other);
    return [...peers];
  }

  /** What the run's results should say about this world (summary extra, env). */
  describe(): Record<string, unknown> {
    return { ports: this.hostAddresses.map((a) => a.port) };
  }

  /** Writes the cluster file and starts every node; resolves when each listens. */
  async start(): Promise<void> {
    mkdirSync(this.logs, { recursive: true });
    mkdirSync(this.data, { recursive: true });
    this.hostAddresses = await this.addresses();
    const file = this.clusterFileFor(this.hostAddresses);
    writeFileSync(this.clusterFile, `${JSON.stringify(file, null, 2)}\n`);
    this.control = new ClusterControl(loadCluster(this.clusterFile), {
      id: "paxos-lab",
      timeoutMs: 2_000,
    });
    await Promise.all(this.nodeIds.map((id) => this.startNode(id)));
  }

  /** Sets t = 0 of the run (the load generator's start, in epoch ms). */
  setClock(t0EpochMs: number): void {
    this.t0 = t0EpochMs - performance.timeOrigin;
  }

  now(): number {
    return performance.now() - this.t0;
  }

  at(atMs: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        fn();
      },
      Math.max(0, atMs - this.now()),
    );
    this.timers.add(t);
  }

  /** the environment of a node process: the secret comes from the cluster file */
  protected env(): NodeJS.ProcessEnv {
    return { ...process.env, PAXOS_CLUSTER_SECRET: "" };
  }

  private async startNode(id: string): Promise<void> {
    const inc = this.incarnations.get(id) ?? 0;
    this.incarnations.set(id, inc + 1);
    // a replayable seed per incarnation: a restarted node must not reuse its client ids
    const nodeSeed = Math.floor(seededStream(this.opts.seed, `node/${id}/${inc}`).next() * 2 ** 31);
    const argv = this.command(id, [
      process.execPath,
      nodeBin(),
      "--cluster",
      this.clusterFile,
      "--id",
      id,
      "--data-dir",
      join(this.data, id),
      "--log-file",
      join(this.logs, `${id}.log`),
      "--seed",
      String(nodeSeed),
    ]);
    const child = spawnChild(
      `paxos-node ${id}`,
      argv[0]!,
      argv.slice(1),
      join(this.logs, `${id}.out.log`),
      this.env(),
    );
    this.nodes.set(id, child);
    await waitForLine(child, /listening on/, NODE_READY_MS);
  }

  /** the node processes' ids, as they run now */
  pids(): number[] {
    return [...this.nodes.values()].flatMap((c) =>
      c.process.pid === undefined ? [] : [c.process.pid],
    );
  }

  isUp(id: string): boolean {
    const child = this.nodes.get(id);
    return (
      child !== undefined && child.process.exitCode === null && child.process.signalCode === null
    );
  }

  async crash(id: string): Promise<void> {
    const child = this.nodes.get(id);
    if (child === undefined) return;
    this.control?.drop(id);
    await killChild(child);
  }

  restart(id: string): { ready: Promise<void> } {
    const ready = this.startNode(id).then(
      () => this.reapply(id),
      (e: Error) => {
        // a crash played before the node was ready is no failure
        if (this.isUp(id)) throw e;
      },
    );
    return { ready };
  }

  /** a restarted node forgot its cuts and link changes: tell it again */
  private async reapply(id: string): Promise<void> {
    const peers = this.cutsToReapply(id);
    if (peers.length > 0) await this.cutLinks(id, peers);
    for (const [key, link] of this.changed) {
      const [a, b] = key.split(">") as [string, string];
      if (a === id) await this.tell(a, (c) => c.setLink(b, this.emulate(link)));
    }
  }

  /** Sends `what` to node `id` over its control channel; a node that is down is skipped. */
  protected async tell(
    id: string,
    what: (c: Awaited<ReturnType<ClusterControl["node"]>>) => Promise<unknown>,
  ): Promise<void> {
    if (!this.isUp(id) || this.control === undefined) return;
    try {
      await what(await this.control.node(id));
    } catch {
      this.control.drop(id);
    }
  }

  async cut(id: string, peers: readonly string[]): Promise<void> {
    if (peers.length === 0) return;
    const set = this.cuts.get(id) ?? new Set<string>();
    for (const p of peers) set.add(p);
    this.cuts.set(id, set);
    await this.cutLinks(id, peers);
  }

  async healAll(): Promise<void> {
    this.cuts.clear();
    await this.healLinks(this.nodeIds);
  }

  async setLink(from: string, to: string, link: ConfigLink): Promise<void> {
    this.changed.set(`${from}>${to}`, link);
    await this.tell(from, (c) => c.setLink(to, this.emulate(link)));
  }

  /** Every live node's status over the control channel (a node that does not answer: absent). */
  async statuses(): Promise<Map<string, NodeStatus>> {
    const out = new Map<string, NodeStatus>();
    const control = this.control;
    if (control === undefined) return out;
    await Promise.all(
      [...this.nodes.keys()].map(async (id) => {
        if (!this.isUp(id)) return;
        try {
          const s = await withTimeout(control.status(id), 2_000);
          if (s) out.set(id, s);
        } catch {
          control.drop(id);
        }
      }),
    );
    return out;
  }

  async status(): Promise<Map<string, NodeView>> {
    const out = new Map<string, NodeView>();
    for (const [id, s] of await this.statuses()) {
      out.set(id, {
        up: true,
        leading: s.leader?.active === true,
        ...(s.replica ? { appliedBelow: s.replica.appliedBelow } : {}),
      });
    }
    return out;
  }

  /** The active leader with the highest ballot, by the nodes' own word. */
  async leader(): Promise<string | undefined> {
    let best: [string, NodeStatus] | undefined;
    for (const [id, s] of await this.statuses()) {
      if (!s.leader?.active) continue;
      const b = s.leader.ballot;
      const bb = best?.[1].leader?.ballot;
      if (!bb || b.round > bb.round || (b.round === bb.round && b.leader > bb.leader))
        best = [id, s];
    }
    return best?.[0];
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.control?.close();
    await Promise.all([...this.nodes.values()].map((c) => stopChild(c)));
    await this.teardown();
  }
}

// Runs a real cluster of paxos-node processes on loopback for tests and benchmarks: ports
// chosen free at run time, a temp directory per cluster (cluster file, data dirs, logs), every
// node in its own process group, and every process killed on stop, on failure and on exit.

import { type ChildProcess, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Role } from "@paxos/core";
import type { QuorumSpec } from "@paxos/quorum-system";
import { type Cluster, type ClusterFile, loadCluster } from "../src/cluster-file.js";
import { ClusterControl } from "../src/control-client.js";
import type { NodeStatus } from "../src/control-protocol.js";

const BIN = new URL("../../bin/paxos-node.js", import.meta.url).pathname;
export const TEST_SECRET = "test-secret-0123456789abcdef";

/** Every process group any harness started, killed synchronously if the test process exits. */
const liveGroups = new Set<number>();
process.on("exit", () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** Ports free right now on 127.0.0.1 (held open together so they are distinct). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import("node:net").Server>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as import("node:net").AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** The test's cluster file carries the secret: an inherited PAXOS_CLUSTER_SECRET must not win. */
function withoutSecret(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.PAXOS_CLUSTER_SECRET;
  return copy;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * How long a wait may see no progress before it fails. Waits end on readiness, or on evidence
 * of failure (a process that exited, replicas that disagree); this only turns a hang into a
 * failure, and it restarts whenever the wait's `progress` moves (so a slow but moving cluster
 * on a busy machine is waited for). Tests must not use it as a speed expectation.
 */
export const STALL_MS = 90_000;

/**
 * Polls `check` until it returns a value other than undefined/false. Fails only after
 * `stallMs` in which `progress` (when given) did not change: e.g. the replicas' applied slots.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  stallMs = STALL_MS,
  intervalMs = 50,
  progress?: () => Promise<unknown> | unknown,
): Promise<T> {
  let deadline = performance.now() + stallMs;
  let lastError: unknown;
  let mark: unknown = progress === undefined ? undefined : await progress();
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (error) {
      lastError = error;
    }
    if (progress !== undefined) {
      const now = await Promise.resolve(progress()).catch(() => mark);
      if (JSON.stringify(now) !== JSON.stringify(mark)) {
        mark = now;
        deadline = performance.now() + stallMs;
      }
    }
    if (performance.now() > deadline) {
      throw new Error(
        `no progress for ${stallMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`,
      );
    }
    await sleep(intervalMs);
  }
}

export interface NodeSpec {
  readonly id: string;
  readonly roles: readonly Role[];
}

/** Nodes that are each replica, leader and acceptor, as most tests and benches run them. */
export function colocated(...ids: string[]): NodeSpec[] {
  return ids.map((id) => ({ id, roles: ["replica", "leader", "acceptor"] }));
}

export interface LocalClusterOptions {
  readonly nodes: readonly NodeSpec[];
  readonly quorum: QuorumSpec;
  /** more cluster-file fields (timing, links, maxFrameBytes, ...) */
  readonly extra?: Partial<ClusterFile>;
  readonly clusterId?: string;
  readonly logLevel?: ClusterFile["logLevel"];
  readonly storage?: ClusterFile["storage"];
  /** start only these nodes (default: all) */
  readonly start?: readonly string[];
  /** options for node itself in every node process (e.g. --cpu-prof) */
  readonly nodeArgs?: readonly string[];
}

export class LocalCluster {
  readonly control: ClusterControl;
  private readonly procs = new Map<string, ChildProcess>();
  private readonly exits = new Map<string, Promise<void>>();
  private readonly exitCodes = new Map<string, number | null>();
  private stopped = false;

  private constructor(
    readonly dir: string,
    readonly clusterPath: string,
    readonly cluster: Cluster,
    private readonly nodeArgs: readonly string[] = [],
  ) {
    this.control = new ClusterControl(cluster, { secret: TEST_SECRET, id: "test-harness" });
  }

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const dir = mkdtempSync(join(tmpdir(), "paxos-ws-"));
    const ports = await freePorts(options.nodes.length);
    const file: ClusterFile = {
      clusterId: options.clusterId ?? "test",
      secret: TEST_SECRET,
      quorum: options.quorum,
      nodes: options.nodes.map((n, i) => ({
        id: n.id,
        host: "127.0.0.1",
        port: ports[i]!,
        roles: n.roles,
      })),
      logLevel: options.logLevel ?? "info",
      ...(options.storage === undefined ? {} : { storage: options.storage }),
      ...options.extra,
    };
    const clusterPath = join(dir, "cluster.json");
    writeFileSync(clusterPath, JSON.stringify(file, null, 2));
    const lc = new LocalCluster(
      dir,
      clusterPath,
      loadCluster(clusterPath, { env: {} }),
      options.nodeArgs ?? [],
    );
    try {
      await Promise.all(
        (options.start ?? options.nodes.map((n) => n.id)).map((id) => lc.spawn(id)),
      );
    } catch (error) {
      await lc.stop();
      throw error;
    }
    return lc;
  }

  get ids(): string[] {
    return [...this.cluster.nodesById.keys()];
  }

  /** The node's data dir: nothing else in it (logs live beside it), so its size is the state's. */
  dataDir(id: string): string {
    return join(this.dir, id);
  }

  logPath(id: string): string {
    return join(this.dir, `${id}.log`);
  }

  /** The node's log as parsed JSON lines (what has been flushed so far). */
  logLines(id: string): Record<string, unknown>[] {
    const path = this.logPath(id);
    if (!existsSync(path)) return [];
    const lines: Record<string, unknown>[] = [];
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        lines.push(JSON.parse(line));
      } catch {
        // a line being written right now
      }
    }
    return lines;
  }

  /** Waits until some log line of `id` satisfies `match` and returns the last such line. */
  waitForLog(
    id: string,
    what: string,
    match: (line: Record<string, unknown>) => boolean,
    stallMs = STALL_MS,
  ) {
    return waitFor(
      `log line of ${id}: ${what}`,
      () => this.logLines(id).findLast(match),
      stallMs,
      50,
      // the node is still writing its log: it is alive and working
      () => (existsSync(this.logPath(id)) ? readFileSync(this.logPath(id)).length : 0),
    );
  }

  pidOf(id: string): number | undefined {
    return this.procs.get(id)?.pid;
  }

  isRunning(id: string): boolean {
    return this.procs.has(id);
  }

  /** Starts (or restarts) one node and waits until it listens. */
  async spawn(id: string, extraArgs: readonly string[] = []): Promise<void> {
    if (this.procs.has(id)) throw new Error(`${id} is already running`);
    this.exitCodes.delete(id);
    const outPath = join(this.dir, `${id}.out`);
    const startOffset = existsSync(outPath) ? readFileSync(outPath, "utf8").length : 0;
    const out = openSync(outPath, "a");
    const child = spawn(
      process.execPath,
      [
        ...this.nodeArgs,
        BIN,
        "--cluster",
        this.clusterPath,
        "--id",
        id,
        "--data-dir",
        this.dataDir(id),
        "--log-file",
        this.logPath(id),
        ...extraArgs,
      ],
      { detached: true, stdio: ["ignore", out, out], env: withoutSecret(process.env) },
    );
    closeSync(out);
    const pid = child.pid!;
    liveGroups.add(pid);
    this.procs.set(id, child);
    this.exits.set(
      id,
      new Promise((resolve) => {
        child.on("exit", (code) => {
          liveGroups.delete(pid);
          this.exitCodes.set(id, code);
          if (this.procs.get(id) === child) this.procs.delete(id);
          resolve();
        });
      }),
    );
    const listening = `paxos-node ${id} listening`;
    // ready when it says so, failed when it exits; a node that is alive and silent is slow
    // (a loaded machine), and STALL_MS only keeps a hang from lasting for ever
    const deadline = performance.now() + STALL_MS;
    // the file is appended to across restarts: look only at what this run printed
    while (!readFileSync(outPath, "utf8").slice(startOffset).includes(listening)) {
      if (!this.procs.has(id)) throw new Error(`${id} exited: ${readFileSync(outPath, "utf8")}`);
      if (performance.now() > deadline)
        throw new Error(`${id} is alive but did not start listening in ${STALL_MS} ms`);
      await sleep(20);
    }
  }

  /** Sends a signal to a node's process group and waits for it to exit. */
  async kill(id: string, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.procs.get(id);
    this.control.drop(id);
    if (child === undefined) return;
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
    await this.exits.get(id);
  }

  /** Exit code of the last run of `id`, once it exited (null: killed by a signal). */
  exitCode(id: string): number | null | undefined {
    return this.exitCodes.get(id);
  }

  async status(id: string): Promise<NodeStatus> {
    return this.control.status(id);
  }

  /** The id of the node whose leader role is active, if exactly one is. */
  async activeLeader(): Promise<string | undefined> {
    const active: string[] = [];
    for (const id of this.ids) {
      if (!this.procs.has(id)) continue;
      const s = await this.status(id).catch(() => undefined);
      if (s?.leader?.active) active.push(id);
    }
    return active.length === 1 ? active[0] : undefined;
  }

  /**
   * Waits until every running replica has applied the same log, at least as far as the most
   * advanced replica had when called (and at least `minSlots` slots), and returns the common
   * digest: agreement across processes.
   */
  async waitForAgreement(
    minSlots = 1,
    stallMs = STALL_MS,
  ): Promise<{ appliedBelow: number; digest: string }> {
    const running = this.cluster.layout.replicas.filter((id) => this.procs.has(id));
    for (const id of running) {
      const applied = (await this.status(id)).replica?.appliedBelow ?? 0;
      if (applied > minSlots) minSlots = applied;
    }
    return waitFor(
      "replicas to agree",
      async () => {
        const replicas = this.cluster.layout.replicas.filter((id) => this.procs.has(id));
        const statuses = await Promise.all(replicas.map((id) => this.status(id)));
        const first = statuses[0]?.replica;
        if (first === undefined || first === null || first.appliedBelow < minSlots)
          return undefined;
        for (const s of statuses) {
          if (s.replica === null || s.replica.appliedBelow !== first.appliedBelow) return undefined;
          if (s.replica.digestFrom !== first.digestFrom)
            throw new Error("a replica installed a snapshot");
          if (s.replica.digest !== first.digest) {
            throw new Error(
              `replicas disagree at slot ${first.appliedBelow}: ${JSON.stringify(statuses.map((x) => x.replica))}`,
            );
          }
        }
        return { appliedBelow: first.appliedBelow, digest: first.digest };
      },
      stallMs,
      100,
      // progress: any replica applied more
      async () => {
        const replicas = this.cluster.layout.replicas.filter((id) => this.procs.has(id));
        const statuses = await Promise.all(replicas.map((id) => this.status(id)));
        return statuses.map((s) => s.replica?.appliedBelow ?? 0);
      },
    );
  }

  /** One line per running node: replica, leader and acceptor state (for failure messages). */
  async diagnose(): Promise<string> {
    const lines: string[] = [];
    for (const id of this.ids) {
      if (!this.procs.has(id)) {
        lines.push(`${id}: not running`);
        continue;
      }
      const s = await this.status(id).catch((e: Error) => e.message);
      if (typeof s === "string") {
        lines.push(`${id}: ${s}`);
        continue;
      }
      const links = Object.entries(s.links).map(([p, l]) => `${p}:${l.state}`);
      lines.push(
        `${id}: replica ${JSON.stringify(s.replica)} leader ${JSON.stringify(s.leader)} ` +
          `acceptor ${JSON.stringify(s.acceptor)} links ${links.join(",")} ${JSON.stringify(s.counters)}`,
      );
    }
    return lines.join("\n");
  }

  /** Stops every node (SIGTERM, then SIGKILL) and removes the directory unless KEEP_TEST_DIRS. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.control.close();
    const running = [...this.procs.keys()];
    for (const id of running) {
      try {
        process.kill(-this.procs.get(id)!.pid!, "SIGTERM");
      } catch {
        // gone
      }
    }
    const all = Promise.all(running.map((id) => this.exits.get(id)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((r) => {
      timer = setTimeout(() => r("timeout"), 3_000);
    });
    const outcome = await Promise.race([all, timeout]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      for (const child of this.procs.values()) {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // gone
        }
      }
      await all;
    }
    if (process.env.KEEP_TEST_DIRS) process.stderr.write(`kept ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

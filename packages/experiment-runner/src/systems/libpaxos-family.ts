// What LibPaxos3 and LibFPaxos share (LibFPaxos is LibPaxos3 with quorum sizes): a paxos.conf
// written from the variant, acceptors and one proposer from their sample programs on loopback,
// and their sample client as the load generator (closed loop: `outstanding` values in flight,
// of the workload's value size). Its once-a-second figures become the run's per-second series.
// There is no state machine and no client history: nothing to check for linearizability.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ResolvedConfig } from "../config/types.js";
import { type Child, freePorts, spawnChild, stopChild } from "../modes/processes.js";
import { type BuiltSystem, type CSystem, ensureBuilt, findOnPath } from "./c-build.js";
import { refusesLoopback } from "./loopback.js";
import { logTail, READY_BOUND_MS, signalAndWait, sleep, waitForPort } from "./readiness.js";
import { type ClientSecond, mergeSeconds, parseClientLine } from "./sample-client.js";
import type {
  Collected,
  DriveContext,
  ResolvedSystem,
  RunningSystem,
  StartContext,
  SystemAdapter,
  VariantShape,
} from "./types.js";

export interface Flavour {
  kind: "libpaxos3" | "libfpaxos";
  build: CSystem;
  /** paxos.conf lines that set the quorums, or why this flavour cannot run the variant */
  quorumLines(q: StartContext["quorum"], acceptors: number): string[];
  refusesQuorum(v: VariantShape): string | null;
}

type CSystemEntry = Extract<ResolvedSystem, { system: "libpaxos3" | "libfpaxos" }>;

/** The paxos.conf of one run. */
export function paxosConf(opts: {
  acceptorPorts: readonly number[];
  proposerPort: number;
  storage: "memory" | "lmdb";
  lmdbSync: boolean;
  lmdbPath: string;
  quorumLines: readonly string[];
}): string {
  return [
    "# written by paxos-lab for one run",
    ...opts.acceptorPorts.map((p, i) => `acceptor ${i} 127.0.0.1 ${p}`),
    `proposer 0 127.0.0.1 ${opts.proposerPort}`,
    "verbosity info",
    ...opts.quorumLines,
    `storage-backend ${opts.storage}`,
    ...(opts.storage === "lmdb"
      ? [
          `lmdb-sync ${opts.lmdbSync ? "yes" : "no"}`,
          `lmdb-env-path ${opts.lmdbPath}`,
          // the default 10 MB fills in seconds at tens of thousands of values a second
          "lmdb-mapsize 4gb",
        ]
      : []),
    "",
  ].join("\n");
}

/** Refusals both flavours share: their client is closed-loop and fills values with text. */
function refusesWorkload(config: ResolvedConfig): string | null {
  if (config.workload.clients.type !== "closed")
    return "its sample client keeps a number of values in flight (closed loop) only";
  if (config.workload.valueSizeBytes < 2)
    return "its sample client needs values of at least 2 bytes (workload.valueSizeBytes)";
  return refusesLoopback(config);
}

export function libpaxosAdapter(f: Flavour, name: string, latencyMeasures: string): SystemAdapter {
  const builds = new Map<string, BuiltSystem>();
  const keyOf = (s: CSystemEntry) => JSON.stringify([s.source ?? null, s.storage]);
  return {
    kind: f.kind,
    name,
    latencyMeasures,
    history: false,
    refusesConfig: refusesWorkload,
    refusesVariant: f.refusesQuorum,
    prepare: async (system, announce) => {
      const s = system as CSystemEntry;
      const key = keyOf(s);
      if (builds.has(key)) return;
      builds.set(key, await ensureBuilt(f.build, s.source, s.storage === "lmdb", announce));
    },
    start: async (ctx) => {
      const s = ctx.system as CSystemEntry;
      const built = builds.get(keyOf(s));
      if (!built) throw new Error(`${name}: start before prepare`);
      return startCluster(f, name, built, s, ctx);
    },
  };
}

async function startCluster(
  f: Flavour,
  name: string,
  built: BuiltSystem,
  s: CSystemEntry,
  ctx: StartContext,
): Promise<RunningSystem> {
  const n = ctx.acceptors.length;
  const logs = join(ctx.dir, "logs");
  const data = join(ctx.dir, "data");
  mkdirSync(logs, { recursive: true });
  mkdirSync(data, { recursive: true });
  const ports = await freePorts(n + 1);
  const conf = join(ctx.dir, "paxos.conf");
  writeFileSync(
    conf,
    paxosConf({
      acceptorPorts: ports.slice(0, n),
      proposerPort: ports[n]!,
      storage: s.storage,
      lmdbSync: s.lmdbSync,
      lmdbPath: join(data, "acceptor"),
      quorumLines: f.quorumLines(ctx.quorum, n),
    }),
  );
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: [built.libraryPath, process.env.LD_LIBRARY_PATH].filter((x) => x).join(":"),
  };
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => stopChild(c, 2_000)));
    rmSync(data, { recursive: true, force: true });
  };
  const spawn = (what: string, args: string[]) => {
    const log = join(logs, `${what}.log`);
    const child = spawnChild(`${name} ${what}`, join(built.bin, args[0]!), args.slice(1), log, env);
    children.push(child);
    return { child, log };
  };
  try {
    // acceptors first, then the proposer (it connects to them), each ready when it listens
    const acceptors = ctx.acceptors.map((_, i) =>
      spawn(`acceptor-${i}`, ["acceptor", String(i), conf]),
    );
    await Promise.all(acceptors.map((a, i) => waitForPort(a.child, ports[i]!, a.log)));
    const proposer = spawn("proposer-0", ["proposer", "0", conf]);
    await waitForPort(proposer.child, ports[n]!, proposer.log);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    extra: { ports, paxos_conf: "paxos.conf", built_from: built.source, logs: "logs/" },
    drive: (d) => driveClients(name, built, conf, env, logs, children, d),
    stop,
  };
}

/** Runs one sample client per workload client for the run's duration; their figures merged. */
async function driveClients(
  name: string,
  built: BuiltSystem,
  conf: string,
  env: NodeJS.ProcessEnv,
  logs: string,
  children: Child[],
  d: DriveContext,
): Promise<Collected> {
  const w = d.config.workload;
  if (w.clients.type !== "closed") throw new Error(`${name}: closed-loop clients only`);
  const outstanding = w.clients.outstanding;
  // line-buffered output (coreutils' stdbuf) gives live progress; without it the client's
  // figures arrive when it exits, which is just as exact
  const stdbuf = findOnPath("stdbuf");
  const seconds: ClientSecond[][] = d.clients.map(() => []);
  const clients = d.clients.map((id, i) => {
    const args = [conf, "-o", String(outstanding), "-v", String(w.valueSizeBytes), "-p", "0"];
    const program = join(built.bin, "client");
    const log = join(logs, `client-${id}.log`);
    const child = stdbuf
      ? spawnChild(`${name} client ${id}`, stdbuf, ["-oL", program, ...args], log, env)
      : spawnChild(`${name} client ${id}`, program, args, log, env);
    children.push(child);
    child.onLine((line) => {
      const s = parseClientLine(line);
      if (!s) return;
      seconds[i]!.push(s);
      const done = Math.min(...seconds.map((c) => c.length));
      const ops = seconds.reduce((n, c) => n + c.reduce((m, x) => m + x.ops, 0), 0);
      d.onProgress?.(done * 1000, ops);
    });
    return { child, log };
  });
  const t0 = performance.now();
  // a little past the end, so the client prints the run's last whole second before it stops
  const until = w.durationMs + 300;
  while (performance.now() - t0 < until) {
    if (d.aborted?.()) break;
    const dead = clients.find((c) => c.child.process.exitCode !== null);
    if (dead) {
      throw new Error(
        `${dead.child.name} exited (${dead.child.process.exitCode}) during the run: ${logTail(dead.log)}`,
      );
    }
    await sleep(Math.min(100, Math.max(1, until - (performance.now() - t0))));
  }
  // SIGINT: the client leaves its event loop and exits, flushing what it printed
  await Promise.all(clients.map((c) => signalAndWait(c.child, "SIGINT", READY_BOUND_MS / 30)));
  const perSecond = mergeSeconds(seconds, w.durationMs);
  if (perSecond.length === 0) {
    throw new Error(
      `${name}: the sample client printed no figures; see ${clients[0]?.log ?? "its log"}`,
    );
  }
  return { kind: "per-second", perSecond };
}

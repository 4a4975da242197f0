// local mode: one run of a variant on real processes over loopback.
//
//   1. write a cluster file for @paxos/transport-ws: free ports chosen now, the variant's quorum
//      and roles, the engine options, and the network as the transport's link emulation
//      (default link, sites and per-link overrides become per-pair rules);
//   2. start one `paxos-node` per node (logs and durable state under the run's folder);
//   3. start the load generator as its own process (dist/src/loadgen.js) and take t = 0 from it;
//   4. play the fault schedule (the config's faults and the run's chaos schedule): crash =
//      SIGKILL, restart = spawn again on the same data (and tell it the cuts and link changes
//      still in force), partition / isolate / heal / link through the control channel, recover
//      = all of those undone; "@leader" asks the nodes;
//   5. when the load generator is done (after its final reads, with chaos), let the replicas
//      converge and compare their applied-log digests (agreement), and check the history
//      (validity, at-most-once as a client sees it; with chaos, commits resumed after heals);
//   6. always tear everything down (finally), also on an error or Ctrl-C.

import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Result } from "@paxos/core";
import {
  ClusterControl,
  type ClusterFile,
  type LinkSpec,
  loadCluster,
  type NodeStatus,
} from "@paxos/transport-ws";
import type { FaultTime } from "../chaos/liveness.js";
import { chaosChecks, faultsOfRun, linkPairs } from "../chaos/run.js";
import { LEADER_REF, type Variant } from "../config/resolve.js";
import type { LinkSpec as ConfigLink, Latency, ResolvedConfig } from "../config/types.js";
import type { LoadgenSpec } from "../loadgen.js";
import type { RunModeOptions } from "../run/runner.js";
import {
  type AppliedFault,
  type CheckResult,
  type EngineCounts,
  EnvironmentError,
  type HistoryRecord,
  type LeadershipRecord,
  type RunOutcome,
} from "../run/types.js";
import {
  type Child,
  freePorts,
  killChild,
  spawnChild,
  stopChild,
  waitForLine,
} from "./processes.js";

// Bounds on a hang, not expectations: a process that exits fails the wait at once, and one that
// is alive may need tens of seconds to load its modules on a machine shared by many (15 s was
// exceeded at a load average of 30 on 2 cores).
const NODE_READY_MS = 120_000;
const LOADGEN_READY_MS = 120_000;
const CONVERGE_MS = 5_000;

/** The transport's link spec for a config link (their delay is base + a random part). */
export function transportLink(latency: Latency, l: Omit<ConfigLink, "latency">): LinkSpec {
  const jitter = l.jitterMs ?? 0;
  let spec: { delayMs?: number; jitterMs?: number; distribution?: LinkSpec["distribution"] };
  switch (latency.dist) {
    case "constant":
      spec =
        jitter > 0
          ? { delayMs: latency.ms, jitterMs: jitter, distribution: "uniform" }
          : { delayMs: latency.ms };
      break;
    case "uniform":
      spec = {
        delayMs: (latency.minMs + latency.maxMs) / 2,
        jitterMs: (latency.maxMs - latency.minMs) / 2 + jitter,
        distribution: "uniform",
      };
      break;
    case "normal":
      spec = { delayMs: latency.meanMs, jitterMs: latency.stddevMs, distribution: "normal" };
      break;
    case "exponential":
      spec = { delayMs: 0, jitterMs: latency.meanMs, distribution: "exponential" };
      break;
  }
  return {
    ...spec,
    ...(l.loss ? { lossRate: l.loss } : {}),
    ...(l.bandwidthMbps === undefined ? {} : { bandwidthBytesPerSec: l.bandwidthMbps * 125_000 }),
  };
}

/** Every directed node -> node link's config settings: default, then sites, then overrides. */
export function effectiveLinks(config: ResolvedConfig, variant: Variant): Map<string, ConfigLink> {
  const ids = variant.nodes.map((n) => n.id);
  const sites = config.network.sites;
  const out = new Map<string, ConfigLink>();
  for (const a of ids) {
    for (const b of ids) {
      if (a === b) continue;
      let link: ConfigLink = { ...config.network.default };
      const sa = variant.sites.get(a);
      const sb = variant.sites.get(b);
      if (sites && sa !== undefined && sb !== undefined) {
        const ms = sites.latencyMs[sites.names.indexOf(sa)]?.[sites.names.indexOf(sb)];
        if (ms !== undefined) {
          link = { ...link, latency: { dist: "constant", ms }, jitterMs: sites.jitterMs };
        }
      }
      for (const o of config.network.links) {
        if ((o.from === a && o.to === b) || (o.symmetric && o.from === b && o.to === a)) {
          const { from: _f, to: _t, symmetric: _s, ...settings } = o;
          link = { ...link, ...settings };
        }
      }
      out.set(`${a}>${b}`, link);
    }
  }
  return out;
}

function specOf(link: ConfigLink): LinkSpec {
  return transportLink(link.latency ?? { dist: "constant", ms: 0 }, link);
}

export function clusterFileFor(
  config: ResolvedConfig,
  variant: Variant,
  ports: number[],
  clusterId: string,
  secret: string,
): ClusterFile {
  const links = effectiveLinks(config, variant);
  const defaultSpec = transportLink(config.network.default.latency, config.network.default);
  const rules: { from: string; to: string; spec: LinkSpec }[] = [];
  const defaultJson = JSON.stringify(defaultSpec);
  for (const [key, link] of links) {
    const spec = specOf(link);
    if (JSON.stringify(spec) === defaultJson) continue;
    const [from, to] = key.split(">") as [string, string];
    rules.push({ from, to, spec });
  }
  return {
    clusterId,
    secret,
    quorum: variant.spec,
    nodes: variant.nodes.map((n, i) => ({
      id: n.id,
      host: "127.0.0.1",
      port: ports[i]!,
      roles: n.roles,
    })),
    ...(Object.keys(config.engine.timing).length > 0 ? { timing: config.engine.timing } : {}),
    replica: {
      ...(config.engine.window === undefined ? {} : { window: config.engine.window }),
      ...(config.engine.maxBatch === undefined ? {} : { maxBatch: config.engine.maxBatch }),
    },
    leader: { thrifty: variant.thrifty },
    links: { default: defaultSpec, ...(rules.length > 0 ? { rules } : {}) },
    logLevel: "info",
    ...(variant.system.system.system === "paxos-lab" && variant.system.system.fsync === false
      ? { fsync: false }
      : {}),
  };
}

function transportBin(): { node: string; loadgen: string } {
  const require = createRequire(import.meta.url);
  let index: string;
  try {
    index = require.resolve("@paxos/transport-ws");
  } catch {
    index = fileURLToPath(import.meta.resolve("@paxos/transport-ws"));
  }
  return {
    node: join(dirname(index), "cli", "paxos-node.js"),
    loadgen: join(dirname(fileURLToPath(import.meta.url)), "..", "loadgen.js"),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, sleep(ms).then(() => undefined)]);
}

/** Runs one variant once on real processes. */
export async function runLocal(opts: RunModeOptions): Promise<RunOutcome> {
  const { config, variant, seed, dir } = opts;
  const w = config.workload;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const logs = join(dir, "logs");
  const data = join(dir, "data");
  mkdirSync(logs, { recursive: true });
  mkdirSync(data, { recursive: true });
  const bins = transportBin();

  const ports = await freePorts(variant.nodes.length);
  const clusterId = `lab-${process.pid}-${randomBytes(3).toString("hex")}`;
  const secret = randomBytes(24).toString("hex");
  const clusterFile = join(dir, "cluster.json");
  const file = clusterFileFor(config, variant, ports, clusterId, secret);
  writeFileSync(clusterFile, `${JSON.stringify(file, null, 2)}\n`);
  const cluster = loadCluster(clusterFile);
  const nodes = new Map<string, Child>();
  const incarnations = new Map<string, number>();
  const control = new ClusterControl(cluster, { id: "paxos-lab", timeoutMs: 2_000 });
  const applied: AppliedFault[] = [];
  const leadership: LeadershipRecord[] = [];
  let loadgen: Child | undefined;
  let error: string | undefined;
  let history: HistoryRecord[] = [];
  const checks: CheckResult[] = [];
  const timers: NodeJS.Timeout[] = [];
  const env = { ...process.env, PAXOS_CLUSTER_SECRET: "" };
  const chaosExtra: Record<string, unknown> = {};
  let engine: EngineCounts | undefined;

  const startNode = async (id: string): Promise<void> => {
    const inc = incarnations.get(id) ?? 0;
    incarnations.set(id, inc + 1);
    const child = spawnChild(
      `paxos-node ${id}`,
      process.execPath,
      [
        bins.node,
        "--cluster",
        clusterFile,
        "--id",
        id,
        "--data-dir",
        join(data, id),
        "--log-file",
        join(logs, `${id}.log`),
      ],
      join(logs, `${id}.out.log`),
      env,
    );
    nodes.set(id, child);
    await waitForLine(child, /listening on/, NODE_READY_MS);
  };

  const statuses = async (): Promise<Map<string, NodeStatus>> => {
    const out = new Map<string, NodeStatus>();
    await Promise.all(
      [...nodes].map(async ([id, child]) => {
        if (child.process.exitCode !== null || child.process.signalCode !== null) return;
        try {
          const s = await withTimeout(control.status(id), 2_000);
          if (s) out.set(id, s);
        } catch {
          control.drop(id);
        }
      }),
    );
    return out;
  };

  const currentLeader = async (): Promise<string | undefined> => {
    const all = await statuses();
    let best: [string, NodeStatus] | undefined;
    for (const [id, s] of all) {
      if (!s.leader?.active) continue;
      const b = s.leader.ballot;
      const bb = best?.[1].leader?.ballot;
      if (!bb || b.round > bb.round || (b.round === bb.round && b.leader > bb.leader))
        best = [id, s];
    }
    return best?.[0] ?? variant.leaders.find((id) => nodes.get(id)?.process.exitCode === null);
  };

  const links = effectiveLinks(config, variant);
  try {
    await Promise.all(variant.nodes.map((n) => startNode(n.id)));

    const historyFile = join(logs, "loadgen-history.ndjson");
    const spec: LoadgenSpec = {
      clusterFile,
      clients: variant.clients,
      workload: w,
      seed,
      historyFile,
      graceMs: 2_000,
      ...(config.chaos?.finalReads ? { finalReadsMs: config.chaos.finalReadsWithinMs } : {}),
    };
    const specFile = join(dir, "loadgen.json");
    writeFileSync(specFile, `${JSON.stringify(spec, null, 2)}\n`);
    loadgen = spawnChild(
      "loadgen",
      process.execPath,
      [bins.loadgen, specFile],
      join(logs, "loadgen.log"),
      env,
    );
    let completed = 0;
    let doneMs = 0;
    let finalReads: { issued: number; completed: number; withinMs: number } | undefined;
    loadgen.onLine((line) => {
      const f = /^FINAL (\d+) (\d+)/.exec(line);
      if (f) {
        finalReads = {
          issued: Number(f[1]),
          completed: Number(f[2]),
          withinMs: config.chaos?.finalReadsWithinMs ?? 0,
        };
      }
      const m = /^PROGRESS (\d+) (\d+)/.exec(line);
      if (m) {
        doneMs = Number(m[1]);
        completed = Number(m[2]);
        opts.onProgress?.(Math.min(doneMs, w.durationMs), completed);
      }
    });
    const startLine = await waitForLine(loadgen, /^START /, LOADGEN_READY_MS);
    const t0 = Number(startLine.split(" ")[1]);
    const at = () => performance.timeOrigin + performance.now() - t0;

    // The run's faults (the config's and the chaos schedule), in wall-clock time from the load
    // generator's start, one after the other in schedule order.
    const clusterIds = variant.nodes.map((n) => n.id);
    const original = effectiveLinks(config, variant);
    /** per node, the peers it is told to drop (re-applied when it restarts) */
    const cuts = new Map<string, Set<string>>();
    /** links a fault changed and no reset restored yet (re-applied when their node restarts) */
    const changed = new Set<string>();
    const crashedLeaders: string[] = [];
    const isUp = (id: string) => {
      const child = nodes.get(id);
      return (
        child !== undefined && child.process.exitCode === null && child.process.signalCode === null
      );
    };
    const tell = async (
      id: string,
      what: (c: Awaited<ReturnType<typeof control.node>>) => Promise<unknown>,
    ) => {
      if (!isUp(id)) return;
      try {
        await what(await control.node(id));
      } catch {
        control.drop(id);
      }
    };
    const cut = async (id: string, peers: string[]) => {
      if (peers.length === 0) return;
      const set = cuts.get(id) ?? new Set<string>();
      for (const p of peers) set.add(p);
      cuts.set(id, set);
      await tell(id, (c) => c.partition(peers));
    };
    const healAll = async () => {
      cuts.clear();
      await Promise.all(clusterIds.map((id) => tell(id, (c) => c.heal())));
    };
    const setPair = async (a: string, b: string, link: ConfigLink) => {
      links.set(`${a}>${b}`, link);
      await tell(a, (c) => c.setLink(b, specOf(link)));
    };
    const resetPair = async (a: string, b: string) => {
      const key = `${a}>${b}`;
      changed.delete(key);
      await setPair(a, b, original.get(key) ?? { ...config.network.default });
    };
    /** a restarted node forgot its cuts and link changes: tell it again */
    const reapply = async (id: string) => {
      const peers = [...(cuts.get(id) ?? [])];
      if (peers.length > 0) await tell(id, (c) => c.partition(peers));
      for (const key of changed) {
        const [a, b] = key.split(">") as [string, string];
        if (a === id) await tell(a, (c) => c.setLink(b, specOf(links.get(key)!)));
      }
    };
    const { faults: runFaults } = faultsOfRun(config, variant, seed);
    const times: (FaultTime | undefined)[] = [];
    let chain = Promise.resolve();
    runFaults.forEach((f, index) => {
      const run = async () => {
        const when = Math.round(at());
        switch (f.action) {
          case "crash": {
            const node = f.node === LEADER_REF ? await currentLeader() : f.node;
            const child = node === undefined ? undefined : nodes.get(node);
            if (!node || !child || child.process.exitCode !== null) {
              applied.push({ atMs: when, what: `crash ${f.node}: no such live node, skipped` });
              return;
            }
            if (f.node === LEADER_REF) {
              crashedLeaders.push(node);
              leadership.push({ atMs: when, node, active: false, ballot: "crashed" });
            }
            control.drop(node);
            await killChild(child);
            applied.push({
              atMs: when,
              what: `crash ${node}${f.node === LEADER_REF ? " (the leader)" : ""}`,
              node,
            });
            return;
          }
          case "restart": {
            const node = f.node === LEADER_REF ? crashedLeaders.shift() : f.node;
            if (!node || isUp(node)) {
              applied.push({ atMs: when, what: `restart ${f.node}: not down, skipped` });
              return;
            }
            await startNode(node);
            await reapply(node);
            applied.push({ atMs: when, what: `restart ${node}`, node });
            return;
          }
          case "partition": {
            const groups: string[][] = [];
            for (const g of f.groups) {
              const ids: string[] = [];
              for (const id of g) {
                const r = id === LEADER_REF ? await currentLeader() : id;
                if (r !== undefined) ids.push(r);
              }
              groups.push(ids);
            }
            await Promise.all(
              groups.flatMap((g, i) =>
                g.map((id) => cut(id, groups.filter((_, j) => j !== i).flat())),
              ),
            );
            applied.push({
              atMs: when,
              what: `partition ${groups.map((g) => `{${g.join(",")}}`).join(" | ")}`,
            });
            return;
          }
          case "isolate": {
            const node = f.node === LEADER_REF ? await currentLeader() : f.node;
            if (node === undefined) {
              applied.push({ atMs: when, what: `isolate ${f.node}: no such node, skipped` });
              return;
            }
            const others = clusterIds.filter((id) => id !== node);
            await Promise.all([cut(node, others), ...others.map((id) => cut(id, [node]))]);
            applied.push({
              atMs: when,
              what: `isolate ${node}${f.node === LEADER_REF ? " (the leader)" : ""}`,
              node,
            });
            return;
          }
          case "heal":
            await healAll();
            applied.push({ atMs: when, what: "heal" });
            return;
          case "link": {
            const from = f.from === LEADER_REF ? await currentLeader() : f.from;
            const to = f.to === LEADER_REF ? await currentLeader() : f.to;
            if (!from || !to) return;
            const pairs = linkPairs(from, to, f.symmetric ?? true, clusterIds);
            if (f.reset) {
              await Promise.all(pairs.map(([a, b]) => resetPair(a, b)));
              applied.push({ atMs: when, what: `link ${from}->${to} reset` });
              return;
            }
            await Promise.all(
              pairs.map(([a, b]) => {
                changed.add(`${a}>${b}`);
                return setPair(a, b, { ...links.get(`${a}>${b}`), ...f.set });
              }),
            );
            applied.push({ atMs: when, what: `link ${from}->${to} ${JSON.stringify(f.set)}` });
            return;
          }
          case "recover": {
            crashedLeaders.length = 0;
            const down = clusterIds.filter((id) => !isUp(id));
            await Promise.all(down.map((id) => startNode(id)));
            await healAll();
            await Promise.all(
              [...changed].map((key) => {
                const [a, b] = key.split(">") as [string, string];
                return resetPair(a, b);
              }),
            );
            applied.push({
              atMs: when,
              what: `recover${down.length > 0 ? `: restart ${down.join(", ")}` : ""}`,
            });
            return;
          }
        }
      };
      const timed = async () => {
        const startedAt = at();
        await run();
        times[index] = { startedAt, doneAt: at() };
      };
      timers.push(
        setTimeout(
          () => {
            // faults run one after the other, in schedule order
            chain = chain.then(timed).catch((e: Error) => {
              applied.push({ atMs: Math.round(at()), what: `${f.action} failed: ${e.message}` });
            });
          },
          Math.max(0, f.atMs - at()),
        ),
      );
    });

    // Wait for the load generator, watching for Ctrl-C.
    const lg = loadgen;
    let exit: number | string | undefined;
    void lg.exited.then((code) => {
      exit = code;
    });
    while (exit === undefined) {
      if (opts.aborted?.()) {
        error = `interrupted at ${Math.round(at())} ms`;
        await stopChild(lg, 500);
        break;
      }
      await sleep(100);
    }
    for (const t of timers) clearTimeout(t);
    await chain;
    if (error === undefined && exit !== 0) {
      error = `the load generator failed (exit ${exit}); see logs/loadgen.log`;
    }
    if (error === undefined) {
      history = readFileSync(historyFile, "utf8")
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as HistoryRecord);
      rmSync(historyFile, { force: true });
      checks.push(...(await replicaChecks(variant, statuses)), ...historyChecks(history));
      engine = engineCounts(variant, await statuses());
      if (config.chaos) {
        const c = chaosChecks({
          config,
          faults: runFaults,
          times,
          history,
          ...(finalReads ? { finalReads } : {}),
        });
        checks.push(...c.checks);
        Object.assign(chaosExtra, c.extra);
      }
    }
  } catch (e) {
    if (e instanceof EnvironmentError) throw e;
    error = `local run failed: ${(e as Error).message}`;
  } finally {
    for (const t of timers) clearTimeout(t);
    control.close();
    if (loadgen) await stopChild(loadgen, 1_000);
    await Promise.all([...nodes.values()].map((c) => stopChild(c)));
    rmSync(data, { recursive: true, force: true });
  }
  return {
    mode: "local",
    time: "wall-clock",
    variant: variant.label,
    quorum: variant.describe,
    repetition: opts.repetition,
    seed,
    startedAt,
    wallMs: performance.now() - started,
    durationMs: w.durationMs,
    warmupMs: w.warmupMs,
    cooldownMs: w.cooldownMs,
    history,
    checks,
    faults: applied,
    leadership,
    ...(engine === undefined ? {} : { engine }),
    extra: { cluster_id: clusterId, ports, logs: "logs/", ...chaosExtra },
    ...(error === undefined ? {} : { error }),
  };
}

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

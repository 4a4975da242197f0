// local mode: one run of a variant on real processes over loopback.
//
//   1. write a cluster file for @paxos/transport-ws: free ports chosen now, the variant's quorum
//      and roles, the engine options, and the network as the transport's link emulation
//      (default link, sites and per-link overrides become per-pair rules);
//   2. start one `paxos-node` per node (logs and durable state under the run's folder);
//   3. start the load generator as its own process (dist/src/loadgen.js) and take t = 0 from it;
//   4. play the fault schedule: crash = SIGKILL, restart = spawn again on the same data,
//      partition / heal / link through the control channel; "@leader" asks the nodes;
//   5. when the load generator is done, let the replicas converge and compare their applied-log
//      digests (agreement), and check the history (validity, at-most-once as a client sees it);
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
import { faultSchedule, LEADER_REF, type Variant } from "../config/resolve.js";
import type { LinkSpec as ConfigLink, Latency, ResolvedConfig } from "../config/types.js";
import type { LoadgenSpec } from "../loadgen.js";
import type { RunModeOptions } from "../run/runner.js";
import {
  type AppliedFault,
  type CheckResult,
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

const NODE_READY_MS = 15_000;
const LOADGEN_READY_MS = 20_000;
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
    loadgen.onLine((line) => {
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

    // The fault schedule, in wall-clock time from the load generator's start.
    const crashedLeaders: string[] = [];
    let chain = Promise.resolve();
    for (const f of faultSchedule(config.faults)) {
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
            const child = node === undefined ? undefined : nodes.get(node);
            if (
              !node ||
              (child && child.process.exitCode === null && child.process.signalCode === null)
            ) {
              applied.push({ atMs: when, what: `restart ${f.node}: not down, skipped` });
              return;
            }
            await startNode(node);
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
                g.map(async (id) => {
                  const others = groups.filter((_, j) => j !== i).flat();
                  try {
                    await (await control.node(id)).partition(others);
                  } catch {
                    control.drop(id);
                  }
                }),
              ),
            );
            applied.push({
              atMs: when,
              what: `partition ${groups.map((g) => `{${g.join(",")}}`).join(" | ")}`,
            });
            return;
          }
          case "heal":
            await Promise.all(
              [...nodes.keys()].map(async (id) => {
                try {
                  await (await control.node(id)).heal();
                } catch {
                  control.drop(id);
                }
              }),
            );
            applied.push({ atMs: when, what: "heal" });
            return;
          case "link": {
            const from = f.from === LEADER_REF ? await currentLeader() : f.from;
            const to = f.to === LEADER_REF ? await currentLeader() : f.to;
            if (!from || !to) return;
            const pairs: [string, string][] = [[from, to]];
            if (f.symmetric ?? true) pairs.push([to, from]);
            for (const [a, b] of pairs) {
              const merged = { ...links.get(`${a}>${b}`), ...f.set };
              links.set(`${a}>${b}`, merged);
              try {
                await (await control.node(a)).setLink(b, specOf(merged));
              } catch {
                control.drop(a);
              }
            }
            applied.push({ atMs: when, what: `link ${from}->${to} ${JSON.stringify(f.set)}` });
            return;
          }
        }
      };
      timers.push(
        setTimeout(
          () => {
            // faults run one after the other, in schedule order
            chain = chain.then(run).catch((e: Error) => {
              applied.push({ atMs: Math.round(at()), what: `${f.action} failed: ${e.message}` });
            });
          },
          Math.max(0, f.atMs - at()),
        ),
      );
    }

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
    extra: { cluster_id: clusterId, ports, logs: "logs/" },
    ...(error === undefined ? {} : { error }),
  };
}

/** Agreement across processes: once the replicas have converged, their applied-log digests match. */
async function replicaChecks(
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
    const same = (k: "appliedBelow" | "digestFrom") =>
      new Set(replicas.map(([, r]) => r[k])).size <= 1;
    if ((same("appliedBelow") && same("digestFrom")) || performance.now() > deadline) break;
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
  const converged = bySlot.size <= 1;
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

// sim mode: one run of a variant in @paxos/simulator, in virtual time. The config is mapped onto
// the simulator's own config (nodes with roles, quorum, timing, network links, closed-loop
// workload, seed); the parts the simulator does not model directly are supplied here as thin
// adapters: operations come from this package's generator (key distributions), open-loop
// arrivals are scheduled as simulator actions, sites become per-link overrides, "@leader" is
// resolved when a fault fires. With a chaos section the run also plays its chaos schedule,
// reads every key back after the workload, and checks that commits resumed after every heal.

import { formatBallot, type Operation } from "@paxos/core";
import {
  checkAgreement,
  checkAtMostOnce,
  checkOrder,
  checkResults,
  checkValidity,
  type HistoryEntry,
  type LatencySpec,
  type LinkOverride,
  type LinkSpec,
  type NodeSpec as SimNodeSpec,
  Simulation,
  type Violation,
} from "@paxos/simulator";
import type { FaultTime } from "../chaos/liveness.js";
import { chaosChecks, faultsOfRun, keysTouched, linkPairs } from "../chaos/run.js";
import { LEADER_REF, type Variant } from "../config/resolve.js";
import type { LinkSpec as ConfigLink, Fault, Latency, ResolvedConfig } from "../config/types.js";
import type {
  AppliedFault,
  CheckResult,
  HistoryRecord,
  ProgressFn,
  RunOutcome,
} from "../run/types.js";
import { deriveSeed, mulberry32, OperationGenerator } from "../workload.js";

export interface RunOptions {
  config: ResolvedConfig;
  variant: Variant;
  repetition: number;
  seed: number;
  onProgress?: ProgressFn;
  /** checked between chunks of simulated time; true stops the run */
  aborted?: () => boolean;
}

function latencyOf(l: Latency): LatencySpec {
  switch (l.dist) {
    case "constant":
      return { kind: "constant", ms: l.ms };
    case "uniform":
      return { kind: "uniform", minMs: l.minMs, maxMs: l.maxMs };
    case "normal":
      return { kind: "normal", meanMs: l.meanMs, stdDevMs: l.stddevMs };
    case "exponential":
      return { kind: "exponential", meanMs: l.meanMs };
  }
}

function linkOf(l: ConfigLink): Partial<LinkSpec> {
  return {
    ...(l.latency ? { latency: latencyOf(l.latency) } : {}),
    ...(l.jitterMs === undefined ? {} : { jitterMs: l.jitterMs }),
    ...(l.loss === undefined ? {} : { lossRate: l.loss }),
    ...(l.bandwidthMbps === undefined ? {} : { bandwidthBytesPerMs: bytesPerMs(l.bandwidthMbps) }),
    ...(l.duplicate === undefined ? {} : { duplicateRate: l.duplicate }),
    ...(l.reorder === undefined ? {} : { reorderRate: l.reorder }),
  };
}

/** Mbit/s as the simulator's bytes per ms. */
const bytesPerMs = (mbps: number) => (mbps * 1_000_000) / 8 / 1000;

/** The simulator's network spec for a variant: default link, sites, then explicit overrides. */
export function simNetwork(
  config: ResolvedConfig,
  variant: Variant,
): { link: LinkSpec; overrides: LinkOverride[] } {
  const net = config.network;
  const link: LinkSpec = {
    latency: latencyOf(net.default.latency),
    jitterMs: net.default.jitterMs,
    lossRate: net.default.loss,
    ...(net.default.duplicate === undefined ? {} : { duplicateRate: net.default.duplicate }),
    ...(net.default.reorder === undefined ? {} : { reorderRate: net.default.reorder }),
    ...(net.default.bandwidthMbps === undefined
      ? {}
      : { bandwidthBytesPerMs: bytesPerMs(net.default.bandwidthMbps) }),
  };
  const overrides: LinkOverride[] = [];
  const sites = net.sites;
  if (sites) {
    const ids = [...variant.nodes.map((n) => n.id), ...variant.clients];
    for (const a of ids) {
      const sa = variant.sites.get(a);
      if (sa === undefined) continue;
      for (const b of ids) {
        const sb = variant.sites.get(b);
        if (a === b || sb === undefined) continue;
        const ms = sites.latencyMs[sites.names.indexOf(sa)]?.[sites.names.indexOf(sb)];
        if (ms === undefined) continue;
        overrides.push({
          from: a,
          to: b,
          latency: { kind: "constant", ms },
          jitterMs: sites.jitterMs,
        });
      }
    }
  }
  for (const l of net.links) {
    overrides.push({ from: l.from, to: l.to, bidirectional: l.symmetric, ...linkOf(l) });
  }
  return { link, overrides };
}

function violationLines(vs: Violation[]): string[] {
  return vs.slice(0, 5).map((v) => v.message);
}

/** Runs one variant once in the simulator. */
export async function runSim(opts: RunOptions): Promise<RunOutcome> {
  const { config, variant, seed } = opts;
  const w = config.workload;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const nodes: SimNodeSpec[] = [
    ...variant.nodes.map((n) => ({ id: n.id, roles: n.roles })),
    ...variant.clients.map((id) => ({ id, roles: ["client" as const] })),
  ];
  const network = simNetwork(config, variant);
  // Operations come from this package's generator (key distributions, value sizes), one per
  // client incarnation, seeded from the run's seed and the client id.
  const generatorFor = (clientId: string) =>
    new OperationGenerator(w, clientId, mulberry32(deriveSeed(seed, `workload/${clientId}`)));
  const sim = new Simulation({
    nodes,
    quorum: variant.quorum,
    timing: config.engine.timing,
    replica: {
      ...(config.engine.window === undefined ? {} : { window: config.engine.window }),
      ...(config.engine.maxBatch === undefined ? {} : { maxBatch: config.engine.maxBatch }),
    },
    leader: { thrifty: variant.thrifty },
    ...(config.engine.hostTurn === undefined ? {} : { hostTurn: config.engine.hostTurn }),
    network: {
      link: network.link,
      overrides: network.overrides,
      ...(config.network.uplinkMbps === undefined
        ? {}
        : { uplinkBytesPerMs: bytesPerMs(config.network.uplinkMbps) }),
    },
    ...(w.clients.type === "closed"
      ? {
          workload: {
            outstandingPerClient: w.clients.outstanding,
            keyCount: w.keys.count,
            valueBytes: Math.max(1, w.valueSizeBytes),
            startMs: 0,
            stopMs: w.durationMs,
          },
          operations: (clientId: string) => {
            const g = generatorFor(clientId);
            return {
              next: (seq: number) => g.next(seq),
              observe: (op: Operation, value: string | null) => g.observeValue(op.key, value),
            };
          },
        }
      : {}),
    seed,
  });
  if (w.clients.type === "open") {
    const generators = new Map(variant.clients.map((c) => [c, generatorFor(`${c}/0`)]));
    scheduleOpenLoop(sim, variant, w, generators, deriveSeed(seed, "arrivals"));
  }

  const { faults, chaos: schedule } = faultsOfRun(config, variant, seed);
  const times: (FaultTime | undefined)[] = [];
  const applied = scheduleFaults(sim, faults, variant, times);

  const step = Math.max(10, w.durationMs / 200);
  let completed = 0;
  let scanned = 0;
  const pending: HistoryEntry[] = [];
  let error: string | undefined;
  try {
    for (let t = 0; t < w.durationMs; ) {
      t = Math.min(w.durationMs, t + step);
      sim.runUntil(t);
      for (; scanned < sim.history.length; scanned++) pending.push(sim.history[scanned]!);
      for (let i = pending.length - 1; i >= 0; i--) {
        if (pending[i]!.returnedAt !== null) {
          completed++;
          pending[i] = pending[pending.length - 1]!;
          pending.pop();
        }
      }
      opts.onProgress?.(t, completed);
      await new Promise((resolve) => setImmediate(resolve));
      if (opts.aborted?.()) {
        error = `interrupted at ${t} ms of simulated time`;
        break;
      }
    }
  } catch (e) {
    error = `simulation failed: ${(e as Error).message}`;
  }

  // After the workload: read every key it touched, so that a lost acknowledged write shows up
  // in the history the linearizability checker sees.
  const chaos = config.chaos;
  let finalReads: { issued: number; completed: number; withinMs: number } | undefined;
  if (chaos?.finalReads && error === undefined && !opts.aborted?.()) {
    try {
      finalReads = readBack(sim, variant, w.durationMs + chaos.finalReadsWithinMs);
      finalReads.withinMs = chaos.finalReadsWithinMs;
    } catch (e) {
      error = `simulation failed during the final reads: ${(e as Error).message}`;
    }
  }

  const checkers: [string, (s: Simulation) => Violation[]][] = [
    ["agreement", checkAgreement],
    ["validity", checkValidity],
    ["at-most-once", checkAtMostOnce],
    ["order", checkOrder],
    ["results", checkResults],
  ];
  const checks: CheckResult[] = checkers.map(([name, check]) => {
    const vs = check(sim);
    return { name, passed: vs.length === 0, violations: violationLines(vs) };
  });
  const history: HistoryRecord[] = sim.history.map((e) => ({
    clientId: e.clientId,
    seq: e.seq,
    op: e.op,
    result: e.result,
    invokedAt: e.invokedAt,
    returnedAt: e.returnedAt,
  }));
  const chaosResult = schedule
    ? chaosChecks({
        config,
        faults,
        times,
        history,
        ...(finalReads ? { finalReads } : {}),
      })
    : { checks: [], extra: {} };
  checks.push(...chaosResult.checks);
  const wallMs = performance.now() - started;
  const stats = sim.stats(0, sim.now);
  return {
    mode: "sim",
    time: "simulated",
    variant: variant.label,
    quorum: variant.describe,
    repetition: opts.repetition,
    seed,
    startedAt,
    wallMs,
    durationMs: w.durationMs,
    warmupMs: w.warmupMs,
    cooldownMs: w.cooldownMs,
    history,
    checks,
    faults: applied,
    engine: {
      slots: stats.engine.slotsApplied,
      commands: stats.engine.commandsApplied,
      messages: stats.engine.nodeMessagesSent,
    },
    leadership: sim.leadership.map((l) => ({
      atMs: l.atMs,
      node: l.node,
      active: l.active,
      ballot: formatBallot(l.ballot),
    })),
    extra: {
      simulated_ms: sim.now,
      trace_hash: sim.traceHash(),
      events: sim.events,
      messages: stats.messages,
      frames: stats.messages.frames,
      deliveries_per_wall_s: Math.round(stats.messages.delivered / (wallMs / 1000)),
      ...chaosResult.extra,
    },
    ...(error === undefined ? {} : { error }),
  };
}

/** Poisson arrivals at the configured total rate, spread evenly over the clients. */
function scheduleOpenLoop(
  sim: Simulation,
  variant: Variant,
  w: ResolvedConfig["workload"],
  generators: Map<string, OperationGenerator>,
  seed: number,
): void {
  if (w.clients.type !== "open") return;
  const perClientRate = w.clients.ratePerSec / variant.clients.length / 1000; // per ms
  const cap = w.clients.maxOutstanding;
  for (const c of variant.clients) {
    const rng = mulberry32(deriveSeed(seed, c));
    const g = generators.get(c)!;
    const outstanding: HistoryEntry[] = [];
    let seq = 0;
    const arrive = () => {
      for (let j = outstanding.length - 1; j >= 0; j--) {
        const e = outstanding[j]!;
        if (e.returnedAt === null) continue;
        if (e.result) g.observe(e.op, e.result);
        outstanding.splice(j, 1);
      }
      if (outstanding.length < cap && sim.isAlive(c)) {
        outstanding.push(sim.submit(c, g.next(seq++)));
      }
      const next = sim.now + -Math.log(1 - rng.next()) / perClientRate;
      if (next < w.durationMs) sim.at(next, arrive);
    };
    const first = -Math.log(1 - rng.next()) / perClientRate;
    if (first < w.durationMs) sim.at(first, arrive);
  }
}

/** Plays a run's faults into the simulation, resolving "@leader" when each fires. */
function scheduleFaults(
  sim: Simulation,
  faults: readonly Fault[],
  variant: Variant,
  times: (FaultTime | undefined)[],
): AppliedFault[] {
  const applied: AppliedFault[] = [];
  const crashedLeaders: string[] = [];
  const clusterIds = variant.nodes.map((n) => n.id);
  const allIds = [...clusterIds, ...variant.clients];
  // each link's settings before a fault first changed it, for "reset" and "recover"
  const original = new Map<string, LinkSpec>();
  const leaderNow = (): string | undefined =>
    sim.activeLeader() ?? variant.leaders.find((id) => sim.isAlive(id));
  const resolve = (id: string): string | undefined => (id === LEADER_REF ? leaderNow() : id);
  const resetLink = (a: string, b: string) => {
    const o = original.get(`${a}>${b}`);
    if (o) sim.network.setLink(a, b, o);
  };
  faults.forEach((f, index) => {
    sim.at(f.atMs, () => {
      const at = sim.now;
      times[index] = { startedAt: at, doneAt: at };
      switch (f.action) {
        case "crash": {
          const node = resolve(f.node);
          if (node === undefined || !sim.isAlive(node)) {
            applied.push({ atMs: at, what: `crash ${f.node}: no such live node, skipped` });
            return;
          }
          if (f.node === LEADER_REF) crashedLeaders.push(node);
          sim.crash(node);
          applied.push({
            atMs: at,
            what: `crash ${node}${f.node === LEADER_REF ? " (the leader)" : ""}`,
            node,
          });
          return;
        }
        case "restart": {
          const node = f.node === LEADER_REF ? crashedLeaders.shift() : f.node;
          if (node === undefined || sim.isAlive(node)) {
            applied.push({ atMs: at, what: `restart ${f.node}: not down, skipped` });
            return;
          }
          sim.restart(node);
          applied.push({ atMs: at, what: `restart ${node}`, node });
          return;
        }
        case "partition": {
          const groups = f.groups.map((g) =>
            g.map(resolve).filter((x): x is string => x !== undefined),
          );
          sim.partition(groups);
          applied.push({
            atMs: at,
            what: `partition ${groups.map((g) => `{${g.join(",")}}`).join(" | ")}`,
          });
          return;
        }
        case "isolate": {
          // cut off from the other nodes of the cluster; clients (in no group) still reach it
          const node = resolve(f.node);
          if (node === undefined) {
            applied.push({ atMs: at, what: `isolate ${f.node}: no such node, skipped` });
            return;
          }
          sim.partition([[node], clusterIds.filter((id) => id !== node)]);
          applied.push({
            atMs: at,
            what: `isolate ${node}${f.node === LEADER_REF ? " (the leader)" : ""}`,
            node,
          });
          return;
        }
        case "heal":
          sim.heal();
          applied.push({ atMs: at, what: "heal" });
          return;
        case "link": {
          const from = resolve(f.from);
          const to = resolve(f.to);
          if (from === undefined || to === undefined) return;
          const pairs = linkPairs(from, to, f.symmetric ?? true, allIds);
          if (f.reset) {
            for (const [a, b] of pairs) resetLink(a, b);
            applied.push({ atMs: at, what: `link ${from}->${to} reset` });
            return;
          }
          // on top of what the link has now (a site's latency stays unless the fault sets one)
          const set = linkOf(f.set ?? {});
          for (const [a, b] of pairs) {
            const now = sim.network.link(a, b);
            if (!original.has(`${a}>${b}`)) original.set(`${a}>${b}`, now);
            sim.network.setLink(a, b, { ...now, ...set });
          }
          applied.push({ atMs: at, what: `link ${from}->${to} ${JSON.stringify(f.set)}` });
          return;
        }
        case "recover": {
          sim.heal();
          for (const key of original.keys()) {
            const [a, b] = key.split(">") as [string, string];
            resetLink(a, b);
          }
          crashedLeaders.length = 0;
          const restarted = clusterIds.filter((id) => !sim.isAlive(id));
          for (const id of restarted) sim.restart(id);
          applied.push({
            atMs: at,
            what: `recover${restarted.length > 0 ? `: restart ${restarted.join(", ")}` : ""}`,
          });
          return;
        }
      }
    });
  });
  return applied;
}

/**
 * Reads every key the run touched through the live clients, then runs the simulation until
 * every read has returned or `untilMs`. The reads join the history.
 */
function readBack(
  sim: Simulation,
  variant: Variant,
  untilMs: number,
): { issued: number; completed: number; withinMs: number } {
  const keys = keysTouched(sim.history);
  const clients = variant.clients.filter((c) => sim.isAlive(c));
  if (clients.length === 0 || keys.length === 0) return { issued: 0, completed: 0, withinMs: 0 };
  const reads = keys.map((key, i) =>
    sim.submit(clients[i % clients.length]!, { type: "get", key }),
  );
  const step = 50;
  let done = 0;
  while (sim.now < untilMs) {
    sim.runUntil(Math.min(untilMs, sim.now + step));
    done = reads.filter((r) => r.returnedAt !== null).length;
    if (done === reads.length) break;
  }
  return { issued: reads.length, completed: done, withinMs: 0 };
}

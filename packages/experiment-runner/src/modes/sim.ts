// sim mode: one run of a variant in @paxos/simulator, in virtual time. The config is mapped onto
// the simulator's own config (nodes with roles, quorum, timing, network links, closed-loop
// workload, seed); the parts the simulator does not model directly are supplied here as thin
// adapters: operations come from this package's generator (key distributions), open-loop
// arrivals are scheduled as simulator actions, sites become per-link overrides, "@leader" is
// resolved when a fault fires, and link bandwidth is emulated by queueing in front of the
// network's delay.

import { formatBallot, type Message, type Operation, type Result } from "@paxos/core";
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
import { faultSchedule, LEADER_REF, type Variant } from "../config/resolve.js";
import type { LinkSpec as ConfigLink, Latency, ResolvedConfig } from "../config/types.js";
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
  };
}

/** Directed link -> bandwidth in bytes per ms, from the default, sites and overrides. */
type Bandwidth = { defaultBytesPerMs: number | null; perLink: Map<string, number | null> };

const bytesPerMs = (mbps: number | undefined) =>
  mbps === undefined ? null : (mbps * 1_000_000) / 8 / 1000;

/** The simulator's network spec for a variant: default link, sites, then explicit overrides. */
export function simNetwork(
  config: ResolvedConfig,
  variant: Variant,
): { link: LinkSpec; overrides: LinkOverride[]; bandwidth: Bandwidth } {
  const net = config.network;
  const link: LinkSpec = {
    latency: latencyOf(net.default.latency),
    jitterMs: net.default.jitterMs,
    lossRate: net.default.loss,
  };
  const overrides: LinkOverride[] = [];
  const bandwidth: Bandwidth = {
    defaultBytesPerMs: bytesPerMs(net.default.bandwidthMbps),
    perLink: new Map(),
  };
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
    if (l.bandwidthMbps !== undefined) {
      bandwidth.perLink.set(`${l.from}>${l.to}`, bytesPerMs(l.bandwidthMbps));
      if (l.symmetric) bandwidth.perLink.set(`${l.to}>${l.from}`, bytesPerMs(l.bandwidthMbps));
    }
  }
  return { link, overrides, bandwidth };
}

/** Roughly what a message weighs on the wire (JSON), without serialising it. */
export function messageBytes(m: Message): number {
  const batch = (value: readonly { op: Operation }[]) => {
    let n = 2;
    for (const c of value) n += 60 + opBytes(c.op);
    return n;
  };
  switch (m.type) {
    case "request":
      return 80 + opBytes(m.command.op);
    case "response":
      return 70 + resultBytes(m.result);
    case "propose":
    case "decision":
    case "p2a":
      return 60 + batch(m.value);
    case "p1b": {
      let n = 60;
      for (const pv of m.accepted) n += 40 + batch(pv.value);
      return n;
    }
    case "catchupReply": {
      let n = 40;
      for (const d of m.decisions) n += 20 + batch(d.value);
      return n;
    }
    case "snapshot":
      return 200 + JSON.stringify(m.state).length;
    default:
      return 60;
  }
}

function opBytes(op: Operation): number {
  switch (op.type) {
    case "get":
    case "delete":
      return 20 + op.key.length;
    case "put":
      return 30 + op.key.length + op.value.length;
    case "cas":
      return 40 + op.key.length + op.value.length + (op.expected?.length ?? 4);
  }
}

function resultBytes(r: Result): number {
  return r.type === "get" || r.type === "cas" ? 20 + (r.value?.length ?? 4) : 20;
}

interface SimInternals {
  hosts: { id: string; ops: unknown }[];
  send(from: number, toId: string, message: Message): void;
}

/**
 * Link bandwidth, which the simulator does not model: each directed link serialises its
 * messages (size / bandwidth) one after the other, and a message's network delay starts when
 * its transmission ends. Implemented by wrapping the simulation's send and the network's
 * route, which is the one place a delay is decided.
 */
function installBandwidth(
  sim: Simulation,
  bw: Bandwidth,
  faults: ResolvedConfig["faults"],
): ((from: string, to: string, mbps: number) => void) | null {
  const used =
    bw.defaultBytesPerMs !== null ||
    [...bw.perLink.values()].some((v) => v !== null) ||
    faults.some((f) => f.action === "link" && f.set.bandwidthMbps !== undefined);
  if (!used) return null;
  const internals = sim as unknown as SimInternals;
  const net = sim.network as unknown as {
    route(from: number, to: number): number;
    delays: Float64Array;
  };
  const ids = sim.nodeIds;
  const n = ids.length;
  const rate = new Float64Array(n * n);
  for (let f = 0; f < n; f++) {
    for (let t = 0; t < n; t++) {
      const key = `${ids[f]}>${ids[t]}`;
      const r = bw.perLink.has(key) ? bw.perLink.get(key)! : bw.defaultBytesPerMs;
      rate[f * n + t] = r ?? 0;
    }
  }
  const busyUntil = new Float64Array(n * n);
  let current: Message | null = null;
  const send = internals.send.bind(sim);
  internals.send = (from, toId, message) => {
    current = message;
    try {
      send(from, toId, message);
    } finally {
      current = null;
    }
  };
  const route = net.route.bind(net);
  net.route = (from, to) => {
    const copies = route(from, to);
    const k = from * n + to;
    const r = rate[k]!;
    if (copies === 0 || r === 0 || current === null) return copies;
    const now = sim.now;
    const start = Math.max(now, busyUntil[k]!);
    const done = start + messageBytes(current) / r;
    busyUntil[k] = done;
    for (let c = 0; c < copies; c++) net.delays[c] = net.delays[c]! + (done - now);
    return copies;
  };
  return (from, to, mbps) => {
    rate[ids.indexOf(from) * n + ids.indexOf(to)] = bytesPerMs(mbps) ?? 0;
  };
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
  const closed = w.clients.type === "closed";
  const sim = new Simulation({
    nodes,
    quorum: variant.quorum,
    timing: config.engine.timing,
    replica: {
      ...(config.engine.window === undefined ? {} : { window: config.engine.window }),
      ...(config.engine.maxBatch === undefined ? {} : { maxBatch: config.engine.maxBatch }),
    },
    leader: { thrifty: variant.thrifty },
    network: { link: network.link, overrides: network.overrides },
    ...(w.clients.type === "closed"
      ? {
          workload: {
            outstandingPerClient: w.clients.outstanding,
            keyCount: w.keys.count,
            valueBytes: Math.max(1, w.valueSizeBytes),
            startMs: 0,
            stopMs: w.durationMs,
          },
        }
      : {}),
    seed,
  });
  const setBandwidth = installBandwidth(sim, network.bandwidth, config.faults);

  // Operations come from our generator (key distributions, value sizes): the simulator's
  // closed loop asks the host's source for the next operation and reports completions to it.
  const generators = new Map<string, OperationGenerator>();
  for (const c of variant.clients) {
    generators.set(
      c,
      new OperationGenerator(w, `${c}/0`, mulberry32(deriveSeed(seed, `workload/${c}`))),
    );
  }
  if (closed) {
    const internals = sim as unknown as SimInternals;
    for (const h of internals.hosts) {
      const g = generators.get(h.id);
      if (!g) continue;
      h.ops = {
        next: (seq: number) => g.next(seq),
        observe: (op: Operation, value: string | null) => g.observeValue(op.key, value),
      };
    }
  } else if (w.clients.type === "open") {
    scheduleOpenLoop(sim, variant, w, generators, deriveSeed(seed, "arrivals"));
  }

  const applied = scheduleFaults(sim, config, variant, setBandwidth);

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
      deliveries_per_wall_s: Math.round(stats.messages.delivered / (wallMs / 1000)),
      bandwidth_emulated: setBandwidth !== null,
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

/** Plays the config's fault schedule into the simulation, resolving "@leader" when it fires. */
function scheduleFaults(
  sim: Simulation,
  config: ResolvedConfig,
  variant: Variant,
  setBandwidth: ((from: string, to: string, mbps: number) => void) | null,
): AppliedFault[] {
  const applied: AppliedFault[] = [];
  const crashedLeaders: string[] = [];
  const leaderNow = (): string | undefined =>
    sim.activeLeader() ?? variant.leaders.find((id) => sim.isAlive(id));
  const resolve = (id: string): string | undefined => (id === LEADER_REF ? leaderNow() : id);
  for (const f of faultSchedule(config.faults)) {
    sim.at(f.atMs, () => {
      const at = sim.now;
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
        case "heal":
          sim.heal();
          applied.push({ atMs: at, what: "heal" });
          return;
        case "link": {
          const from = resolve(f.from);
          const to = resolve(f.to);
          if (from === undefined || to === undefined) return;
          // on top of what the link has now (a site's latency stays unless the fault sets one)
          const set = linkOf(f.set);
          sim.network.setLink(from, to, { ...sim.network.link(from, to), ...set });
          if (f.symmetric ?? true) {
            sim.network.setLink(to, from, { ...sim.network.link(to, from), ...set });
          }
          const mbps = f.set.bandwidthMbps;
          if (mbps !== undefined && setBandwidth) {
            setBandwidth(from, to, mbps);
            if (f.symmetric ?? true) setBandwidth(to, from, mbps);
          }
          applied.push({ atMs: at, what: `link ${from}->${to} ${JSON.stringify(f.set)}` });
          return;
        }
      }
    });
  }
  return applied;
}

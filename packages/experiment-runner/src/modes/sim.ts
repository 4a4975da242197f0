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
  OperationGenerator,
  type NodeSpec as SimNodeSpec,
  Simulation,
  type Violation,
} from "@paxos/simulator";
import { faultChecks, faultsOfRun, keysTouched } from "../chaos/run.js";
import type { Variant } from "../config/resolve.js";
import type { ResolvedConfig } from "../config/types.js";
import { effectiveLinks } from "../driver/links.js";
import { SimDriver } from "../driver/sim-driver.js";
import { bytesPerMs, simNetwork } from "../driver/sim-links.js";
import { FaultPlayer } from "../faults/player.js";
import type { CheckResult, HistoryRecord, ProgressFn, RunOutcome } from "../run/types.js";
import { openLoopArrivals, seededStream } from "../workload.js";

export interface RunOptions {
  config: ResolvedConfig;
  variant: Variant;
  repetition: number;
  seed: number;
  onProgress?: ProgressFn;
  /** checked between chunks of simulated time; true stops the run */
  aborted?: () => boolean;
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
    new OperationGenerator(w, clientId, seededStream(seed, `workload/${clientId}`));
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
    scheduleOpenLoop(sim, variant, w, generators, seed);
  }

  const { faults } = faultsOfRun(config, variant, seed);
  const driver = new SimDriver(
    sim,
    variant.nodes.map((n) => n.id),
  );
  const player = new FaultPlayer(
    driver,
    faults,
    variant,
    effectiveLinks(config, variant, driver.linkIds),
  );
  player.start();

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
  const faultResult = faultChecks({
    config,
    variant,
    faults,
    times: player.times,
    states: player.net.states,
    history,
    ...(finalReads ? { finalReads } : {}),
    externalClients: false,
  });
  checks.push(...faultResult.checks);
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
    faults: player.applied,
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
      ...faultResult.extra,
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
    const g = generators.get(c)!;
    const outstanding: HistoryEntry[] = [];
    let seq = 0;
    openLoopArrivals({
      rng: seededStream(seed, `arrivals/${c}`),
      ratePerMs: perClientRate,
      durationMs: w.durationMs,
      now: () => sim.now,
      at: (ms, fn) => sim.at(ms, fn),
      arrive: () => {
        for (let j = outstanding.length - 1; j >= 0; j--) {
          const e = outstanding[j]!;
          if (e.returnedAt === null) continue;
          if (e.result) g.observe(e.op, e.result);
          outstanding.splice(j, 1);
        }
        if (outstanding.length < cap && sim.isAlive(c)) {
          outstanding.push(sim.submit(c, g.next(seq++)));
        }
      },
    });
  }
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

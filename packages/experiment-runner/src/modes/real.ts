// One run of a variant on real processes (local or netns mode), whatever world the driver
// builds:
//   1. the driver writes the cluster file and starts one `paxos-node` per node;
//   2. the load generator starts as its own process (in netns mode on a host of its own), and
//      its start is the run's t = 0;
//   3. the fault player plays the run's faults onto the driver at their times;
//   4. when the load generator is done (after its final reads, with chaos), the replicas
//      converge and their applied-log digests are compared (agreement), and the history is
//      checked (validity, at-most-once as a client sees it; with chaos, commits resumed);
//   5. the driver always tears everything down (finally), also on an error or Ctrl-C.

import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { faultChecks, faultsOfRun } from "../chaos/run.js";
import { effectiveLinks } from "../driver/links.js";
import type { ProcessDriver, ProcessDriverOptions } from "../driver/process-driver.js";
import { FaultPlayer } from "../faults/player.js";
import type { LoadgenSpec } from "../loadgen.js";
import {
  type CheckResult,
  type EngineCounts,
  EnvironmentError,
  type HistoryRecord,
  type RunModeOptions,
  type RunOutcome,
} from "../run/types.js";
import { startWallClockRun } from "../run/wall-clock-outcome.js";
import { clientsExtra, LoadgenChild, takeHistory } from "./loadgen-child.js";
import { cpuExtra } from "./loadgen-cpu.js";
import { engineCounts, historyChecks, replicaChecks } from "./process-checks.js";
import { CpuWindow } from "./process-cpu.js";

export async function runReal(
  opts: RunModeOptions,
  makeDriver: (o: ProcessDriverOptions) => Promise<ProcessDriver>,
): Promise<RunOutcome> {
  const { config, variant, seed, dir } = opts;
  const finish = startWallClockRun(opts);
  const clusterId = `lab-${process.pid}-${randomBytes(3).toString("hex")}`;
  const driverOpts: ProcessDriverOptions = {
    config,
    variant,
    seed,
    dir,
    clusterId,
    secret: randomBytes(24).toString("hex"),
  };
  let driver: ProcessDriver | undefined;
  let loadgen: LoadgenChild | undefined;
  let player: FaultPlayer | undefined;
  let error: string | undefined;
  let history: HistoryRecord[] = [];
  const checks: CheckResult[] = [];
  const extra: Record<string, unknown> = {};
  let engine: EngineCounts | undefined;
  const { faults } = faultsOfRun(config, variant, seed);
  try {
    driver = await makeDriver(driverOpts);
    await driver.start();
    const historyFile = join(driver.logs, "loadgen-history.ndjson");
    const spec: LoadgenSpec = {
      clusterFile: driver.clusterFile,
      clients: variant.clients,
      workload: config.workload,
      seed,
      historyFile,
      graceMs: 2_000,
      ...(variant.system.system.system === "paxos-lab" &&
      variant.system.system.clientsShareConnections === true
        ? { shareConnections: true }
        : {}),
      ...(config.chaos?.finalReads ? { finalReadsMs: config.chaos.finalReadsWithinMs } : {}),
    };
    const d0 = driver;
    loadgen = await LoadgenChild.start({
      spec,
      dir,
      logFile: join(driver.logs, "loadgen.log"),
      env: driver.clientEnv(),
      command: (argv) => d0.clientCommand(argv),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(config.chaos ? { finalReadsWithinMs: config.chaos.finalReadsWithinMs } : {}),
      systemCpu: new CpuWindow(() => d0.pids()),
    });
    driver.setClock(loadgen.t0EpochMs);
    player = new FaultPlayer(driver, faults, variant, effectiveLinks(config, variant));
    player.start();
    const exit = await loadgen.finish(opts.aborted);
    await player.stop();
    extra.schedule_lag_ms = Math.round(player.lagMs);
    if (loadgen.cpu) Object.assign(extra, cpuExtra(loadgen.cpu, loadgen.systemCpuUs));
    if (loadgen.clients) Object.assign(extra, clientsExtra(loadgen.clients));
    if (exit === "interrupted") error = `interrupted at ${Math.round(driver.now())} ms`;
    else if (exit !== 0) error = `the load generator failed (exit ${exit}); see logs/loadgen.log`;
    if (error === undefined) {
      history = takeHistory(historyFile);
      const d = driver;
      checks.push(...(await replicaChecks(variant, () => d.statuses())), ...historyChecks(history));
      engine = engineCounts(variant, await driver.statuses());
      const f = faultChecks({
        config,
        variant,
        faults,
        times: player.times,
        states: player.net.states,
        history,
        ...(loadgen.finalReads ? { finalReads: loadgen.finalReads } : {}),
        externalClients: true,
      });
      checks.push(...f.checks);
      Object.assign(extra, f.extra);
    }
  } catch (e) {
    if (e instanceof EnvironmentError) throw e;
    error = `${config.mode} run failed: ${(e as Error).message}`;
  } finally {
    await player?.stop();
    await loadgen?.stop();
    await driver?.stop();
    if (driver) rmSync(driver.data, { recursive: true, force: true });
  }
  return finish({
    history,
    checks,
    faults: player?.applied ?? [],
    leadership: player?.leadership ?? [],
    ...(engine === undefined ? {} : { engine }),
    extra: { cluster_id: clusterId, logs: "logs/", ...driver?.describe(), ...extra },
    ...(error === undefined ? {} : { error }),
  });
}

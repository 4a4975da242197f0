// Our load generator (src/loadgen.ts) driving a system through the client its spec names (etcd's
// gRPC API), as modes/real.ts drives our engine: the same child process and protocol
// (modes/loadgen-child.ts), run to its end; the history it writes is the run's.

import { join } from "node:path";
import type { LoadgenSpec } from "../loadgen.js";
import { LoadgenChild, takeHistory } from "../modes/loadgen-child.js";
import { cpuExtra } from "../modes/loadgen-cpu.js";
import type { CpuWindow } from "../modes/process-cpu.js";
import type { HistoryRecord } from "../run/types.js";
import { logTail } from "./readiness.js";
import type { DriveContext } from "./types.js";

/**
 * Runs the load generator with `target` (a cluster file or etcd endpoints) to its end: the
 * history, and what the workload cost the load generator and `systemCpu`'s processes (the
 * summary's extra.loadgen_* and system_cpu_*, empty when the load generator did not say).
 */
export async function runLoadgen(
  target: Pick<LoadgenSpec, "clusterFile" | "etcd">,
  d: DriveContext,
  systemCpu: CpuWindow,
): Promise<{ history: HistoryRecord[]; cpu: Record<string, unknown> }> {
  const historyFile = join(d.dir, "logs", "loadgen-history.ndjson");
  const log = join(d.dir, "logs", "loadgen.log");
  const loadgen = await LoadgenChild.start({
    spec: {
      ...target,
      clients: [...d.clients],
      workload: d.config.workload,
      seed: d.seed,
      historyFile,
      graceMs: 2_000,
    },
    dir: d.dir,
    logFile: log,
    env: process.env,
    ...(d.onProgress ? { onProgress: d.onProgress } : {}),
    systemCpu,
  });
  try {
    const exit = await loadgen.finish(d.aborted);
    if (exit === "interrupted") throw new Error("interrupted");
    if (exit !== 0) throw new Error(`the load generator failed (exit ${exit}): ${logTail(log)}`);
    const cpu = loadgen.cpu ? cpuExtra(loadgen.cpu, loadgen.systemCpuUs) : {};
    return { history: takeHistory(historyFile), cpu };
  } finally {
    await loadgen.stop();
  }
}

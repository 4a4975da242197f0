// Our load generator (src/loadgen.ts) driving a system through the client its spec names (etcd's
// gRPC API), as modes/real.ts drives our engine: the same child process and protocol
// (modes/loadgen-child.ts), run to its end; the history it writes is the run's.

import { join } from "node:path";
import type { LoadgenSpec } from "../loadgen.js";
import { clientsExtra, LoadgenChild, takeHistory } from "../modes/loadgen-child.js";
import { cpuExtra } from "../modes/loadgen-cpu.js";
import type { CpuWindow } from "../modes/process-cpu.js";
import type { HistoryRecord } from "../run/types.js";
import { logTail } from "./readiness.js";
import type { DriveContext } from "./types.js";

/**
 * Runs the load generator with `target` (a cluster file or etcd endpoints) to its end: the
 * history, and the summary's extra fields it yields: what the workload cost the load generator
 * and `systemCpu`'s processes (loadgen_*, system_cpu_*) and how many clients it used
 * (workload_clients, api_clients); fields the load generator did not report are left out.
 */
export async function runLoadgen(
  target: Pick<LoadgenSpec, "clusterFile" | "etcd">,
  d: DriveContext,
  systemCpu: CpuWindow,
): Promise<{ history: HistoryRecord[]; extra: Record<string, unknown> }> {
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
    const extra = {
      ...(loadgen.cpu ? cpuExtra(loadgen.cpu, loadgen.systemCpuUs) : {}),
      ...(loadgen.clients ? clientsExtra(loadgen.clients) : {}),
    };
    return { history: takeHistory(historyFile), extra };
  } finally {
    await loadgen.stop();
  }
}

// Our load generator (src/loadgen.ts) as a process of its own, driving a system through the
// client its spec names; the history it writes is the run's. The protocol (START, PROGRESS,
// DONE lines) is described at the top of loadgen.ts.

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadgenSpec } from "../loadgen.js";
import { cpuExtra, parseLoadLine } from "../modes/loadgen-cpu.js";
import type { CpuWindow } from "../modes/process-cpu.js";
import { spawnChild, stopChild, waitForLine } from "../modes/processes.js";
import type { HistoryRecord } from "../run/types.js";
import { logTail, READY_BOUND_MS, sleep } from "./readiness.js";
import type { DriveContext } from "./types.js";

const LOADGEN = join(dirname(fileURLToPath(import.meta.url)), "..", "loadgen.js");

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
  const spec: LoadgenSpec = {
    ...target,
    clients: [...d.clients],
    workload: d.config.workload,
    seed: d.seed,
    historyFile,
    graceMs: 2_000,
  };
  const specFile = join(d.dir, "loadgen.json");
  writeFileSync(specFile, `${JSON.stringify(spec, null, 2)}\n`);
  const log = join(d.dir, "logs", "loadgen.log");
  const child = spawnChild("loadgen", process.execPath, [LOADGEN, specFile], log);
  try {
    let cpu: Record<string, unknown> = {};
    child.onLine((line) => {
      if (line.startsWith("START ")) systemCpu.start();
      const load = parseLoadLine(line);
      if (load) cpu = cpuExtra(load, systemCpu.end());
      const m = /^PROGRESS (\d+) (\d+)/.exec(line);
      if (m) d.onProgress?.(Math.min(Number(m[1]), d.config.workload.durationMs), Number(m[2]));
    });
    await waitForLine(child, /^START /, READY_BOUND_MS);
    let exit: number | string | undefined;
    void child.exited.then((code) => {
      exit = code;
    });
    while (exit === undefined) {
      if (d.aborted?.()) throw new Error("interrupted");
      await sleep(100);
    }
    if (exit !== 0) throw new Error(`the load generator failed (exit ${exit}): ${logTail(log)}`);
    const history = readFileSync(historyFile, "utf8")
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as HistoryRecord);
    rmSync(historyFile, { force: true });
    return { history, cpu };
  } finally {
    await stopChild(child, 1_000);
  }
}

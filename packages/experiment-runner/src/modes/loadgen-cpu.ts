// The load generator's own CPU over the workload (its LOAD line). A load generator that needs
// most of a core measures itself rather than the system under test, so every run's summary
// keeps the figure beside the throughput it produced (extra.loadgen_*), and beside it the
// system's own (process-cpu.ts; extra.system_cpu_*).

export interface LoadgenCpu {
  /** user + system CPU time of the load generator process from START to the workload's end */
  cpuUs: number;
  /** operations answered in that time */
  ops: number;
  /** wall-clock time from START to the workload's end */
  wallMs: number;
  /** the share of that time its event loop was busy (near 1: the client was the bottleneck) */
  busy: number;
}

/** The figures of a `LOAD <cpuUs> <ops> <ms> <busy per mille>` line, undefined for any other. */
export function parseLoadLine(line: string): LoadgenCpu | undefined {
  const m = /^LOAD (\d+) (\d+) (\d+) (\d+)$/.exec(line);
  if (!m) return undefined;
  return {
    cpuUs: Number(m[1]),
    ops: Number(m[2]),
    wallMs: Number(m[3]),
    busy: Number(m[4]) / 1000,
  };
}

/**
 * What a run's summary keeps of the workload's CPU: the load generator's per answered
 * operation, in cores on average and the share of the time its event loop was busy; and the
 * same per operation and in cores for the system's processes (`systemCpuUs`, when known).
 */
export function cpuExtra(c: LoadgenCpu, systemCpuUs: number | null): Record<string, number | null> {
  const perOp = (us: number) => (c.ops > 0 ? Math.round((10 * us) / c.ops) / 10 : null);
  const cores = (us: number) => (c.wallMs > 0 ? Math.round(us / (10 * c.wallMs)) / 100 : null);
  return {
    loadgen_busy: c.busy,
    loadgen_cpu_us_per_op: perOp(c.cpuUs),
    loadgen_cpu_cores: cores(c.cpuUs),
    system_cpu_us_per_op: systemCpuUs === null ? null : perOp(systemCpuUs),
    system_cpu_cores: systemCpuUs === null ? null : cores(systemCpuUs),
  };
}

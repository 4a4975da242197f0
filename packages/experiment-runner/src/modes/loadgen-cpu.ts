// The load generator's own CPU over the workload (its LOAD line). A load generator that needs
// most of a core measures itself rather than the system under test, so every run's summary
// keeps the figure beside the throughput it produced (extra.loadgen_cpu_*).

export interface LoadgenCpu {
  /** user + system CPU time of the load generator process from START to the workload's end */
  cpuUs: number;
  /** operations answered in that time */
  ops: number;
  /** wall-clock time from START to the workload's end */
  wallMs: number;
}

/** The figures of a `LOAD <cpuUs> <ops> <ms>` line, undefined for any other line. */
export function parseLoadLine(line: string): LoadgenCpu | undefined {
  const m = /^LOAD (\d+) (\d+) (\d+)$/.exec(line);
  if (!m) return undefined;
  return { cpuUs: Number(m[1]), ops: Number(m[2]), wallMs: Number(m[3]) };
}

/** What a run's summary keeps: CPU us per answered operation, and cores busy on average. */
export function loadgenCpuExtra(c: LoadgenCpu): Record<string, number | null> {
  return {
    loadgen_cpu_us_per_op: c.ops > 0 ? Math.round((10 * c.cpuUs) / c.ops) / 10 : null,
    loadgen_cpu_cores: c.wallMs > 0 ? Math.round((100 * c.cpuUs) / (c.wallMs * 1000)) / 100 : null,
  };
}

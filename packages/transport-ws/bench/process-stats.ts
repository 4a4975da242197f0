// What the benchmarks read off a process from outside: its CPU time and resident memory (from
// /proc, Linux only), and the bytes of a node's data dir.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Resident set size of a process in bytes, or NaN if it is gone. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? Number.NaN : Number(m[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}

/** Bytes of the files in a directory (the harness keeps node logs outside the data dir). */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    try {
      total += statSync(join(dir, name)).size;
    } catch {
      // renamed or deleted while we looked (compaction)
    }
  }
  return total;
}

export const MiB = 1024 * 1024;
export const mib = (bytes: number) => (bytes / MiB).toFixed(1);

const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

export interface CpuTime {
  readonly user: number;
  readonly system: number;
}

/** CPU time of a process in microseconds, in user space and in the kernel, from /proc/<pid>/stat. */
export function processCpu(pid: number): CpuTime {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // the command name (field 2) may hold spaces: count fields after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    user: (Number(fields[11]) * 1e6) / CLOCK_TICKS_PER_S,
    system: (Number(fields[12]) * 1e6) / CLOCK_TICKS_PER_S,
  };
}

export const cpuMicros = (pid: number): number => {
  const t = processCpu(pid);
  return t.user + t.system;
};

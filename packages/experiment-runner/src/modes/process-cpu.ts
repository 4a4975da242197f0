// CPU time of the system under test's processes over the workload, read from /proc (Linux).
// With the load generator's own (loadgen-cpu.ts) it says what each operation cost the system
// and the client apart: on a machine the client shares, ops/s alone cannot say which of the
// two was the limit.

import { readFileSync } from "node:fs";

/** clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux) */
const USER_HZ = 100;

/** User + system CPU time of a process so far, in us; null where /proc does not have it. */
export function cpuUsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // after "pid (comm) ": state is field 3, utime field 14, stime field 15
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / USER_HZ : null;
  } catch {
    return null;
  }
}

/** The CPU time a set of processes spent between start() and end(). */
export class CpuWindow {
  private readonly base = new Map<number, number>();
  private started = false;

  constructor(private readonly pids: () => readonly number[]) {}

  start(): void {
    for (const pid of this.pids()) {
      const us = cpuUsOf(pid);
      if (us !== null) this.base.set(pid, us);
    }
    this.started = true;
  }

  /**
   * CPU us of the processes running now since start() (one started since counts whole; one
   * gone since is lost); null before start() or where /proc cannot say.
   */
  end(): number | null {
    if (!this.started) return null;
    let sum = 0;
    let seen = false;
    for (const pid of this.pids()) {
      const us = cpuUsOf(pid);
      if (us === null) continue;
      seen = true;
      sum += us - (this.base.get(pid) ?? 0);
    }
    return seen ? sum : null;
  }
}

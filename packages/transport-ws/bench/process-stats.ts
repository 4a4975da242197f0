// What the soak and restart benchmarks read off a node from outside: its resident memory
// (from /proc, Linux only) and the bytes of its data dir.

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

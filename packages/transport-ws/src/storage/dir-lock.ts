// One process per data dir. The IDENTITY stamp stops node n2 from starting on n1's dir; this
// stops a second n1 (a start script run twice, a supervisor that restarts a node it believes
// dead) from opening the same files: two writers interleave records into one segment and
// answer phase 1 with promises the other made, which is the same broken intersection.
//
// The lock is a file naming its holder: pid and the kernel's start time of that pid (so a pid
// reused after a crash is not mistaken for the holder). Taking it is `link(2)` of a fully
// written temp file, atomic and failing if the lock exists. A lock whose holder is gone (the
// node was SIGKILLed) is stale and is taken over, as PostgreSQL treats postmaster.pid. Node has
// no flock(2); a stale takeover by two starters at the very same instant is the one race left,
// and the verification read after taking the lock narrows it to the microseconds between two
// renames.

import { linkSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { DataDirError } from "./data-dir.js";

export const LOCK_FILE = "LOCK";

interface Holder {
  readonly pid: number;
  readonly startTicks: string | undefined;
  readonly host: string;
}

/** The kernel's start time of a process (field 22 of /proc/<pid>/stat), where Linux has it. */
function startTicksOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) may hold spaces and parentheses: count fields after its end
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}

function isAlive(holder: Holder): boolean {
  if (holder.host !== hostname()) return true; // another machine's: never presume it dead
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const ticks = startTicksOf(holder.pid);
  return holder.startTicks === undefined || ticks === undefined || ticks === holder.startTicks;
}

function readHolder(path: string): Holder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<Holder>;
    if (typeof parsed.pid !== "number" || typeof parsed.host !== "string") return undefined;
    return {
      pid: parsed.pid,
      startTicks: typeof parsed.startTicks === "string" ? parsed.startTicks : undefined,
      host: parsed.host,
    };
  } catch {
    return undefined; // unreadable: a lock torn by a crash while it was written
  }
}

export interface DirLock {
  release(): void;
}

/** Takes the dir's lock for this process, or throws DataDirError naming the holder. */
export function lockDataDir(dir: string): DirLock {
  const path = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, startTicks: startTicksOf(process.pid), host: hostname() };
  const tmp = `${path}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(me)}\n`);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(tmp, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = readHolder(path);
        if (holder !== undefined && isAlive(holder)) {
          throw new DataDirError(
            `${dir} is in use by process ${holder.pid} on ${holder.host} (its ${LOCK_FILE} file): ` +
              "two processes on one data dir would interleave their promises. Stop that " +
              `process first; if it is gone, remove ${path}`,
          );
        }
        rmSync(path, { force: true }); // stale: its holder is dead
        continue;
      }
      const now = readHolder(path);
      if (now?.pid !== me.pid) {
        throw new DataDirError(`${dir}: another process took ${LOCK_FILE} at the same moment`);
      }
      return {
        release(): void {
          if (readHolder(path)?.pid === me.pid) rmSync(path, { force: true });
        },
      };
    }
    throw new DataDirError(`${dir}: could not take ${LOCK_FILE} (a stale lock kept coming back)`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

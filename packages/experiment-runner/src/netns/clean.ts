// `paxos-lab netns clean`: removes what testbeds of crashed runners left behind. It finds them
// by name (names.ts: our base, then the owner's pid) and by the state files testbeds write
// (which also know a bridge given its own name), and leaves a testbed alone while its owner
// still runs, unless told to force. Nothing without our prefix is ever touched.

import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { checkBase, parseName } from "./names.js";
import { run, tryRun } from "./sh.js";
import { STATE_DIR, type TestbedState } from "./state.js";

export interface CleanReport {
  removed: string[];
  /** testbeds whose runner still runs */
  skipped: string[];
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface Leftover {
  ownerPid: number;
  namespaces: Set<string>;
  links: Set<string>;
  stateFile?: string;
}

export async function cleanNetns(
  base: string,
  opts: { force?: boolean; stateDir?: string } = {},
): Promise<CleanReport> {
  checkBase(base);
  const stateDir = opts.stateDir ?? STATE_DIR;
  const found = new Map<string, Leftover>();
  const entry = (prefix: string, ownerPid: number): Leftover => {
    let e = found.get(prefix);
    if (!e) {
      e = { ownerPid, namespaces: new Set(), links: new Set() };
      found.set(prefix, e);
    }
    return e;
  };
  for (const line of (await run(["ip", "netns", "list"])).split("\n")) {
    const name = line.split(" ")[0] ?? "";
    const p = parseName(base, name);
    if (p) entry(p.prefix, p.ownerPid).namespaces.add(name);
  }
  for (const line of (await run(["ip", "-o", "link", "show"])).split("\n")) {
    const name = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? "";
    const p = parseName(base, name);
    if (p) entry(p.prefix, p.ownerPid).links.add(name);
  }
  let files: string[] = [];
  try {
    files = readdirSync(stateDir).filter((f) => f.startsWith(base) && f.endsWith(".json"));
  } catch {
    // no state dir: no testbed ever ran here
  }
  for (const f of files) {
    let s: TestbedState;
    try {
      s = JSON.parse(readFileSync(join(stateDir, f), "utf8")) as TestbedState;
    } catch {
      continue;
    }
    if (parseName(base, `${s.prefix}br`) === undefined) continue;
    const e = entry(s.prefix, s.ownerPid);
    e.stateFile = join(stateDir, f);
    for (const n of s.namespaces) e.namespaces.add(n);
    for (const l of s.links) e.links.add(l);
  }
  const report: CleanReport = { removed: [], skipped: [] };
  for (const [prefix, e] of found) {
    if (!opts.force && alive(e.ownerPid)) {
      report.skipped.push(`${prefix} (its runner, pid ${e.ownerPid}, still runs)`);
      continue;
    }
    for (const ns of e.namespaces) {
      const pids = await run(["ip", "netns", "pids", ns]).catch(() => "");
      for (const pid of pids.split(/\s+/).filter((p) => p !== "")) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    // links first (a veth goes with its peer), then namespaces
    for (const l of e.links)
      if (await tryRun(["ip", "link", "del", l])) report.removed.push(`link ${l}`);
    for (const ns of e.namespaces) {
      if (await tryRun(["ip", "netns", "del", ns])) report.removed.push(`netns ${ns}`);
    }
    if (e.stateFile) rmSync(e.stateFile, { force: true });
  }
  return report;
}

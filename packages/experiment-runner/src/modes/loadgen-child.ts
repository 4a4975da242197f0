// The load generator of a real-process run, as a child process (dist/src/loadgen.js; its own
// event loop, apart from the runner's and the nodes'): started with a spec file, it says when
// its clients are connected (t = 0 of the run), how far it got, and the final reads' outcome.

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadgenSpec } from "../loadgen.js";
import type { HistoryRecord, ProgressFn } from "../run/types.js";
import { type LoadgenCpu, parseLoadLine } from "./loadgen-cpu.js";
import type { CpuWindow } from "./process-cpu.js";
import { type Child, spawnChild, stopChild, waitForLine } from "./processes.js";

/** a bound on a hang: the clients connect within it (see NODE_READY_MS) */
const LOADGEN_READY_MS = 120_000;

export interface FinalReads {
  issued: number;
  completed: number;
  withinMs: number;
}

export class LoadgenChild {
  /** the run's t = 0, epoch ms */
  t0EpochMs = 0;
  finalReads: FinalReads | undefined;
  /** its own CPU over the workload, once it said */
  cpu: LoadgenCpu | undefined;
  /** the system's CPU over the same time (opts.systemCpu), once the load generator said */
  systemCpuUs: number | null = null;
  /**
   * the workload's clients and the clients of the system's API they went through (fewer when
   * they share: ours one library client per replica, etcd's one gRPC channel per member)
   */
  clients: { workload: number; api: number } | undefined;

  private constructor(readonly child: Child) {}

  static async start(opts: {
    spec: LoadgenSpec;
    dir: string;
    logFile: string;
    env: NodeJS.ProcessEnv;
    /** wraps the load generator's argv (netns: run it in the clients' host) */
    command?: (argv: string[]) => string[];
    onProgress?: ProgressFn;
    finalReadsWithinMs?: number;
    /** the system's processes, measured from START to the LOAD line */
    systemCpu?: CpuWindow;
  }): Promise<LoadgenChild> {
    const specFile = join(opts.dir, "loadgen.json");
    writeFileSync(specFile, `${JSON.stringify(opts.spec, null, 2)}\n`);
    const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "loadgen.js");
    const argv = (opts.command ?? ((a) => a))([process.execPath, bin, specFile]);
    const child = spawnChild("loadgen", argv[0]!, argv.slice(1), opts.logFile, opts.env);
    const lg = new LoadgenChild(child);
    const durationMs = opts.spec.workload.durationMs;
    child.onLine((line) => {
      if (line.startsWith("START ")) opts.systemCpu?.start();
      const load = parseLoadLine(line);
      if (load) {
        lg.cpu = load;
        lg.systemCpuUs = opts.systemCpu?.end() ?? null;
      }
      const c = /^CLIENTS (\d+) (\d+)/.exec(line);
      if (c) lg.clients = { workload: Number(c[1]), api: Number(c[2]) };
      const f = /^FINAL (\d+) (\d+)/.exec(line);
      if (f) {
        lg.finalReads = {
          issued: Number(f[1]),
          completed: Number(f[2]),
          withinMs: opts.finalReadsWithinMs ?? 0,
        };
      }
      const m = /^PROGRESS (\d+) (\d+)/.exec(line);
      if (m) opts.onProgress?.(Math.min(Number(m[1]), durationMs), Number(m[2]));
    });
    try {
      const startLine = await waitForLine(child, /^START /, LOADGEN_READY_MS);
      lg.t0EpochMs = Number(startLine.split(" ")[1]);
    } catch (e) {
      await stopChild(child, 500);
      throw e;
    }
    return lg;
  }

  /**
   * Waits for the load generator to finish; resolves with its exit code, or "interrupted"
   * (after stopping it) when `aborted` says so first.
   */
  async finish(aborted?: () => boolean): Promise<number | string> {
    let exit: number | string | undefined;
    void this.child.exited.then((code) => {
      exit = code;
    });
    while (exit === undefined) {
      if (aborted?.()) {
        await stopChild(this.child, 500);
        return "interrupted";
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return exit;
  }

  stop(): Promise<void> {
    return stopChild(this.child, 1_000);
  }
}

/** The history file the load generator wrote (one record a line), read and then removed. */
export function takeHistory(file: string): HistoryRecord[] {
  const history = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as HistoryRecord);
  rmSync(file, { force: true });
  return history;
}

/** The summary's extra.workload_clients and extra.api_clients. */
export function clientsExtra(c: { workload: number; api: number }): Record<string, number> {
  return { workload_clients: c.workload, api_clients: c.api };
}

// Child processes of local mode, and the guarantee that none outlives the runner: every child
// is registered, a run tears its own down in `finally` (SIGTERM, then SIGKILL after a grace
// period), and an exit hook SIGKILLs whatever is left if the runner dies another way.

import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { createServer } from "node:net";
import { EnvironmentError } from "../run/types.js";

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const child of live) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  });
}

/** Children still running (for tests: must be 0 after a run). */
export function liveChildren(): number {
  return live.size;
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** resolves with the exit code (or the signal's name) when the process has exited */
  readonly exited: Promise<number | string>;
  /** calls `onLine` for every stdout line */
  onLine(handler: (line: string) => void): void;
}

export function spawnChild(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Child {
  hookExit();
  const log: WriteStream = createWriteStream(logFile, { flags: "a" });
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
  live.add(child);
  const handlers: ((line: string) => void)[] = [];
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    log.write(chunk);
    buffer += chunk.toString();
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      for (const h of handlers) h(line);
      nl = buffer.indexOf("\n");
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => log.write(chunk));
  const exited = new Promise<number | string>((resolve) => {
    child.on("error", (e) => {
      log.write(`spawn error: ${e.message}\n`);
    });
    child.on("close", (code, signal) => {
      live.delete(child);
      log.end();
      resolve(code ?? signal ?? "unknown");
    });
  });
  return { name, process: child, exited, onLine: (h) => handlers.push(h) };
}

/** Waits for a stdout line matching `pattern`, the child's exit, or the timeout. */
export function waitForLine(child: Child, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      reject(new EnvironmentError(`${child.name} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.onLine((line) => {
      if (done || !pattern.test(line)) return;
      done = true;
      clearTimeout(timer);
      resolve(line);
    });
    void child.exited.then((code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(
        new EnvironmentError(`${child.name} exited (${code}) before it was ready; see its log`),
      );
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopChild(child: Child, graceMs = 3000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** SIGKILL: a crash. */
export async function killChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGKILL");
  await child.exited;
}

/** `count` distinct free TCP ports on 127.0.0.1, chosen by the kernel now. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import("node:net").Server>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === "string") throw new EnvironmentError("no port");
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

// Waiting for another system's processes to be ready: a port that accepts connections, an
// HTTP endpoint that says so. Each wait watches the process too, so a program that dies while
// starting fails the wait at once (with its log), and the bound on the wait is only there for
// a program that hangs: on a busy machine a slow start is waited for, not failed.

import { readFileSync } from "node:fs";
import { connect } from "node:net";
import type { Child } from "../modes/processes.js";
import { EnvironmentError } from "../run/types.js";

/** How long a process may take to become ready before it is declared hung. */
export const READY_BOUND_MS = 60_000;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const exitedWith = (c: Child) => c.process.exitCode ?? c.process.signalCode;

/** The last lines of a log, for an error message. */
export function logTail(path: string, lines = 5): string {
  try {
    const text = readFileSync(path, "utf8").trimEnd().split("\n");
    return text.slice(-lines).join(" | ");
  } catch {
    return "(no log)";
  }
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Resolves when 127.0.0.1:port accepts a connection; fails if `child` exits first. */
export async function waitForPort(child: Child, port: number, log: string): Promise<void> {
  const deadline = performance.now() + READY_BOUND_MS;
  while (!(await tryConnect(port))) {
    const code = exitedWith(child);
    if (code !== null) {
      throw new EnvironmentError(
        `${child.name} exited (${code}) before listening on port ${port}: ${logTail(log)}`,
      );
    }
    if (performance.now() > deadline) {
      throw new EnvironmentError(
        `${child.name} did not listen on port ${port} within ${READY_BOUND_MS} ms: ${logTail(log)}`,
      );
    }
    await sleep(50);
  }
}

/** Resolves when `probe` returns true; fails if any of `children` exits first. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  children: readonly { child: Child; log: string }[],
): Promise<void> {
  const deadline = performance.now() + READY_BOUND_MS;
  for (;;) {
    if (await probe()) return;
    for (const { child, log } of children) {
      const code = exitedWith(child);
      if (code !== null) {
        throw new EnvironmentError(
          `${child.name} exited (${code}) before ${what}: ${logTail(log)}`,
        );
      }
    }
    if (performance.now() > deadline) {
      throw new EnvironmentError(`not ${what} within ${READY_BOUND_MS} ms`);
    }
    await sleep(100);
  }
}

/** Sends `signal`, then SIGKILL if the process has not exited after `graceMs`. */
export async function signalAndWait(child: Child, signal: NodeJS.Signals, graceMs: number) {
  if (exitedWith(child) !== null) return;
  child.process.kill(signal);
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}

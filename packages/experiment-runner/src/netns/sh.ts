// Running the kernel's tools (ip, tc, nft) for the netns testbed: argv only, never a shell, and
// a failure names the command and what it printed, so a broken set-up says which step broke.

import { execFile, execFileSync } from "node:child_process";
import { netnsPath } from "./preflight.js";

/** the environment the tools run in: PATH with /usr/sbin, where ip, tc and nft live */
const toolEnv = (): NodeJS.ProcessEnv => ({ ...process.env, PATH: netnsPath() });

export class CommandError extends Error {
  override readonly name = "CommandError";
  constructor(
    readonly argv: readonly string[],
    readonly stderr: string,
  ) {
    super(`\`${argv.join(" ")}\` failed: ${stderr.trim().split("\n")[0] ?? "(no output)"}`);
  }
}

/** Runs `argv` (with `input` on stdin), resolves with stdout; rejects with a CommandError. */
export function run(argv: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      argv[0]!,
      argv.slice(1),
      { maxBuffer: 16 * 1024 * 1024, env: toolEnv() },
      (error, stdout, stderr) => {
        if (error) reject(new CommandError(argv, String(stderr || error.message)));
        else resolve(String(stdout));
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs `argv` and reports only whether it worked (for steps that may find nothing to do). */
export async function tryRun(argv: readonly string[]): Promise<boolean> {
  try {
    await run(argv);
    return true;
  } catch {
    return false;
  }
}

/** The synchronous form, for exit hooks, where nothing asynchronous runs any more. */
export function runSync(argv: readonly string[]): string | undefined {
  try {
    return execFileSync(argv[0]!, argv.slice(1), {
      stdio: ["ignore", "pipe", "ignore"],
      env: toolEnv(),
    }).toString();
  } catch {
    return undefined;
  }
}

/** argv that runs `argv` inside the network namespace `ns`. */
export function inNs(ns: string, argv: readonly string[]): string[] {
  return ["ip", "netns", "exec", ns, ...argv];
}

// Test scaffolding: temporary folders, configs, and the CLI run in-process with its output caught.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../src/config/resolve.js";
import { ConfigError, type ConfigIssue } from "../src/config/types.js";
import { main } from "../src/main.js";

export function tempDir(prefix = "paxos-lab-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function writeConfig(dir: string, config: unknown, name = "config.json"): string {
  const file = join(dir, name);
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config, null, 2));
  return file;
}

/** A small valid config; `patch` is merged over it at the top level. */
export function baseConfig(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "t",
    cluster: { acceptors: 5 },
    quorums: [{ kind: "majority" }],
    workload: { durationMs: 600, warmupMs: 100, cooldownMs: 100 },
    ...patch,
  };
}

/** The issues resolveConfig reports for `config` ([] when it is accepted). */
export function issuesOf(config: unknown): ConfigIssue[] {
  try {
    resolveConfig(config);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs paxos-lab in this process with stdout and stderr captured. */
export async function cli(args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

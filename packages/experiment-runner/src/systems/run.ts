// One run of a variant on whatever system runs it: our engine through its mode runner, another
// system through its adapter (start a cluster, drive the workload, always stop it, even when
// starting or driving failed), both ending in the same RunOutcome.

import { mkdirSync } from "node:fs";
import type { Variant } from "../config/resolve.js";
import { historyChecks } from "../modes/process-checks.js";
import type { RunModeOptions } from "../run/types.js";
import { EnvironmentError, type RunOutcome } from "../run/types.js";
import { startWallClockRun } from "../run/wall-clock-outcome.js";
import { adapterFor } from "./registry.js";
import { shapeOf } from "./resolve.js";
import type { Collected, RunningSystem, SystemAdapter, SystemInfo } from "./types.js";

export function systemInfo(v: Variant): SystemInfo {
  const a = adapterFor(v.system.system.system);
  return {
    kind: a.kind,
    name: a.name,
    label: v.system.system.label,
    latency_measures: a.latencyMeasures,
    history: a.history,
    quorum_label: v.system.quorumLabel,
    outstanding: v.system.outstanding ?? null,
  };
}

/** Finds or builds every system the variants need, before the first run starts. */
export async function prepareSystems(
  variants: readonly Variant[],
  announce: (line: string) => void,
): Promise<void> {
  const seen = new Set<string>();
  for (const v of variants) {
    const s = v.system.system;
    if (seen.has(s.label)) continue;
    seen.add(s.label);
    await adapterFor(s.system).prepare(s, announce);
  }
}

export async function runVariant(opts: RunModeOptions): Promise<RunOutcome> {
  const adapter = adapterFor(opts.variant.system.system.system);
  const outcome = adapter.run ? await adapter.run(opts) : await runCluster(adapter, opts);
  outcome.system = systemInfo(opts.variant);
  return outcome;
}

async function runCluster(adapter: SystemAdapter, opts: RunModeOptions): Promise<RunOutcome> {
  const { config, variant, seed, dir } = opts;
  const finish = startWallClockRun(opts);
  mkdirSync(dir, { recursive: true });
  const shape = shapeOf(config, variant);
  let running: RunningSystem | undefined;
  let collected: Collected | undefined;
  let error: string | undefined;
  try {
    if (!adapter.start) throw new Error(`${adapter.name}: the adapter can neither run nor start`);
    running = await adapter.start({
      config,
      system: variant.system.system,
      acceptors: variant.acceptors,
      quorum: { phase1: shape.phase1 ?? 0, phase2: shape.phase2 ?? 0, thrifty: variant.thrifty },
      dir,
      seed,
    });
    collected = await running.drive({
      config,
      clients: variant.clients,
      seed,
      dir,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.aborted ? { aborted: opts.aborted } : {}),
    });
  } catch (e) {
    if (e instanceof EnvironmentError) throw e;
    error = opts.aborted?.()
      ? "interrupted"
      : `${adapter.name} run failed: ${(e as Error).message}`;
  } finally {
    await running?.stop();
  }
  const history = collected?.kind === "history" ? collected.history : [];
  return finish({
    history,
    checks: collected?.kind === "history" ? historyChecks(history) : [],
    faults: [],
    leadership: [],
    extra: running?.extra ?? {},
    ...(collected?.kind === "per-second" ? { perSecond: collected.perSecond } : {}),
    ...(error === undefined ? {} : { error }),
  });
}

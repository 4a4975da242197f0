// The chaos schedule of a run: the `chaos` section, the mode and the run's seed turned into the
// options of the simulator's chaos generator (@paxos/simulator's chaosSchedule, the one the
// simulator's safety sweeps draw from too), and its faults into the config's own fault format,
// so the schedule is saved in the resolved config and a run replays exactly from it.

import { type ChaosFault, chaosSchedule, type LinkChange } from "@paxos/simulator";
import {
  type ChaosSchedule,
  type Fault,
  type LinkSpec,
  type Mode,
  NEMESES,
  type Nemesis,
  type ResolvedChaos,
  type ResolvedFault,
  SIM_ONLY_NEMESES,
} from "../config/types.js";
import { EVERY_REF as EVERY, LEADER_REF as LEADER } from "../faults/refs.js";
import { seededStream } from "../workload.js";

/**
 * The mix's weight for a nemesis: as written (0 if the mix leaves it out); without a mix, 1 for
 * every nemesis the mode can play.
 */
export function weightOf(chaos: Pick<ResolvedChaos, "mix">, nemesis: Nemesis, mode: Mode): number {
  if (chaos.mix !== undefined) return chaos.mix[nemesis] ?? 0;
  return mode !== "sim" && SIM_ONLY_NEMESES.includes(nemesis) ? 0 : 1;
}

export interface ScheduleInput {
  chaos: ResolvedChaos;
  mode: Mode;
  variant: string;
  /** the cluster's nodes (clients excluded): what crashes and partitions hit */
  nodes: readonly string[];
  seed: number;
  maxConcurrentCrashes: number;
}

/** One run's schedule. Deterministic in (chaos, mode, nodes, seed, maxConcurrentCrashes). */
export function generateSchedule(input: ScheduleInput): ChaosSchedule {
  const { chaos, mode, nodes, maxConcurrentCrashes } = input;
  const faults = chaosSchedule(seededStream(input.seed, "chaos"), {
    nodes,
    startMs: chaos.startMs,
    healByMs: chaos.healByMs,
    meanIntervalMs: chaos.meanIntervalMs,
    quietMs: chaos.quietMs,
    faultDurationMs: chaos.faultDurationMs,
    intensity: chaos.intensity,
    weights: Object.fromEntries(NEMESES.map((n) => [n, weightOf(chaos, n, mode)])),
    maxConcurrentCrashes,
  });
  return {
    variant: input.variant,
    seed: input.seed,
    mode,
    maxConcurrentCrashes,
    faults: faults.map(toConfigFault),
  };
}

function toConfigFault(f: ChaosFault): ResolvedFault {
  if (f.action !== "link" || !("set" in f)) return f;
  return { ...f, set: toConfigLink(f.set) };
}

function toConfigLink(c: LinkChange): LinkSpec {
  return {
    ...(c.latencyMs !== undefined ? { latency: { dist: "constant", ms: c.latencyMs } } : {}),
    ...(c.loss !== undefined ? { loss: c.loss } : {}),
    ...(c.duplicate !== undefined ? { duplicate: c.duplicate } : {}),
    ...(c.reorder !== undefined ? { reorder: c.reorder } : {}),
  };
}

export interface HealWindow {
  /** index of the fault after which everything is healed */
  heal: number;
  /** index of the next fault that breaks something again; undefined: none follows */
  next: number | undefined;
}

/**
 * The heals of a schedule (sorted by time): indexes of the faults after which nothing is wrong
 * any more (no node down, no partition, no link changed) while something was before, each with
 * the next fault that disturbs the cluster again.
 */
export function healWindows(faults: readonly Fault[]): HealWindow[] {
  const { heals, disturbs } = walk(faults);
  return heals.map((heal) => ({ heal, next: disturbs.find((d) => d > heal) }));
}

function walk(faults: readonly Fault[]): { heals: number[]; disturbs: number[] } {
  const down: string[] = [];
  let cut = false;
  const links = new Set<string>();
  const clean = () => down.length === 0 && !cut && links.size === 0;
  const heals: number[] = [];
  const disturbs: number[] = [];
  faults.forEach((f, i) => {
    const was = clean();
    switch (f.action) {
      case "crash":
        down.push(f.node);
        break;
      case "restart": {
        const k = down.indexOf(f.node);
        if (k >= 0) down.splice(k, 1);
        else if (f.node !== LEADER) {
          // restarting a node that a crash of "@leader" took down
          const j = down.indexOf(LEADER);
          if (j >= 0) down.splice(j, 1);
        }
        break;
      }
      case "partition":
      case "isolate":
        cut = true;
        break;
      case "heal":
        cut = false;
        break;
      case "link":
        if (f.reset) {
          if (f.from === EVERY && f.to === EVERY) links.clear();
          else links.delete(`${f.from}>${f.to}`);
        } else links.add(`${f.from}>${f.to}`);
        break;
      case "recover":
        down.length = 0;
        cut = false;
        links.clear();
        break;
    }
    if (!was && clean()) heals.push(i);
    if (was && !clean()) disturbs.push(i);
  });
  return { heals, disturbs };
}

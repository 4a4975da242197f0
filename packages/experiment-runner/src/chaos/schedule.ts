// The chaos schedule: a `chaos` section plus a run's seed become a concrete, timed list of the
// same faults a researcher can write by hand (crash, restart, partition, isolate, heal, link,
// recover), so the schedule is saved in the resolved config and a run replays exactly from it.
//
// Faults arrive as a Poisson process (mean interval `meanIntervalMs`); each arrival draws a
// nemesis by weight from the mix among those that fit right now, and lasts a random time from
// `faultDurationMs`. Nemeses fall into three classes that may overlap each other:
//
//   crashes     crash (a random node), killLeader      at most maxConcurrentCrashes at once
//   partitions  partitionHalves, isolateLeader, bridge  one at a time (a heal ends them all)
//   links       slowLink, lossyLink, duplicate, reorder one at a time (a reset restores them)
//
// Whenever every fault is over (a "heal"), no new one starts for `quietMs`: that is the window
// in which commits must be seen to resume. Nothing lasts past `healByMs`, where a final
// `recover` heals, resets and restarts whatever is left. The current leader is named
// "@leader" and resolved when the fault fires, so the schedule is clock-free: it says what
// happens when, never how long a node takes to notice.

import {
  type ChaosSchedule,
  type Fault,
  type Mode,
  NEMESES,
  type Nemesis,
  type ResolvedChaos,
  type ResolvedFault,
  SIM_ONLY_NEMESES,
  type Span,
} from "../config/types.js";
import { seededStream, type Uniform } from "../workload.js";

export const LEADER = "@leader";
export const EVERY = "*";

type NemesisClass = "crash" | "partition" | "link";

const CLASS: Record<Nemesis, NemesisClass> = {
  crash: "crash",
  killLeader: "crash",
  partitionHalves: "partition",
  isolateLeader: "partition",
  bridge: "partition",
  slowLink: "link",
  lossyLink: "link",
  duplicate: "link",
  reorder: "link",
};

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

class Draw {
  constructor(private readonly u: Uniform) {}
  next(): number {
    return this.u.next();
  }
  uniform([lo, hi]: Span): number {
    return lo + (hi - lo) * this.u.next();
  }
  below(n: number): number {
    return Math.floor(this.u.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)]!;
  }
  shuffle<T>(xs: readonly T[]): T[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
  exponential(mean: number): number {
    return -Math.log(1 - this.u.next()) * mean;
  }
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** One run's schedule. Deterministic in (chaos, mode, nodes, seed, maxConcurrentCrashes). */
export function generateSchedule(input: ScheduleInput): ChaosSchedule {
  const { chaos, mode, nodes, maxConcurrentCrashes } = input;
  const rng = new Draw(seededStream(input.seed, "chaos"));
  const faults: ResolvedFault[] = [];
  const healBy = chaos.healByMs;
  const capacity: Record<NemesisClass, number> = {
    crash: maxConcurrentCrashes,
    partition: 1,
    link: 1,
  };
  const fits = (n: Nemesis): boolean => {
    if (n === "bridge") return nodes.length >= 3;
    if (CLASS[n] !== "crash") return nodes.length >= 2;
    return true;
  };
  const weights = NEMESES.map((n) => (fits(n) ? weightOf(chaos, n, mode) : 0));
  interface Active {
    cls: NemesisClass;
    endMs: number;
    node?: string;
  }
  let active: Active[] = [];
  let t = chaos.startMs;
  for (;;) {
    // whole milliseconds: a fault ending at `at` is over when the next one starts at `at`
    t = Math.ceil(t + rng.exponential(chaos.meanIntervalMs));
    if (active.length > 0 && active.every((a) => a.endMs <= t)) {
      // everything healed at the last end: keep quiet for a while after it
      const healedAt = Math.max(...active.map((a) => a.endMs));
      active = [];
      t = Math.max(t, Math.ceil(healedAt + chaos.quietMs));
    } else active = active.filter((a) => a.endMs > t);
    const at = t;
    if (at >= healBy) break;
    const used = (cls: NemesisClass) => active.filter((a) => a.cls === cls).length;
    const open = weights.map((w, i) =>
      used(CLASS[NEMESES[i]!]) < capacity[CLASS[NEMESES[i]!]] ? w : 0,
    );
    const total = open.reduce((a, b) => a + b, 0);
    if (total <= 0) continue;
    let x = rng.next() * total;
    let k = 0;
    while (k < open.length - 1 && x >= open[k]!) {
      x -= open[k]!;
      k++;
    }
    const nemesis = NEMESES[k]!;
    const end = Math.round(at + Math.max(1, rng.uniform(chaos.faultDurationMs)));
    // a fault still going at healByMs is ended by the final `recover`
    const endAt = end < healBy ? end : undefined;
    const fault: Active = { cls: CLASS[nemesis], endMs: Math.min(end, healBy) };
    const push = (start: ResolvedFault, stop: ResolvedFault) => {
      faults.push(start);
      if (endAt !== undefined) faults.push(stop);
    };
    switch (nemesis) {
      case "crash": {
        const down = new Set(active.map((a) => a.node));
        const up = nodes.filter((n) => !down.has(n));
        if (up.length === 0) continue;
        const node = rng.pick(up);
        fault.node = node;
        push(
          { atMs: at, action: "crash", node },
          { atMs: endAt ?? healBy, action: "restart", node },
        );
        break;
      }
      case "killLeader":
        push(
          { atMs: at, action: "crash", node: LEADER },
          { atMs: endAt ?? healBy, action: "restart", node: LEADER },
        );
        break;
      case "partitionHalves": {
        const s = rng.shuffle(nodes);
        const half = Math.floor(s.length / 2);
        push(
          { atMs: at, action: "partition", groups: [s.slice(0, half), s.slice(half)] },
          { atMs: endAt ?? healBy, action: "heal" },
        );
        break;
      }
      case "isolateLeader":
        push(
          { atMs: at, action: "isolate", node: LEADER },
          { atMs: endAt ?? healBy, action: "heal" },
        );
        break;
      case "bridge": {
        // the bridge node is in no group, so it keeps its links to both halves
        const [, ...rest] = rng.shuffle(nodes);
        const half = Math.floor(rest.length / 2);
        push(
          { atMs: at, action: "partition", groups: [rest.slice(0, half), rest.slice(half)] },
          { atMs: endAt ?? healBy, action: "heal" },
        );
        break;
      }
      case "slowLink":
      case "lossyLink": {
        const from = rng.pick(nodes);
        const to = rng.next() < 0.5 ? EVERY : rng.pick(nodes.filter((n) => n !== from));
        const set =
          nemesis === "slowLink"
            ? {
                latency: { dist: "constant" as const, ms: r1(rng.uniform(chaos.intensity.slowMs)) },
              }
            : { loss: r3(rng.uniform(chaos.intensity.loss)) };
        push(
          { atMs: at, action: "link", from, to, set, symmetric: true },
          { atMs: endAt ?? healBy, action: "link", from, to, reset: true, symmetric: true },
        );
        break;
      }
      case "duplicate":
      case "reorder": {
        const p = r3(rng.uniform(chaos.intensity[nemesis]));
        push(
          {
            atMs: at,
            action: "link",
            from: EVERY,
            to: EVERY,
            set: { [nemesis]: p },
            symmetric: true,
          },
          {
            atMs: endAt ?? healBy,
            action: "link",
            from: EVERY,
            to: EVERY,
            reset: true,
            symmetric: true,
          },
        );
        break;
      }
    }
    active.push(fault);
  }
  faults.push({ atMs: healBy, action: "recover" });
  const ordered = faults
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.atMs - b.f.atMs || a.i - b.i)
    .map((x) => x.f);
  return {
    variant: input.variant,
    seed: input.seed,
    mode,
    maxConcurrentCrashes,
    faults: ordered,
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

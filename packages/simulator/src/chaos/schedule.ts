// The one chaos generator: a seeded stream and a few options become a concrete, timed list of
// faults (crash, restart, partition, isolate, heal, link, recover). The simulator's safety
// sweeps play it with applyFaults (faults.ts); the experiment runner resolves its `chaos`
// config into these options and plays the result with its fault player in every mode.
//
// Faults arrive as a Poisson process (mean interval `meanIntervalMs`); each arrival draws a
// nemesis by weight among those that fit right now, and lasts a random time from
// `faultDurationMs`. Nemeses fall into three classes that may overlap each other:
//
//   crashes     crash (a random node), killLeader          at most maxConcurrentCrashes at once
//   partitions  partitionHalves, isolateLeader, bridge      one at a time (a heal ends them all)
//   links       slowLink, lossyLink, duplicate, reorder,    one at a time (a reset restores them)
//               weather
//
// Whenever every fault is over (a "heal"), no new one starts for `quietMs`: that is the window
// in which commits must be seen to resume. Nothing lasts past `healByMs`, where a final
// `recover` heals, resets and restarts whatever is left. The current leader is named
// "@leader" and resolved when the fault fires, so the schedule is clock-free: it says what
// happens when, never how long a node takes to notice.

import type { Uniform } from "../operations.js";

export const LEADER = "@leader";
export const EVERY = "*";

/** Every nemesis, in the order the weighted draw walks them. */
export const NEMESES = [
  "crash",
  "killLeader",
  "partitionHalves",
  "isolateLeader",
  "bridge",
  "slowLink",
  "lossyLink",
  "duplicate",
  "reorder",
  "weather",
] as const;
export type Nemesis = (typeof NEMESES)[number];

/**
 * Nemeses only the simulator can play: duplicated and reordered messages (the runner's real
 * transports deliver each message once, in order, per connection).
 */
export const SIM_ONLY_NEMESES: readonly Nemesis[] = ["duplicate", "reorder", "weather"];

/** [min, max] */
export type Span = readonly [number, number];

/** What a `link` fault changes on a link; a `reset` restores what was there before. */
export interface LinkChange {
  readonly latencyMs?: number;
  readonly loss?: number;
  readonly duplicate?: number;
  readonly reorder?: number;
}

export type ChaosFault =
  | {
      readonly atMs: number;
      readonly action: "crash" | "restart" | "isolate";
      readonly node: string;
    }
  | { readonly atMs: number; readonly action: "partition"; readonly groups: string[][] }
  | { readonly atMs: number; readonly action: "heal" | "recover" }
  | {
      readonly atMs: number;
      readonly action: "link";
      /** a node id or "*" (every node) */
      readonly from: string;
      readonly to: string;
      readonly set: LinkChange;
      readonly symmetric: true;
    }
  | {
      readonly atMs: number;
      readonly action: "link";
      readonly from: string;
      readonly to: string;
      readonly reset: true;
      readonly symmetric: true;
    };

export interface ChaosScheduleOptions {
  /** the cluster's nodes (clients excluded): what crashes, partitions and link faults hit */
  readonly nodes: readonly string[];
  /**
   * client nodes, if they may be hit too: a crash takes a client one time in ten, and a
   * partition into halves puts the clients into the halves one time in two (else they reach
   * both). Absent or empty: clients are never touched, and no draws are made for them.
   */
  readonly clients?: readonly string[];
  /** no fault starts before this */
  readonly startMs: number;
  /** every fault is over at this time */
  readonly healByMs: number;
  readonly meanIntervalMs: number;
  /** after every moment when all faults are over, no new fault for this long */
  readonly quietMs: number;
  readonly faultDurationMs: Span;
  /** the ranges link nemeses draw from (weather draws all three rates at once) */
  readonly intensity: {
    readonly slowMs: Span;
    readonly loss: Span;
    readonly duplicate: Span;
    readonly reorder: Span;
  };
  /** relative weight of each nemesis; one left out weighs 0 */
  readonly weights: Partial<Record<Nemesis, number>>;
  readonly maxConcurrentCrashes: number;
}

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
  weather: "link",
};

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

/** One schedule, sorted by time. Deterministic in (the stream, the options). */
export function chaosSchedule(stream: Uniform, o: ChaosScheduleOptions): ChaosFault[] {
  const { nodes, maxConcurrentCrashes } = o;
  const clients = o.clients ?? [];
  if (!(o.meanIntervalMs > 0)) {
    throw new RangeError(`chaosSchedule: meanIntervalMs must be > 0, got ${o.meanIntervalMs}`);
  }
  const rng = new Draw(stream);
  const faults: ChaosFault[] = [];
  const healBy = o.healByMs;
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
  const weights = NEMESES.map((n) => (fits(n) ? (o.weights[n] ?? 0) : 0));
  interface Active {
    cls: NemesisClass;
    endMs: number;
    node?: string;
  }
  let active: Active[] = [];
  let t = o.startMs;
  for (;;) {
    // whole milliseconds: a fault ending at `at` is over when the next one starts at `at`
    t = Math.ceil(t + rng.exponential(o.meanIntervalMs));
    if (active.length > 0 && active.every((a) => a.endMs <= t)) {
      // everything healed at the last end: keep quiet for a while after it
      const healedAt = Math.max(...active.map((a) => a.endMs));
      active = [];
      t = Math.max(t, Math.ceil(healedAt + o.quietMs));
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
    const end = Math.round(at + Math.max(1, rng.uniform(o.faultDurationMs)));
    // a fault still going at healByMs is ended by the final `recover`
    const endAt = end < healBy ? end : undefined;
    const stopAt = endAt ?? healBy;
    const fault: Active = { cls: CLASS[nemesis], endMs: Math.min(end, healBy) };
    const push = (start: ChaosFault, stop: ChaosFault) => {
      faults.push(start);
      if (endAt !== undefined) faults.push(stop);
    };
    const everyLink = (set: LinkChange) =>
      push(
        { atMs: at, action: "link", from: EVERY, to: EVERY, set, symmetric: true },
        { atMs: stopAt, action: "link", from: EVERY, to: EVERY, reset: true, symmetric: true },
      );
    switch (nemesis) {
      case "crash": {
        const down = new Set(active.map((a) => a.node));
        const pool = clients.length > 0 && rng.next() < 0.1 ? clients : nodes;
        const up = pool.filter((n) => !down.has(n));
        if (up.length === 0) continue;
        const node = rng.pick(up);
        fault.node = node;
        push({ atMs: at, action: "crash", node }, { atMs: stopAt, action: "restart", node });
        break;
      }
      case "killLeader":
        push(
          { atMs: at, action: "crash", node: LEADER },
          { atMs: stopAt, action: "restart", node: LEADER },
        );
        break;
      case "partitionHalves": {
        const s = rng.shuffle(nodes);
        const half = Math.floor(s.length / 2);
        const groups = [s.slice(0, half), s.slice(half)];
        if (clients.length > 0 && rng.next() < 0.5) {
          for (const c of clients) groups[rng.below(2)]!.push(c);
        }
        push({ atMs: at, action: "partition", groups }, { atMs: stopAt, action: "heal" });
        break;
      }
      case "isolateLeader":
        push({ atMs: at, action: "isolate", node: LEADER }, { atMs: stopAt, action: "heal" });
        break;
      case "bridge": {
        // the bridge node is in no group, so it keeps its links to both halves
        const [, ...rest] = rng.shuffle(nodes);
        const half = Math.floor(rest.length / 2);
        push(
          { atMs: at, action: "partition", groups: [rest.slice(0, half), rest.slice(half)] },
          { atMs: stopAt, action: "heal" },
        );
        break;
      }
      case "slowLink":
      case "lossyLink": {
        const from = rng.pick(nodes);
        const to = rng.next() < 0.5 ? EVERY : rng.pick(nodes.filter((n) => n !== from));
        const set: LinkChange =
          nemesis === "slowLink"
            ? { latencyMs: r1(rng.uniform(o.intensity.slowMs)) }
            : { loss: r3(rng.uniform(o.intensity.loss)) };
        push(
          { atMs: at, action: "link", from, to, set, symmetric: true },
          { atMs: stopAt, action: "link", from, to, reset: true, symmetric: true },
        );
        break;
      }
      case "duplicate":
      case "reorder":
        everyLink({ [nemesis]: r3(rng.uniform(o.intensity[nemesis])) });
        break;
      case "weather":
        everyLink({
          loss: r3(rng.uniform(o.intensity.loss)),
          duplicate: r3(rng.uniform(o.intensity.duplicate)),
          reorder: r3(rng.uniform(o.intensity.reorder)),
        });
        break;
    }
    active.push(fault);
  }
  faults.push({ atMs: healBy, action: "recover" });
  // stable sort by time keeps generation order for ties
  return faults
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.atMs - b.f.atMs || a.i - b.i)
    .map((x) => x.f);
}

// Fault schedules: plain data (so a failing run can print the schedule it ran) and the code that
// plays one into a simulation. Faults that depend on the cluster's state at the time (crash or
// isolate "the current leader") are resolved when they fire, from the simulation itself, so they
// replay with the seed like everything else.

import type { NetStateLog } from "./liveness.js";
import type { LinkSpec } from "./network.js";
import type { Simulation } from "./simulation.js";

export type Fault =
  /** set loss, duplication and reordering on every link (the default link settings) */
  | {
      readonly atMs: number;
      readonly kind: "weather";
      readonly lossRate: number;
      readonly duplicateRate: number;
      readonly reorderRate: number;
    }
  /** cut links between groups (see Network.partition: unlisted nodes stay connected) */
  | {
      readonly atMs: number;
      readonly kind: "partition";
      readonly groups: readonly (readonly string[])[];
    }
  /** cut every link of the node whose leader is active (nothing if none is) */
  | { readonly atMs: number; readonly kind: "isolateLeader" }
  /** remove every cut */
  | { readonly atMs: number; readonly kind: "heal" }
  /** crash the active leader's node (or, if none is active, a leader node picked at random) */
  | { readonly atMs: number; readonly kind: "crashLeader"; readonly restartAtMs: number }
  /** crash one node */
  | {
      readonly atMs: number;
      readonly kind: "crash";
      readonly node: string;
      readonly restartAtMs: number;
    }
  /** heal, clear the weather and restart every crashed node: the end of all faults */
  | { readonly atMs: number; readonly kind: "recoverAll" };

export function describeFault(f: Fault): string {
  switch (f.kind) {
    case "weather":
      return `${f.atMs}ms weather loss=${f.lossRate.toFixed(3)} dup=${f.duplicateRate.toFixed(3)} reorder=${f.reorderRate.toFixed(3)}`;
    case "partition":
      return `${f.atMs}ms partition ${f.groups.map((g) => `{${g.join(",")}}`).join(" | ")}`;
    case "isolateLeader":
      return `${f.atMs}ms isolate the active leader`;
    case "heal":
      return `${f.atMs}ms heal`;
    case "crashLeader":
      return `${f.atMs}ms crash the active leader, restart at ${f.restartAtMs}ms`;
    case "crash":
      return `${f.atMs}ms crash ${f.node}, restart at ${f.restartAtMs}ms`;
    case "recoverAll":
      return `${f.atMs}ms heal everything, restart every crashed node`;
  }
}

/**
 * Schedule every fault into the simulation (times must not be in its past). With a log, the
 * network's state is recorded after every change, for the during-fault liveness check.
 */
export function applyFaults(sim: Simulation, faults: readonly Fault[], log?: NetStateLog): void {
  // Only used when no leader is active: picks a leader node to crash, deterministically.
  const fallback = sim.rng.fork("faults/fallback");
  const record = () => log?.record();
  for (const f of faults) {
    sim.at(f.atMs, () => {
      play(f);
      record();
    });
  }
  function play(f: Fault): void {
    switch (f.kind) {
      case "weather":
        setWeather(sim, f);
        return;
      case "partition":
        sim.partition(f.groups);
        return;
      case "isolateLeader": {
        const leader = sim.activeLeader();
        if (leader !== undefined) sim.isolate(leader);
        return;
      }
      case "heal":
        sim.heal();
        return;
      case "crashLeader": {
        let victim = sim.activeLeader();
        if (victim === undefined) {
          const alive = sim.nodesWithRole("leader").filter((id) => sim.isAlive(id));
          if (alive.length === 0) return;
          victim = fallback.pick(alive);
        }
        crashUntil(sim, victim, f.restartAtMs, record);
        return;
      }
      case "crash":
        crashUntil(sim, f.node, f.restartAtMs, record);
        return;
      case "recoverAll":
        sim.heal();
        setWeather(sim, { lossRate: 0, duplicateRate: 0, reorderRate: 0 });
        for (const id of sim.nodeIds) if (!sim.isAlive(id)) sim.restart(id);
        return;
    }
  }
}

function setWeather(
  sim: Simulation,
  w: Pick<LinkSpec, "lossRate" | "duplicateRate" | "reorderRate">,
) {
  sim.network.setDefaultLink({
    lossRate: w.lossRate ?? 0,
    duplicateRate: w.duplicateRate ?? 0,
    reorderRate: w.reorderRate ?? 0,
  });
}

/** Crash `id` if it is up, and restart it at `restartAtMs` if it is still down then. */
function crashUntil(sim: Simulation, id: string, restartAtMs: number, restarted: () => void): void {
  if (!sim.isAlive(id)) return;
  sim.crash(id);
  sim.at(Math.max(restartAtMs, sim.now), () => {
    if (!sim.isAlive(id)) sim.restart(id);
    restarted();
  });
}

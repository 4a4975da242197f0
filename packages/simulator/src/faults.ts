// Plays a fault schedule (chaos/schedule.ts's faults: plain data, so a failing run can print the
// schedule it ran) into a simulation. "@leader" (crash or isolate the current leader, restart
// the leader crashed so) is resolved when the fault fires, from the simulation itself, so it
// replays with the seed like everything else.

import { type ChaosFault, EVERY, LEADER, type LinkChange } from "./chaos/schedule.js";
import type { NetStateLog } from "./liveness.js";
import type { LinkSpec } from "./network.js";
import type { Simulation } from "./simulation.js";

export function describeFault(f: ChaosFault): string {
  const at = `${f.atMs}ms`;
  switch (f.action) {
    case "crash":
    case "isolate":
      return `${at} ${f.action} ${f.node === LEADER ? "the active leader" : f.node}`;
    case "restart":
      return `${at} restart ${f.node === LEADER ? "the leader crashed as the active one" : f.node}`;
    case "partition":
      return `${at} partition ${f.groups.map((g) => `{${g.join(",")}}`).join(" | ")}`;
    case "heal":
      return `${at} heal`;
    case "recover":
      return `${at} heal everything, reset every link, restart every crashed node`;
    case "link": {
      const link = `${f.from}<->${f.to}`;
      if (!("set" in f)) return `${at} reset ${link}`;
      const set = Object.entries(f.set).map(([k, v]) => `${k}=${v}`);
      return `${at} link ${link} ${set.join(" ")}`;
    }
  }
}

/**
 * Schedule every fault into the simulation (times must not be in its past). With a log, the
 * network's state is recorded after every change, for the during-fault liveness check.
 */
export function applyFaults(
  sim: Simulation,
  faults: readonly ChaosFault[],
  log?: NetStateLog,
): void {
  // Only used when no leader is active: picks a leader node to crash, deterministically.
  const fallback = sim.rng.fork("faults/fallback");
  /** leaders crashed as "@leader", in order: what a restart of "@leader" brings back */
  const crashedLeaders: string[] = [];
  /** each changed directed link's settings before its first change */
  const original = new Map<string, Required<LinkSpec>>();
  for (const f of faults) {
    sim.at(f.atMs, () => {
      play(f);
      log?.record();
    });
  }

  function play(f: ChaosFault): void {
    switch (f.action) {
      case "crash": {
        const victim = f.node === LEADER ? leaderToCrash() : f.node;
        if (victim === undefined || !sim.isAlive(victim)) return;
        if (f.node === LEADER) crashedLeaders.push(victim);
        sim.crash(victim);
        return;
      }
      case "restart": {
        const id = f.node === LEADER ? crashedLeaders.shift() : f.node;
        if (id !== undefined && !sim.isAlive(id)) sim.restart(id);
        return;
      }
      case "isolate": {
        const id = f.node === LEADER ? sim.activeLeader() : f.node;
        if (id !== undefined) sim.isolate(id);
        return;
      }
      case "partition":
        sim.partition(f.groups);
        return;
      case "heal":
        sim.heal();
        return;
      case "link":
        for (const [a, b] of pairs(f.from, f.to)) {
          const key = `${a}>${b}`;
          if ("set" in f) {
            if (!original.has(key)) original.set(key, sim.network.link(a, b));
            sim.network.setLink(a, b, { ...sim.network.link(a, b), ...linkSettings(f.set) });
          } else {
            const was = original.get(key);
            if (was) sim.network.setLink(a, b, was);
            original.delete(key);
          }
        }
        return;
      case "recover":
        sim.heal();
        for (const [key, was] of original) {
          const [a, b] = key.split(">") as [string, string];
          sim.network.setLink(a, b, was);
        }
        original.clear();
        crashedLeaders.length = 0;
        for (const id of sim.nodeIds) if (!sim.isAlive(id)) sim.restart(id);
        return;
    }
  }

  function leaderToCrash(): string | undefined {
    const active = sim.activeLeader();
    if (active !== undefined) return active;
    const alive = sim.nodesWithRole("leader").filter((id) => sim.isAlive(id));
    return alive.length === 0 ? undefined : fallback.pick(alive);
  }

  /** The directed links a symmetric link fault between `from` and `to` touches. */
  function pairs(from: string, to: string): [string, string][] {
    const ends = (x: string) => (x === EVERY ? sim.nodeIds : [x]);
    const out = new Map<string, [string, string]>();
    for (const a of ends(from)) {
      for (const b of ends(to)) {
        if (a === b) continue;
        out.set(`${a}>${b}`, [a, b]);
        out.set(`${b}>${a}`, [b, a]);
      }
    }
    return [...out.values()];
  }
}

function linkSettings(c: LinkChange): Partial<LinkSpec> {
  return {
    ...(c.latencyMs !== undefined ? { latency: { kind: "constant", ms: c.latencyMs } } : {}),
    ...(c.loss !== undefined ? { lossRate: c.loss } : {}),
    ...(c.duplicate !== undefined ? { duplicateRate: c.duplicate } : {}),
    ...(c.reorder !== undefined ? { reorderRate: c.reorder } : {}),
  };
}

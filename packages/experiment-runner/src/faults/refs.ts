// How faults name nodes that are only known when the fault fires, and the order faults play in.
// A leaf module: the config's resolver and every fault player use it, so neither imports the
// other.

import { EVERY, LEADER } from "@paxos/simulator";
import type { Fault } from "../config/types.js";

/** in a fault: the node that leads when the fault fires (the chaos generator's name for it) */
export const LEADER_REF = LEADER;
/** in a link fault: every other node */
export const EVERY_REF = EVERY;

/** Faults in the order they happen (stable for equal times). */
export function faultSchedule(faults: readonly Fault[]): Fault[] {
  return faults
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.atMs - b.f.atMs || a.i - b.i)
    .map((x) => x.f);
}

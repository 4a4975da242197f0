// netns mode: one run of a variant on real processes, each node a host in its own network
// namespace (see real.ts for the run, driver/netns-driver.ts for the world).

import { NetnsDriver } from "../driver/netns-driver.js";
import type { RunModeOptions, RunOutcome } from "../run/types.js";
import { runReal } from "./real.js";

export function runNetns(opts: RunModeOptions): Promise<RunOutcome> {
  return runReal(opts, async (o) => new NetnsDriver(o));
}

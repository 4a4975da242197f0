// local mode: one run of a variant on real processes over loopback (see real.ts for the run,
// driver/local-driver.ts for the world).

import { LocalDriver } from "../driver/local-driver.js";
import type { RunModeOptions, RunOutcome } from "../run/types.js";
import { runReal } from "./real.js";

export function runLocal(opts: RunModeOptions): Promise<RunOutcome> {
  return runReal(opts, async (o) => new LocalDriver(o));
}

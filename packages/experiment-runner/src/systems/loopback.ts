// The other systems run on plain loopback: paxos-lab shapes links only inside its own
// transport (local mode) or the simulator, so a config that asks for delay, loss or bandwidth
// cannot be applied to them. Saying so beats a comparison on different networks.

import type { ResolvedConfig } from "../config/types.js";

/** Why `config` cannot run a system on plain loopback (real processes, unshaped), or null. */
export function refusesLoopback(config: ResolvedConfig): string | null {
  if (config.mode !== "local") return 'it runs real processes: set "mode": "local"';
  const d = config.network.default;
  const shaped =
    !(d.latency.dist === "constant" && d.latency.ms === 0) ||
    d.jitterMs > 0 ||
    d.loss > 0 ||
    d.bandwidthMbps !== undefined ||
    config.network.links.length > 0 ||
    config.network.sites !== undefined;
  return shaped
    ? 'it runs on plain loopback, whose links paxos-lab cannot shape in local mode: set network.default.latency to {"dist": "constant", "ms": 0} and drop links and sites'
    : null;
}

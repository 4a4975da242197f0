// Our engine, the default system: a run is the mode's own runner (sim: the simulator in
// virtual time; local: one process per node over WebSockets; netns: the same, each node a
// host in its own network namespace), which also plays the faults and
// checks the replicas. Its history is checked for linearizability like every other.

import type { SystemAdapter } from "./types.js";

export const paxosLab: SystemAdapter = {
  kind: "paxos-lab",
  name: "paxos-lab",
  latencyMeasures:
    "client-visible: from a client sending a request to it receiving the replica's answer, after the command was chosen and applied to the key-value store",
  history: true,
  refusesConfig: () => null,
  refusesVariant: () => null,
  prepare: async () => undefined,
  run: async (opts) => {
    if (opts.config.mode === "sim") {
      const { runSim } = await import("../modes/sim.js");
      return runSim(opts);
    }
    if (opts.config.mode === "netns") {
      const { runNetns } = await import("../modes/netns.js");
      return runNetns(opts);
    }
    const { runLocal } = await import("../modes/local.js");
    return runLocal(opts);
  },
};

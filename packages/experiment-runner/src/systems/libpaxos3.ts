// LibPaxos3 (Daniele Sciascia, University of Lugano), built from its unmodified sources:
// majority quorums, phase 2 to every acceptor, one client value per instance (no batching).

import type { CSystem } from "./c-build.js";
import { libpaxosAdapter } from "./libpaxos-family.js";

/** How LibPaxos3 is built: its snapshot's name, where a user names another source. */
export const LIBPAXOS3: CSystem = {
  name: "LibPaxos3",
  envVar: "PAXOS_LAB_LIBPAXOS3",
  tarballPrefix: "libpaxos3-",
  targets: ["acceptor", "proposer", "client"],
};

export const libpaxos3 = libpaxosAdapter(
  {
    kind: "libpaxos3",
    build: LIBPAXOS3,
    // a majority of the acceptors is built in: nothing to configure
    quorumLines: () => [],
    refusesQuorum: (v) => {
      if (v.kind !== "majority")
        return `its quorums are majorities only (this variant is ${v.kind}); LibFPaxos runs flexible quorums`;
      if (v.thrifty) return "it sends phase 2 to every acceptor: it has no thrifty mode";
      return null;
    },
  },
  "LibPaxos3",
  "submit-to-learn: from the sample client submitting a value to its own embedded learner seeing it chosen (1.5 round trips, no state machine, no reply); per-second means only, so no percentiles",
);

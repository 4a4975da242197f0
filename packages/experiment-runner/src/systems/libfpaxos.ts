// LibFPaxos (Heidi Howard): LibPaxos3 with phase-1 and phase-2 quorum sizes (quorum-1,
// quorum-2) and how many acceptors each phase addresses (group-1, group-2), built from its
// unmodified sources. Its defaults are 2/2/2/2, so every run sets all four.

import type { CSystem } from "./c-build.js";
import { libpaxosAdapter } from "./libpaxos-family.js";

/** How LibFPaxos is built: its snapshot's name, where a user names another source. */
export const LIBFPAXOS: CSystem = {
  name: "LibFPaxos",
  envVar: "PAXOS_LAB_LIBFPAXOS",
  tarballPrefix: "libfpaxos-",
  targets: ["acceptor", "proposer", "client"],
};

export const libfpaxos = libpaxosAdapter(
  {
    kind: "libfpaxos",
    build: LIBFPAXOS,
    // Like our engine's thrifty option, thrifty narrows phase 2 only: phase 1 (once per
    // leader) goes to every acceptor either way.
    quorumLines: (q, n) => [
      `quorum-1 ${q.phase1}`,
      `quorum-2 ${q.phase2}`,
      `group-1 ${n}`,
      `group-2 ${q.thrifty ? q.phase2 : n}`,
    ],
    refusesQuorum: (v) => {
      if (v.phase1 === null || v.phase2 === null)
        return `its quorums are given by size (majority or flexible); this variant is ${v.kind}`;
      if (v.phase1 + v.phase2 <= v.acceptors)
        return `it refuses quorum-1 + quorum-2 <= ${v.acceptors} (quorums that need not intersect)`;
      return null;
    },
  },
  "LibFPaxos",
  "submit-to-learn: from the sample client submitting a value to its own embedded learner seeing it chosen by a phase-2 quorum (1.5 round trips, no state machine, no reply); per-second means only, so no percentiles",
);

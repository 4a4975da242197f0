// The chaos of configs/chaos-sim.json on a cluster whose roles live on separate nodes (two
// replicas, two leaders, five acceptors), with a hand-written explicit quorum system, one
// command per slot and a window of 2: crashes then hit a role at a time.
import { test } from "uvu";
import type { RawConfig } from "../src/config/types.js";
import { chaosSimConfig, sweepTest } from "./chaos-sweep.js";

const base = chaosSimConfig();
const config: RawConfig = {
  ...base,
  name: "chaos-sim-roles",
  cluster: { acceptors: 5, replicas: 2, leaders: 2, colocated: false },
  quorums: [
    { kind: "majority", label: "majority a1-a5" },
    {
      kind: "explicit",
      label: "explicit",
      // every phase-1 set meets every phase-2 set; any one acceptor may be down
      phase1: [
        ["a1", "a2", "a3"],
        ["a3", "a4", "a5"],
        ["a1", "a2", "a4", "a5"],
      ],
      phase2: [
        ["a1", "a3"],
        ["a2", "a4"],
        ["a3", "a5"],
        ["a1", "a4"],
      ],
    },
  ],
  engine: { ...base.engine, window: 2, maxBatch: 1 },
};

sweepTest("separate roles", config, ["majority a1-a5", "explicit"], 60);

test.run();

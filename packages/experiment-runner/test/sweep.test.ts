// Sweep expansion: phase2 from 1 to floor(n/2)+1 with phase1 = n - phase2 + 1, over one or
// several acceptor counts; each expanded variant is a safe flexible quorum over its own cluster.

import { checkIntersection } from "@paxos/quorum-system";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveConfig } from "../src/config/resolve.js";
import { baseConfig, issuesOf } from "./helpers.js";

test("a bare sweep covers phase2 = 1 .. floor(n/2)+1 over the cluster's acceptors", () => {
  const { config, variants } = resolveConfig(baseConfig({ quorums: [{ kind: "sweep" }] }));
  assert.equal(
    config.quorums.map((q) => (q.kind === "flexible" ? [q.phase1, q.phase2] : null)),
    [
      [5, 1],
      [4, 2],
      [3, 3],
    ],
  );
  assert.equal(
    variants.map((v) => v.label),
    ["n=5 p1=5 p2=1", "n=5 p1=4 p2=2", "n=5 p1=3 p2=3"],
  );
  for (const v of variants) assert.ok(checkIntersection(v.quorum).safe);
});

test("sweeping acceptor counts 3..10 gives the FPaxos paper's grid of configurations", () => {
  const { variants } = resolveConfig(
    baseConfig({
      quorums: [
        {
          kind: "sweep",
          acceptors: { from: 3, to: 10 },
          label: "fp {n}/{phase1}/{phase2}",
          thrifty: true,
        },
      ],
    }),
  );
  // sum over n = 3..10 of floor(n/2) + 1
  assert.is(variants.length, 2 + 3 + 3 + 4 + 4 + 5 + 5 + 6);
  for (const v of variants) {
    const n = v.acceptors.length;
    assert.ok(n >= 3 && n <= 10);
    assert.ok(v.thrifty);
    assert.ok(checkIntersection(v.quorum).safe, v.label);
    assert.is(
      v.label,
      `fp ${n}/${v.spec.kind === "flexible" ? `${v.spec.phase1}/${v.spec.phase2}` : ""}`,
    );
  }
  const n10 = variants.filter((v) => v.acceptors.length === 10);
  assert.equal(
    n10.map((v) => (v.spec.kind === "flexible" ? v.spec.phase2 : 0)),
    [1, 2, 3, 4, 5, 6],
  );
  assert.equal(n10[0]!.acceptors, ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10"]);
  // replicas and leaders stay as configured whatever the acceptor count
  assert.equal(n10[0]!.replicas, ["n1", "n2", "n3"]);
});

test("explicit ranges, a single count, and sweeps next to ordinary variants", () => {
  const { variants } = resolveConfig(
    baseConfig({
      quorums: [
        { kind: "majority", label: "maj" },
        { kind: "sweep", acceptors: 7, phase2: { from: 2, to: 3 } },
      ],
    }),
  );
  assert.equal(
    variants.map((v) => v.describe),
    [
      "majority(n=5, quorum=3)",
      "flexible(n=7, phase1=6, phase2=2)",
      "flexible(n=7, phase1=5, phase2=3)",
    ],
  );
});

test("bad sweeps are reported at their path", () => {
  const big = issuesOf(baseConfig({ quorums: [{ kind: "sweep", phase2: { to: 6 } }] }));
  assert.equal(
    big.map((i) => i.path),
    ["/quorums/0/phase2/to"],
  );
  const empty = issuesOf(baseConfig({ quorums: [{ kind: "sweep", phase2: { from: 3, to: 2 } }] }));
  assert.equal(
    empty.map((i) => i.path),
    ["/quorums/0/phase2/to"],
  );
  const backwards = issuesOf(
    baseConfig({ quorums: [{ kind: "sweep", acceptors: { from: 5, to: 3 } }] }),
  );
  assert.equal(
    backwards.map((i) => i.path),
    ["/quorums/0/acceptors/to"],
  );
  const explicitNodes = issuesOf({
    ...baseConfig(),
    cluster: { nodes: [{ id: "x", roles: ["replica", "leader", "acceptor"] }] },
    quorums: [{ kind: "sweep", acceptors: 3 }],
  });
  assert.equal(
    explicitNodes.map((i) => i.path),
    ["/quorums/0/acceptors"],
  );
  const dup = issuesOf(baseConfig({ quorums: [{ kind: "sweep", label: "same" }] }));
  assert.ok(dup.some((i) => i.path === "/quorums/0/label" && /already used/.test(i.message)));
  const unknown = issuesOf(baseConfig({ quorums: [{ kind: "sweep", phase1: { from: 1 } }] }));
  assert.equal(
    unknown.map((i) => i.path),
    ["/quorums/0/phase1"],
  );
});

test.run();

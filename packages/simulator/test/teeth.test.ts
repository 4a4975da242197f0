import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatViolations } from "../src/checkers.js";
import { runChaosCase } from "../src/scenarios.js";

// The checkers must have teeth: with phase-1 and phase-2 quorums that do not intersect
// (flexible over 5 acceptors with phase1 = phase2 = 2, built with allowUnsafe), a partition
// {2 servers} | {3 servers} lets the side holding the old leader keep committing with its own
// two acceptors while the other side elects a leader whose phase 1 (two acceptors of its own)
// never sees those values, so both sides decide different batches for the same slots. The
// split-brain schedule makes that likely; the agreement checker must catch it.

const SEARCH = 200;

test(`unsafe flexible(5, phase1=2, phase2=2): an agreement violation within the first ${SEARCH} seeds`, () => {
  let found: ReturnType<typeof runChaosCase> | undefined;
  for (let seed = 0; seed < SEARCH && !found; seed++) {
    const r = runChaosCase("unsafe5", seed, { schedule: "split-brain" });
    if (r.safety.some((v) => v.kind === "agreement")) found = r;
  }
  assert.ok(
    found,
    `no agreement violation in ${SEARCH} seeds: the checkers (or the schedule) lost their teeth`,
  );
  const v = found.safety.find((x) => x.kind === "agreement")!;
  console.log(
    `  unsafe5: seed ${found.seed} violates agreement (replay: node packages/simulator/dist/src/replay.js ` +
      `unsafe5 ${found.seed} --schedule split-brain)\n${formatViolations([v])}`,
  );
  assert.type(v.slot, "number");
  assert.is(v.replicas!.length, 2);
  assert.is.not(v.replicas![0]!.split("#")[0], v.replicas![1]!.split("#")[0]);
  assert.is(v.batches!.length, 2);
  assert.not.equal(v.batches![0], v.batches![1]);
});

test("most split-brain seeds break the unsafe configuration", () => {
  let violated = 0;
  for (let seed = 0; seed < 40; seed++) {
    if (runChaosCase("unsafe5", seed, { schedule: "split-brain" }).safety.length > 0) violated++;
  }
  assert.ok(violated >= 20, `only ${violated}/40 split-brain seeds violated safety`);
});

test("the very same schedules are safe when the quorums intersect", () => {
  for (const preset of ["majority5", "flexible5"] as const) {
    for (let seed = 0; seed < 40; seed++) {
      const r = runChaosCase(preset, seed, { schedule: "split-brain" });
      assert.equal(r.safety, [], `${preset} seed ${seed}:\n${formatViolations(r.safety)}`);
    }
  }
});

test.run();

// The cross-process checks of local mode, on made-up node statuses.
import type { NodeStatus } from "@paxos/transport-ws";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveConfig } from "../src/config/resolve.js";
import { replicaChecks } from "../src/modes/process-checks.js";
import { baseConfig } from "./helpers.js";

const variant = resolveConfig(baseConfig({ cluster: { acceptors: 3 } })).variants[0]!;

function status(id: string, appliedBelow: number, digestFrom: number, digest: string): NodeStatus {
  return { id, replica: { appliedBelow, digestFrom, digest } } as unknown as NodeStatus;
}

const checks = async (...all: NodeStatus[]) => {
  const byName = Object.fromEntries(
    (await replicaChecks(variant, async () => new Map(all.map((s) => [s.id, s])))).map((c) => [
      c.name,
      c,
    ]),
  );
  return { agreement: byName.agreement!, converged: byName.converged! };
};

test("replicas that caught up by snapshot have converged when they applied the same slots", async () => {
  // Found by the local chaos test: after a restart a replica catches up by snapshot, so its
  // digest starts at the snapshot's slot; all three are at slot 17708 and must count as converged.
  const c = await checks(
    status("n1", 17708, 0, "aaaa"),
    status("n2", 17708, 12000, "bbbb"),
    status("n3", 17708, 15000, "cccc"),
  );
  assert.ok(c.converged.passed, c.converged.violations.join("; "));
  assert.ok(c.agreement.passed);
});

test("different digests over the same slots break agreement", async () => {
  const c = await checks(
    status("n1", 500, 0, "aaaa"),
    status("n2", 500, 0, "abab"),
    status("n3", 500, 100, "cccc"),
  );
  assert.not.ok(c.agreement.passed);
  assert.match(c.agreement.violations[0]!, /n1 and n2 applied different logs over slots 0\.\.500/);
  assert.ok(c.converged.passed);
});

test.run();

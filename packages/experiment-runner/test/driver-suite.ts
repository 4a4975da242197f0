// The driver tests every world passes (sim, local, netns): a cluster elects a leader and
// commits; a crashed leader is replaced and, restarted on its data, catches up; a node cut
// off from the others falls behind while the rest commits, and catches up after the heal.
// Each world's test file hands in a fixture; where a world cannot run (netns without root),
// its file skips the suite and says why. Waits are on progress, bounded only against a hang.

import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ClusterDriver } from "../src/driver/types.js";

export interface DriverFixture {
  driver: ClusterDriver;
  /** one put through a client of the cluster; true when it was answered */
  put(key: string, value: string): Promise<boolean>;
  /** lets time go by (sim: virtual time; else wall-clock) */
  pass(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** a bound on a hang, not an expectation (a busy machine is slow to start processes) */
const HANG_MS = 120_000;

async function until(
  f: DriverFixture,
  what: string,
  cond: () => Promise<boolean> | boolean,
): Promise<void> {
  const start = performance.now();
  const virtualStart = f.driver.now();
  for (;;) {
    if (await cond()) return;
    if (performance.now() - start > HANG_MS || f.driver.now() - virtualStart > HANG_MS) {
      throw new Error(`${f.driver.mode}: gave up waiting for ${what}`);
    }
    await f.pass(50);
  }
}

async function committed(f: DriverFixture, key: string): Promise<void> {
  let n = 0;
  await until(f, `the put of ${key} to be answered`, () => f.put(key, `v${n++}`));
}

/** Starts the cluster, commits "a", and returns the leader. */
async function startedWithLeader(f: DriverFixture): Promise<string> {
  await f.driver.start();
  await committed(f, "a");
  let leader: string | undefined;
  await until(f, "a leader", async () => {
    leader = await f.driver.leader();
    return leader !== undefined;
  });
  return leader!;
}

async function applied(f: DriverFixture, id: string): Promise<number> {
  return (await f.driver.status()).get(id)?.appliedBelow ?? -1;
}

export function driverSuite(name: string, make: () => Promise<DriverFixture>, skip?: string): void {
  if (skip !== undefined) {
    test(`${name}: skipped (${skip})`, () => undefined);
    test.run();
    return;
  }

  test(`${name}: elects a leader, commits, survives a killed leader, a restart catches up`, async () => {
    const f = await make();
    try {
      const d = f.driver;
      const leader = await startedWithLeader(f);
      assert.ok(d.nodeIds.includes(leader));
      await d.crash(leader);
      assert.not.ok(d.isUp(leader));
      await committed(f, "b");
      await until(f, "another leader", async () => {
        const now = await d.leader();
        return now !== undefined && now !== leader;
      });
      const r = d.restart(leader);
      await r.ready;
      assert.ok(d.isUp(leader));
      await committed(f, "c");
      const others = d.nodeIds.filter((id) => id !== leader);
      await until(f, `${leader} to catch up`, async () => {
        const mine = await applied(f, leader);
        const theirs = Math.max(...(await Promise.all(others.map((id) => applied(f, id)))));
        return mine > 0 && mine >= theirs;
      });
    } finally {
      await f.close();
    }
  });

  test(`${name}: a cut node falls behind while the rest commits; after the heal it catches up`, async () => {
    const f = await make();
    try {
      const d = f.driver;
      const leader = await startedWithLeader(f);
      // a replica that does not lead (every node is a replica here)
      const victim = d.nodeIds.find((id) => id !== leader)!;
      await d.cut(
        victim,
        d.nodeIds.filter((id) => id !== victim),
      );
      const before = await applied(f, victim);
      for (let i = 0; i < 5; i++) await committed(f, `k${i}`);
      const leaderApplied = await applied(f, leader);
      assert.ok(
        leaderApplied > before,
        `${leader} applied ${leaderApplied}, no more than ${before}`,
      );
      assert.is(await applied(f, victim), before, `${victim} applied while cut off`);
      await d.healAll();
      await until(f, `${victim} to catch up after the heal`, async () => {
        return (await applied(f, victim)) >= leaderApplied;
      });
    } finally {
      await f.close();
    }
  });

  test.run();
}

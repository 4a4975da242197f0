// The simulator and real processes measure the same engine: for one small workload, the
// commands per slot (how many requests a replica batches into one slot) of a sim run and of
// a local run agree. Before the simulator modelled host turns it drained a node after every
// single delivery, and every slot of a sim run held exactly one command.
//
// Tolerance: the local figure is within 25% of the sim's. The local part is one short run
// (1 client x 16 outstanding, 2 s); it needs only a few slots applied (at a load average of 30
// on 2 cores it applied 7), and asserts on what was applied, not on how fast.
import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cli, removeDir, tempDir, writeConfig } from "./helpers.js";

const TOLERANCE = 0.25;

interface Engine {
  slots: number;
  commands: number;
  commands_per_slot: number;
  messages_per_command: number;
}

async function engineOf(file: string, out: string, mode: "sim" | "local"): Promise<Engine> {
  const r = await cli(["run", file, "--mode", mode, "--out", out]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /cmd\/slot\s+msg\/cmd/);
  const run = join(realpathSync(join(out, "latest")), "01-majority", "rep-0");
  const summary = JSON.parse(readFileSync(join(run, "summary.json"), "utf8"));
  assert.ok(summary.engine, `${mode}: no engine figures in summary.json`);
  return summary.engine as Engine;
}

test("sim and local agree on commands per slot for the same workload", async () => {
  const dir = tempDir();
  try {
    const file = writeConfig(dir, {
      name: "batching",
      cluster: { acceptors: 3 },
      quorums: [{ kind: "majority", label: "majority" }],
      network: { default: { latency: { dist: "constant", ms: 0.5 } } },
      workload: {
        clients: { type: "closed", count: 1, outstanding: 16 },
        mix: { put: 1 },
        durationMs: 2000,
        warmupMs: 300,
        cooldownMs: 200,
      },
    });
    const sim = await engineOf(file, join(dir, "sim"), "sim");
    const local = await engineOf(file, join(dir, "local"), "local");
    const line = (e: Engine) =>
      `${e.commands_per_slot} commands/slot over ${e.slots} slots, ${e.messages_per_command} messages/command`;
    console.log(`  sim:   ${line(sim)}\n  local: ${line(local)}`);
    // The sim batches: a turn's requests share a slot (it used to be exactly 1).
    assert.ok(sim.commands_per_slot > 4, `sim: ${line(sim)}`);
    assert.ok(local.slots >= 3, `local run made too little progress to compare: ${line(local)}`);
    const ratio = local.commands_per_slot / sim.commands_per_slot;
    assert.ok(
      Math.abs(ratio - 1) <= TOLERANCE,
      `commands per slot differ by more than ${TOLERANCE * 100}%: sim ${line(sim)}; local ${line(local)}`,
    );
  } finally {
    removeDir(dir);
  }
});

test.run();

// The chaos has teeth: with phase-1 and phase-2 quorums that do not intersect (flexible over 5
// acceptors, phase1 = phase2 = 2, forced on with allowUnsafe), the random partitions and leader
// kills of a chaos schedule let two leaders commit different commands into the same slots. The
// runner must say so: agreement violated in the simulator, the client history not linearizable,
// exit code 1, the seed and the command that replays it, the failing run in results.csv and the
// report. The same chaos on a safe quorum system passes.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cli, removeDir, tempDir, writeConfig } from "./helpers.js";

const config = (quorum: Record<string, unknown>) => ({
  name: "chaos-teeth",
  seed: 1,
  repetitions: 8,
  cluster: { acceptors: 5, replicas: 3, leaders: 3 },
  quorums: [quorum],
  engine: {
    timing: {
      heartbeatIntervalMs: 20,
      leaderTimeoutMs: 100,
      electionBackoffMaxMs: 400,
      clientRetryMs: 100,
      clientRetryMaxMs: 400,
    },
  },
  network: { default: { latency: { dist: "uniform", minMs: 1, maxMs: 4 } } },
  workload: {
    clients: { type: "closed", count: 3, outstanding: 2 },
    mix: { get: 0.4, put: 0.4, cas: 0.2 },
    keys: { count: 5 },
    durationMs: 4000,
    warmupMs: 100,
    cooldownMs: 100,
  },
  chaos: {
    meanIntervalMs: 150,
    faultDurationMs: [100, 800],
    mix: { partitionHalves: 3, isolateLeader: 2, bridge: 1, killLeader: 1 },
    resumeWithinMs: 1000,
  },
});

test("an unsafe quorum system under chaos: not linearizable, exit 1, the seed and its replay", async () => {
  const dir = tempDir();
  try {
    const file = writeConfig(
      dir,
      config({ kind: "flexible", phase1: 2, phase2: 2, allowUnsafe: true, label: "unsafe 2/2" }),
    );
    const out = join(dir, "results");
    const r = await cli(["run", file, "--out", out]);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /unsafe 2\/2\s+8\s.*FAIL/);
    const failed = [
      ...r.stderr.matchAll(
        /FAILED: unsafe 2\/2 rep (\d+) \(seed (\d+)\): ([^;]+); replay with: (.+)/g,
      ),
    ];
    assert.ok(failed.length > 0, r.stderr);
    const lin = failed.find((m) => m[3]!.includes("linearizability"));
    assert.ok(lin, `no run was reported not linearizable:\n${r.stderr}`);
    const [, rep, seed, checks, replay] = lin;
    assert.match(checks!, /agreement/);
    assert.is(replay, `paxos-lab run ${file} --seed ${seed} --repetitions 1`);
    const latest = realpathSync(join(out, "latest"));
    const run = join(latest, "01-unsafe-2-2", `rep-${rep}`);
    const verdict = JSON.parse(readFileSync(join(run, "checks.json"), "utf8")).linearizability;
    assert.is(verdict.verdict, "not linearizable");
    assert.ok(existsSync(join(run, "linearizability-failure.svg")));
    const summary = JSON.parse(readFileSync(join(run, "summary.json"), "utf8"));
    assert.is(summary.checks.passed, false);
    assert.ok(summary.checks.failed.includes("linearizability"));
    const [header, ...rows] = readFileSync(join(latest, "results.csv"), "utf8")
      .trim()
      .split("\n")
      .map(cells);
    const row = rows.find((x) => x[header!.indexOf("seed")] === seed)!;
    assert.is(row[header!.indexOf("checks.passed")], "false");
    assert.match(readFileSync(join(latest, "report.html"), "utf8"), /FAILED/);
    // the printed command replays exactly that run, and it fails the same way
    const again = await cli([
      "run",
      file,
      "--out",
      join(dir, "replay"),
      "--seed",
      seed!,
      "--repetitions",
      "1",
      "--no-report",
    ]);
    assert.is(again.code, 1);
    assert.match(
      again.stderr,
      // the checks, then what they mean ("[SAFETY]"), taken literally
      new RegExp(
        `FAILED: unsafe 2/2 rep 0 \\(seed ${seed}\\): ${checks!.replace(/[[\]]/g, "\\$&")}`,
      ),
    );
    const replayed = JSON.parse(
      readFileSync(join(dir, "replay", "latest", "01-unsafe-2-2", "rep-0", "summary.json"), "utf8"),
    );
    assert.is(replayed.extra.trace_hash, summary.extra.trace_hash);
  } finally {
    removeDir(dir);
  }
});

test("the same chaos on intersecting quorums passes every check", async () => {
  const dir = tempDir();
  try {
    const file = writeConfig(
      dir,
      config({ kind: "flexible", phase1: 4, phase2: 2, label: "fp 4/2" }),
    );
    const r = await cli(["run", file, "--out", join(dir, "results"), "--no-report"]);
    assert.is(r.code, 0, r.stderr);
    // 8 runs x (five sim checks, commits-resume, linearizability, progress-during-faults)
    assert.match(r.stdout, /fp 4\/2\s+8\s.*64\/64 ok/);
  } finally {
    removeDir(dir);
  }
});

/** One CSV line's cells (quoted cells may hold commas). */
function cells(line: string): string[] {
  const out: string[] = [];
  const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
  for (const m of line.matchAll(re)) {
    out.push(m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replaceAll('""', '"') : m[1]!);
    if (m[2] === "") break;
  }
  return out;
}

test.run();

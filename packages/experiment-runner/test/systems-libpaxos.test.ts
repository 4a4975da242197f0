// LibPaxos3 and LibFPaxos for real: each is built from the unmodified snapshot in
// shared/third-party/ (CMake Release, into a fresh cache folder made for this test), then one
// short experiment runs it beside our engine on loopback. Its rows must show measured figures
// from the sample client's per-second output, say "not checked" (there is no history), and
// leave no process behind. Where the Debian packages or the snapshot are missing, the test is
// skipped and says why.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { liveChildren } from "../src/modes/processes.js";
import { defaultSnapshot, missingPackages } from "../src/systems/c-build.js";
import { LIBFPAXOS, libfpaxos } from "../src/systems/libfpaxos.js";
import { LIBPAXOS3, libpaxos3 } from "../src/systems/libpaxos3.js";
import { cli, removeDir, tempDir, writeConfig } from "./helpers.js";

const missing = missingPackages(false);
const snapshots = {
  libpaxos3: defaultSnapshot(LIBPAXOS3),
  libfpaxos: defaultSnapshot(LIBFPAXOS),
};

function skipReason(system: keyof typeof snapshots): string | null {
  if (missing.length > 0)
    return `missing Debian package(s) ${missing.join(", ")} (.ci/run installs them where it can)`;
  if (snapshots[system] === null)
    return `no shared/third-party/${system}-*.tar.gz above the project`;
  return null;
}

async function comparison(
  system: "libpaxos3" | "libfpaxos",
  quorum: Record<string, unknown>,
  rowLabel: RegExp,
): Promise<void> {
  const dir = tempDir();
  const cache = process.env.PAXOS_LAB_CACHE;
  process.env.PAXOS_LAB_CACHE = join(dir, "cache");
  try {
    const file = writeConfig(dir, {
      name: `vs-${system}-test`,
      mode: "local",
      cluster: { acceptors: quorum.kind === "majority" ? 3 : 5, replicas: 1, leaders: 1 },
      quorums: [quorum],
      systems: [
        { system: "paxos-lab", engine: { maxBatch: 1 }, fsync: false },
        { system, storage: "memory" },
      ],
      network: { default: { latency: { dist: "constant", ms: 0 } } },
      workload: {
        clients: { type: "closed", count: 1, outstanding: 4 },
        mix: { put: 1 },
        valueSizeBytes: 64,
        durationMs: 3000,
        warmupMs: 500,
        cooldownMs: 500,
      },
    });
    const out = join(dir, "results");
    const r = await cli(["run", file, "--out", out]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /built into/, "built from the snapshot into the fresh cache");
    assert.match(r.stdout, rowLabel);
    const results = realpathSync(join(out, "latest"));
    const theirs = join(results, `02-${system}`, "rep-0");
    const summary = JSON.parse(readFileSync(join(theirs, "summary.json"), "utf8"));
    assert.is(summary.system.kind, system);
    assert.is(summary.system.history, false);
    assert.ok(summary.throughput.ops_per_s > 0, `measured ${summary.throughput.ops_per_s} ops/s`);
    assert.ok(summary.latency.mean_ms > 0);
    assert.is(summary.latency.p50_ms, null, "no percentiles from per-second means");
    assert.is(summary.checks.total, 0);
    assert.ok(existsSync(join(theirs, "per-second.csv")));
    assert.ok(!existsSync(join(theirs, "history.ndjson")), "no history is claimed");
    const conf = readFileSync(join(theirs, "paxos.conf"), "utf8");
    assert.match(conf, /storage-backend memory/);
    const ours = JSON.parse(
      readFileSync(join(results, "01-paxos-lab", "rep-0", "summary.json"), "utf8"),
    );
    assert.ok(ours.checks.passed && ours.checks.linearizability.passed);
    const html = readFileSync(join(results, "report.html"), "utf8");
    assert.match(html, /not checked/);
    assert.match(html, /submit-to-learn/);
    assert.is(liveChildren(), 0, "every process of both systems is stopped");
  } finally {
    if (cache === undefined) delete process.env.PAXOS_LAB_CACHE;
    else process.env.PAXOS_LAB_CACHE = cache;
    removeDir(dir);
  }
}

const lp = skipReason("libpaxos3");
if (lp) {
  process.stdout.write(`LibPaxos3 test skipped: ${lp}\n`);
  test.skip("LibPaxos3 built from the snapshot, beside our engine", () => {});
} else {
  test("LibPaxos3 built from the snapshot, beside our engine", async () => {
    assert.is(libpaxos3.history, false);
    await comparison(
      "libpaxos3",
      { kind: "majority", label: "majority" },
      /LibPaxos3\s+\d+\s+[\d.]+\s+-\s+-\s+-\s+not checked/,
    );
  });
}

const lf = skipReason("libfpaxos");
if (lf) {
  process.stdout.write(`LibFPaxos test skipped: ${lf}\n`);
  test.skip("LibFPaxos built from the snapshot, flexible 4/2 thrifty, beside our engine", () => {});
} else {
  test("LibFPaxos built from the snapshot, flexible 4/2 thrifty, beside our engine", async () => {
    assert.is(libfpaxos.history, false);
    await comparison(
      "libfpaxos",
      { kind: "flexible", phase1: 4, phase2: 2, thrifty: true, label: "fp 4/2" },
      /LibFPaxos\s+\d+\s+[\d.]+\s+-\s+-\s+-\s+not checked/,
    );
  });
}

test.run();

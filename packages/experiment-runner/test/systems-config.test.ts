// The `systems` of a config: expansion into variants (system x quorum x outstanding), the
// settings each variant runs with, and every system a config asks for that cannot run a variant
// refused at the system's JSON path with a hint. Also the pieces of the LibPaxos adapters that
// need no process: paxos.conf, the sample client's line, per-second statistics.
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadConfigFile, resolveConfig } from "../src/config/resolve.js";
import type { ConfigIssue } from "../src/config/types.js";
import { findRoot } from "../src/results.js";
import { summarize } from "../src/stats.js";
import { ensureBuilt } from "../src/systems/c-build.js";
import { libfpaxos } from "../src/systems/libfpaxos.js";
import { paxosConf } from "../src/systems/libpaxos-family.js";
import { LIBPAXOS3 } from "../src/systems/libpaxos3.js";
import { perSecondStats } from "../src/systems/per-second.js";
import { configFor } from "../src/systems/resolve.js";
import { mergeSeconds, parseClientLine } from "../src/systems/sample-client.js";
import { baseConfig, issuesOf, removeDir, tempDir } from "./helpers.js";

const root = findRoot();
const local = {
  mode: "local",
  network: { default: { latency: { dist: "constant", ms: 0 } } },
};

function at(issues: ConfigIssue[], path: string): ConfigIssue {
  const hit = issues.find((i) => i.path === path);
  assert.ok(hit, `expected an issue at ${path}, got ${JSON.stringify(issues, null, 1)}`);
  assert.ok(hit.hint.length > 0);
  return hit;
}

test("no systems: our engine runs every variant under its own label", () => {
  const { variants, config } = resolveConfig(baseConfig());
  assert.is(config.systems, undefined);
  assert.equal(
    variants.map((v) => [v.label, v.system.system.system]),
    [["majority n=5", "paxos-lab"]],
  );
});

test("vs-libpaxos: three systems x three outstanding counts, and the peak of two, grouped by count", () => {
  const { config, variants } = loadConfigFile(join(root, "configs", "vs-libpaxos.json"));
  assert.equal(
    variants.map((v) => v.label),
    [
      ...[1, 10, 100].flatMap((n) => [
        `paxos-lab unbatched, ${n} outstanding`,
        `paxos-lab batched, ${n} outstanding`,
        `LibPaxos3, ${n} outstanding`,
      ]),
      "paxos-lab batched, 1000 outstanding",
      "LibPaxos3, 1000 outstanding",
    ],
  );
  assert.equal(
    variants.map((v) => v.index),
    variants.map((_, i) => i),
  );
  const unbatched10 = configFor(config, variants[3]!);
  assert.equal(unbatched10.workload.clients, { type: "closed", count: 1, outstanding: 10 });
  assert.is(unbatched10.engine.maxBatch, 1);
  const lib100 = configFor(config, variants[8]!);
  assert.is(lib100.workload.clients.type === "closed" && lib100.workload.clients.outstanding, 100);
  assert.is(lib100.engine.maxBatch, undefined);
});

test("vs-fpaxos: LibFPaxos runs the flexible and the majority variant, quorum lines set", () => {
  const { variants } = loadConfigFile(join(root, "configs", "vs-fpaxos.json"));
  assert.equal(
    variants.map((v) => [v.label, v.thrifty]),
    [
      ["paxos-lab, flexible 4/2 thrifty", true],
      ["LibFPaxos, flexible 4/2 thrifty", true],
      ["paxos-lab, majority", false],
      ["LibFPaxos, majority", false],
    ],
  );
});

test("a system that cannot run a variant is refused at its path, with the reason", () => {
  const flexible = issuesOf(
    baseConfig({
      ...local,
      quorums: [{ kind: "flexible", phase1: 4, phase2: 2, label: "fp" }],
      systems: [{ system: "paxos-lab" }, { system: "libpaxos3" }, { system: "etcd" }],
    }),
  );
  assert.match(
    at(flexible, "/systems/1").message,
    /LibPaxos3 cannot run quorum variant "fp": its quorums are majorities only/,
  );
  assert.match(
    at(flexible, "/systems/2").message,
    /etcd cannot run quorum variant "fp": it runs Raft/,
  );
  assert.match(at(flexible, "/systems/1").hint, /\/systems\/1\/quorums/);

  const sim = issuesOf(baseConfig({ systems: [{ system: "etcd" }] }));
  assert.match(
    at(sim, "/systems/0").message,
    /etcd cannot run this experiment: .*set "mode": "local"/,
  );

  const shaped = issuesOf(baseConfig({ mode: "local", systems: [{ system: "libfpaxos" }] }));
  assert.match(at(shaped, "/systems/0").message, /plain loopback/);

  const thrifty = issuesOf(
    baseConfig({
      ...local,
      quorums: [{ kind: "majority", thrifty: true }],
      systems: [{ system: "libpaxos3" }],
    }),
  );
  assert.match(at(thrifty, "/systems/0").message, /no thrifty mode/);

  const unsafe = issuesOf(
    baseConfig({
      ...local,
      quorums: [{ kind: "flexible", phase1: 2, phase2: 2, allowUnsafe: true }],
      systems: [{ system: "libfpaxos" }],
    }),
  );
  assert.match(at(unsafe, "/systems/0").message, /refuses quorum-1 \+ quorum-2 <= 5/);
});

test("a system entry's quorums pick the variants it runs; names that match none are errors", () => {
  const { variants } = resolveConfig(
    baseConfig({
      ...local,
      quorums: [
        { kind: "flexible", phase1: 4, phase2: 2, label: "fp" },
        { kind: "majority", label: "maj" },
      ],
      systems: [{ system: "paxos-lab" }, { system: "etcd", quorums: ["maj"] }],
    }),
  );
  assert.equal(
    variants.map((v) => v.label),
    ["paxos-lab, fp", "paxos-lab, maj", "etcd, maj"],
  );
  const bad = issuesOf(
    baseConfig({ ...local, systems: [{ system: "etcd", quorums: ["majority"] }] }),
  );
  assert.match(
    at(bad, "/systems/0/quorums/0").message,
    /"majority" is not the label of a quorum variant/,
  );
});

test("other config mistakes with systems: labels, open loop, faults, unknown systems", () => {
  const twice = issuesOf(
    baseConfig({ systems: [{ system: "paxos-lab" }, { system: "paxos-lab" }] }),
  );
  assert.match(at(twice, "/systems/1/label").message, /already used by \/systems\/0/);
  const open = issuesOf(
    baseConfig({
      workload: {
        clients: { type: "open", ratePerSec: 100 },
        durationMs: 600,
        warmupMs: 100,
        cooldownMs: 100,
      },
      systems: [{ system: "paxos-lab", outstanding: [1, 2] }],
    }),
  );
  assert.match(at(open, "/systems/0/outstanding").message, /closed-loop/);
  const faults = issuesOf(
    baseConfig({
      ...local,
      faults: [{ atMs: 300, action: "crash", node: "n1" }],
      systems: [{ system: "etcd" }],
    }),
  );
  assert.match(at(faults, "/systems/0").message, /cannot play faults/);
  const forgetful = issuesOf(
    baseConfig({
      ...local,
      faults: [{ atMs: 300, action: "crash", node: "n1" }],
      systems: [{ system: "paxos-lab", storage: "memory" }],
    }),
  );
  assert.match(at(forgetful, "/systems/0/storage").message, /keeps nothing across a restart/);
  assert.equal(
    issuesOf(baseConfig({ ...local, systems: [{ system: "paxos-lab", storage: "memory" }] })),
    [],
    "memory storage without faults is fine",
  );
  const unknown = issuesOf(baseConfig({ systems: [{ system: "zookeeper" }] }));
  assert.ok(
    unknown.some((i) => i.path.startsWith("/systems/0")),
    JSON.stringify(unknown),
  );
});

test("paxos.conf: acceptors, one proposer, storage, and LibFPaxos's four quorum settings", () => {
  const q = libfpaxos.refusesVariant({
    label: "fp",
    kind: "flexible",
    acceptors: 5,
    phase1: 4,
    phase2: 2,
    thrifty: true,
  });
  assert.is(q, null);
  assert.is(libfpaxos.refusesConfig(resolveConfig(baseConfig(local)).config), null);
  const conf = paxosConf({
    acceptorPorts: [9001, 9002, 9003, 9004, 9005],
    proposerPort: 9100,
    storage: "lmdb",
    lmdbSync: true,
    lmdbPath: "/tmp/x/acceptor",
    quorumLines: ["quorum-1 4", "quorum-2 2", "group-1 5", "group-2 2"],
  });
  const lines = conf.split("\n");
  for (const l of [
    "acceptor 0 127.0.0.1 9001",
    "acceptor 4 127.0.0.1 9005",
    "proposer 0 127.0.0.1 9100",
    "quorum-1 4",
    "group-2 2",
    "storage-backend lmdb",
    "lmdb-sync yes",
    "lmdb-env-path /tmp/x/acceptor",
  ]) {
    assert.ok(lines.includes(l), `${l} in\n${conf}`);
  }
});

test("the sample client's once-a-second line, merged over clients and seconds", () => {
  const a = parseClientLine(
    "31860 value/sec, 23.33 Mbps, latency min 110 us max 3980 us avg 378 us",
  );
  assert.equal(a, { ops: 31860, minUs: 110, maxUs: 3980, avgUs: 378 });
  assert.is(parseClientLine("Connected to proposer"), null);
  assert.is(parseClientLine("02 Dec 06:28:34. Connect to 127.0.0.1:18800"), null);
  const merged = mergeSeconds(
    [
      [
        { ops: 100, minUs: 200, maxUs: 900, avgUs: 400 },
        { ops: 0, minUs: 0, maxUs: 0, avgUs: 0 },
        { ops: 50, minUs: 100, maxUs: 100, avgUs: 100 },
      ],
      [{ ops: 300, minUs: 300, maxUs: 2000, avgUs: 800 }],
    ],
    2500,
  );
  // the third second ended after the run: left out
  assert.equal(merged, [
    { tMs: 0, ops: 400, meanLatencyMs: 0.7, minLatencyMs: 0.2, maxLatencyMs: 2 },
    { tMs: 1000, ops: 0, meanLatencyMs: null, minLatencyMs: null, maxLatencyMs: null },
  ]);
});

test("per-second figures: throughput and mean latency in the window, no percentiles made up", () => {
  const ps = [0, 1000, 2000, 3000].map((tMs, i) => ({
    tMs,
    ops: 1000 * (i + 1),
    meanLatencyMs: i + 1,
    minLatencyMs: 0.5,
    maxLatencyMs: 10 * (i + 1),
  }));
  // window [1000, 3500): seconds starting at 1000 and 2000 (their middles are inside)
  const s = perSecondStats(ps, 1000, 3500);
  assert.is(s.inWindow, 5000);
  assert.is(s.opsPerS, 2500);
  assert.is(s.latency.mean_ms, (2000 * 2 + 3000 * 3) / 5000);
  assert.is(s.latency.max_ms, 30);
  assert.is(s.latency.p50_ms, null);
  assert.is(s.latency.p99_ms, null);
  const summary = summarize("t", {
    mode: "local",
    time: "wall-clock",
    variant: "LibPaxos3",
    quorum: "majority",
    repetition: 0,
    seed: 1,
    startedAt: "",
    wallMs: 4000,
    durationMs: 4000,
    warmupMs: 1000,
    cooldownMs: 500,
    history: [],
    checks: [],
    faults: [],
    leadership: [],
    extra: {},
    perSecond: ps,
  });
  assert.is(summary.throughput.ops_per_s, 2500);
  assert.is(summary.ops.completed, 10000);
  assert.is(summary.checks.total, 0);
});

test("a source that is not there, or is not LibPaxos, is an environment error naming it", async () => {
  const dir = tempDir();
  try {
    const quiet = () => undefined;
    await ensureBuilt(LIBPAXOS3, join(dir, "nowhere"), false, quiet).then(
      () => assert.unreachable("a missing source builds nothing"),
      (e: Error) => {
        assert.is(e.name, "EnvironmentError");
        assert.match(e.message, /LibPaxos3 source .*nowhere does not exist/);
      },
    );
    await ensureBuilt(LIBPAXOS3, dir, false, quiet).then(
      () => assert.unreachable("an empty folder builds nothing"),
      (e: Error) =>
        assert.match(e.message, /neither a LibPaxos3 source folder .* nor a build folder/),
    );
  } finally {
    removeDir(dir);
  }
});

test.run();

// Config validation: every kind of bad input is reported at its JSON path with a hint, and
// nothing runs; defaults are filled in; the shipped configs and schema file are valid.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadConfigFile, resolveConfig } from "../src/config/resolve.js";
import { CONFIG_SCHEMA } from "../src/config/schema.js";
import { ConfigError, type ConfigIssue } from "../src/config/types.js";
import { findRoot } from "../src/results.js";
import { baseConfig, cli, issuesOf, removeDir, tempDir, writeConfig } from "./helpers.js";

const root = findRoot();

function only(issues: ConfigIssue[], path: string): ConfigIssue {
  const hit = issues.find((i) => i.path === path);
  assert.ok(hit, `expected an issue at ${path}, got ${JSON.stringify(issues, null, 1)}`);
  assert.ok(hit.hint.length > 0, "every issue has a hint");
  return hit;
}

test("the shipped configs are valid and configs/schema.json is the schema the runner uses", () => {
  const dir = join(root, "configs");
  const committed = readFileSync(join(dir, "schema.json"), "utf8");
  if (!isDeepStrictEqual(JSON.parse(committed), JSON.parse(JSON.stringify(CONFIG_SCHEMA)))) {
    assert.unreachable(
      "configs/schema.json differs from src/config/schema.ts: run `npx pnpm@12.4.2 schema:write` and commit the file",
    );
  }
  const files = readdirSync(dir).filter(
    (f) => f.endsWith(".json") && f !== "schema.json" && !f.startsWith("cluster-"),
  );
  assert.ok(files.includes("quickstart.json"));
  for (const f of files) {
    try {
      loadConfigFile(join(dir, f));
    } catch (e) {
      assert.unreachable(`${f}: ${(e as Error).message}`);
    }
  }
});

test("unknown keys: at the root and nested, with the allowed keys and a guess", () => {
  const issues = issuesOf(baseConfig({ sede: 3, cluster: { acceptors: 5, replica: 3 } }));
  assert.match(only(issues, "/sede").hint, /did you mean "seed"/);
  const nested = only(issues, "/cluster/replica");
  assert.match(nested.message, /unknown key "replica"/);
  assert.match(nested.hint, /did you mean "replicas"\?.*allowed here: acceptors, replicas/);
  const deep = issuesOf(
    baseConfig({ network: { default: { latency: { dist: "constant", ms: 1, mean: 2 } } } }),
  );
  only(deep, "/network/default/latency/mean");
});

test("wrong types and out-of-range values", () => {
  const issues = issuesOf(
    baseConfig({
      seed: "7",
      repetitions: 0,
      workload: { durationMs: "long", clients: { type: "closed", count: 2.5 } },
      network: { default: { loss: 1.5 } },
    }),
  );
  assert.match(only(issues, "/seed").message, /must be integer, got "7"/);
  assert.match(only(issues, "/repetitions").message, />= 1/);
  assert.match(only(issues, "/workload/durationMs").message, /must be number/);
  only(issues, "/workload/clients/count");
  assert.match(only(issues, "/network/default/loss").hint, /probability/);
});

test("unknown tags of tagged unions: quorum kind, latency dist, fault action", () => {
  const issues = issuesOf(
    baseConfig({
      quorums: [{ kind: "majorty" }],
      network: { default: { latency: { dist: "gauss", ms: 1 } } },
      faults: [{ atMs: 1, action: "explode" }],
    }),
  );
  assert.match(only(issues, "/quorums/0/kind").hint, /did you mean "majority"/);
  assert.match(only(issues, "/network/default/latency/dist").message, /"constant", "uniform"/);
  assert.match(only(issues, "/faults/0/action").message, /"crash", "restart"/);
});

test("missing required keys", () => {
  const issues = issuesOf({
    name: "x",
    cluster: { acceptors: 3 },
    quorums: [{ kind: "flexible", phase1: 2 }],
  });
  assert.match(only(issues, "/quorums/0/phase2").message, /missing required key "phase2"/);
  only(issuesOf({ cluster: { acceptors: 3 }, quorums: [{ kind: "majority" }] }), "/name");
  only(issuesOf({ name: "x", cluster: {}, quorums: [{ kind: "majority" }] }), "/cluster/acceptors");
});

test("ids that name no node: faults, links, partitions, placement, explicit quorums", () => {
  const issues = issuesOf(
    baseConfig({
      network: {
        links: [{ from: "n1", to: "n9", latency: { dist: "constant", ms: 5 } }],
        sites: {
          names: ["east", "west"],
          latencyMs: [
            [0, 30],
            [30, 0],
          ],
          placement: { x7: "east" },
        },
      },
      faults: [
        { atMs: 200, action: "crash", node: "n6" },
        { atMs: 250, action: "partition", groups: [["n1"], ["n2", "m3"]] },
      ],
    }),
  );
  assert.match(only(issues, "/network/links/0/to").message, /"n9" names no node/);
  only(issues, "/network/sites/placement/x7");
  assert.match(only(issues, "/faults/0/node").hint, /nodes: n1, n2, n3, n4, n5, or "@leader"/);
  assert.match(only(issues, "/faults/1/groups/1/1").hint, /did you mean "n3"/);
  const explicit = issuesOf(
    baseConfig({
      quorums: [{ kind: "explicit", phase1: [["n1", "n2", "n3"]], phase2: [["n1", "a4"]] }],
    }),
  );
  assert.match(only(explicit, "/quorums/0/phase2/0/1").message, /"a4" names no acceptor/);
  // a static link cannot name the leader: it is only known at run time
  only(
    issuesOf(baseConfig({ network: { links: [{ from: "@leader", to: "n2" }] } })),
    "/network/links/0/from",
  );
});

test("unsafe quorums are refused with the disjoint witness unless allowUnsafe", () => {
  const unsafe = { kind: "flexible", phase1: 2, phase2: 2 };
  const issue = only(
    issuesOf(baseConfig({ quorums: [{ kind: "majority" }, unsafe] })),
    "/quorums/1",
  );
  assert.match(
    issue.message,
    /unsafe: phase-1 quorum \{n\d, n\d\} and phase-2 quorum \{n\d, n\d\} do not intersect/,
  );
  assert.match(issue.hint, /allowUnsafe/);
  const grid = only(
    issuesOf(
      baseConfig({
        quorums: [{ kind: "explicit", phase1: [["n1", "n2"]], phase2: [["n3", "n4"]] }],
      }),
    ),
    "/quorums/0",
  );
  assert.match(grid.message, /\{n1, n2\}.*\{n3, n4\}/);
  const ok = resolveConfig(baseConfig({ quorums: [{ ...unsafe, allowUnsafe: true }] }));
  assert.match(ok.variants[0]!.describe, /UNSAFE/);
});

test("quorum specs that do not fit the acceptors", () => {
  const issue = only(
    issuesOf(baseConfig({ quorums: [{ kind: "grid", rows: 2, columns: 2 }] })),
    "/quorums/0",
  );
  assert.match(issue.message, /rows \* columns = 2 \* 2 = 4, but 5 acceptors/);
  only(
    issuesOf(baseConfig({ quorums: [{ kind: "flexible", phase1: 6, phase2: 2 }] })),
    "/quorums/0",
  );
  only(
    issuesOf({
      ...baseConfig(),
      cluster: { nodes: [{ id: "n1", roles: ["replica", "leader", "acceptor"] }] },
      quorums: [{ kind: "majority", acceptors: 3 }],
    }),
    "/quorums/0/acceptors",
  );
});

test("cluster, schedule, workload and network consistency", () => {
  const nodes = [
    { id: "n1", roles: ["replica", "leader", "acceptor"] },
    { id: "n1", roles: ["acceptor"] },
    { id: "c1", roles: ["acceptor"] },
  ];
  const c = issuesOf({ ...baseConfig(), cluster: { nodes } });
  assert.match(only(c, "/cluster/nodes/1/id").message, /already used/);
  assert.match(only(c, "/cluster/nodes/2/id").hint, /ids of the workload's clients/);
  only(issuesOf({ ...baseConfig(), cluster: { nodes, acceptors: 3 } }), "/cluster/acceptors");
  const noLeader = issuesOf({
    ...baseConfig(),
    cluster: { nodes: [{ id: "x", roles: ["acceptor", "replica"] }] },
  });
  assert.match(only(noLeader, "/cluster/nodes").message, /no node has the leader role/);
  const s = issuesOf(
    baseConfig({
      faults: [
        { atMs: 300, action: "restart", node: "n2" },
        { atMs: 5000, action: "heal" },
      ],
    }),
  );
  assert.match(only(s, "/faults/0/node").message, /not down/);
  assert.match(only(s, "/faults/1/atMs").message, /after the run ends/);
  only(
    issuesOf(baseConfig({ faults: [{ atMs: 300, action: "restart", node: "@leader" }] })),
    "/faults/0/node",
  );
  const w = issuesOf(
    baseConfig({
      workload: {
        durationMs: 1000,
        warmupMs: 800,
        cooldownMs: 300,
        mix: { get: 0, put: 0 },
        keys: { count: 3, distribution: { type: "hotKey", hotKeys: 5 } },
      },
    }),
  );
  only(w, "/workload/warmupMs");
  only(w, "/workload/mix");
  only(w, "/workload/keys/distribution/hotKeys");
  const n = issuesOf(
    baseConfig({
      network: {
        default: { latency: { dist: "uniform", minMs: 5, maxMs: 1 } },
        sites: { names: ["a", "b"], latencyMs: [[0, 1], [1]] },
      },
    }),
  );
  only(n, "/network/default/latency/maxMs");
  only(n, "/network/sites/latencyMs/1");
});

test("a node uplink is simulated only: refused in local mode, at its path", () => {
  const local = issuesOf(baseConfig({ mode: "local", network: { uplinkMbps: 10 } }));
  assert.match(only(local, "/network/uplinkMbps").message, /simulated only/);
  assert.equal(issuesOf(baseConfig({ mode: "sim", network: { uplinkMbps: 10 } })), []);
  only(issuesOf(baseConfig({ network: { uplinkMbps: 0 } })), "/network/uplinkMbps");
});

test("defaults are filled in, and resolving a resolved config changes nothing", () => {
  const { config, variants } = resolveConfig({
    name: "d",
    cluster: { acceptors: 5 },
    quorums: [{ kind: "majority" }],
  });
  assert.is(config.mode, "sim");
  assert.is(config.seed, 1);
  assert.is(config.repetitions, 1);
  assert.equal(config.cluster, { acceptors: 5, replicas: 3, leaders: 2, colocated: true });
  assert.equal(config.workload.clients, { type: "closed", count: 4, outstanding: 1 });
  assert.equal(config.network.default, {
    latency: { dist: "constant", ms: 1 },
    jitterMs: 0,
    loss: 0,
  });
  assert.is(config.quorums[0]!.label, "majority n=5");
  assert.equal(variants[0]!.replicas, ["n1", "n2", "n3"]);
  assert.equal(variants[0]!.leaders, ["n1", "n2"]);
  assert.equal(variants[0]!.clients, ["c1", "c2", "c3", "c4"]);
  const again = resolveConfig(JSON.parse(JSON.stringify(config)));
  assert.equal(again.config, config);
  const separate = resolveConfig({
    name: "s",
    cluster: { acceptors: 3, replicas: 2, leaders: 1, colocated: false },
    quorums: [{ kind: "majority" }],
  });
  assert.equal(
    separate.variants[0]!.nodes.map((x) => x.id),
    ["r1", "r2", "l1", "a1", "a2", "a3"],
  );
});

test("bad JSON and a missing file are config errors at the root path", () => {
  const dir = tempDir();
  try {
    const file = writeConfig(dir, '{ "name": "x", }');
    try {
      loadConfigFile(file);
      assert.unreachable("should throw");
    } catch (e) {
      assert.instance(e, ConfigError);
      assert.is((e as ConfigError).issues[0]!.path, "");
      assert.match((e as ConfigError).message, /not valid JSON/);
    }
    assert.throws(() => loadConfigFile(join(dir, "nope.json")), /cannot read the file/);
  } finally {
    removeDir(dir);
  }
});

test("the CLI prints every error with its path and hint, exits 65 and runs nothing", async () => {
  const dir = tempDir();
  try {
    const file = writeConfig(
      dir,
      baseConfig({ quorums: [{ kind: "flexible", phase1: 2, phase2: 2 }], sede: 1 }),
    );
    const out = join(dir, "results");
    const r = await cli(["run", file, "--out", out]);
    assert.is(r.code, 65);
    assert.match(r.stderr, /\/sede: unknown key "sede"\n\s+hint: did you mean "seed"/);
    assert.match(r.stderr, /nothing was run/);
    assert.not.ok(existsSync(out), "no results folder for a bad config");
    const v = await cli(["validate", file]);
    assert.is(v.code, 65);
    const fixed = writeConfig(dir, baseConfig(), "ok.json");
    const ok = await cli(["validate", fixed]);
    assert.is(ok.code, 0);
    assert.match(ok.stdout, /ok \(sim mode, seed 1/);
    // as `pnpm lab -- validate ...` passes it: the separator is pnpm's, the command still runs
    const separated = await cli(["--", "validate", fixed]);
    assert.is(separated.code, 0);
    assert.match(separated.stdout, /ok \(sim mode, seed 1/);
  } finally {
    removeDir(dir);
  }
});

test("the CLI is strict: an unknown flag is an error with a hint", async () => {
  const r = await cli(["run", "configs/quickstart.json", "--sed", "3"]);
  assert.is(r.code, 64);
  assert.match(r.stderr, /Unknown argument/);
  assert.match(r.stderr, /hint: did you mean --seed\?/);
  const m = await cli(["run", "configs/quickstart.json", "--mode", "cloud"]);
  assert.is(m.code, 64);
  assert.match(m.stderr, /hint: --mode is sim or local/);
  const none = await cli([]);
  assert.is(none.code, 64);
  const seed = await cli(["run", "configs/quickstart.json", "--seed", "abc"]);
  assert.is(seed.code, 64);
  assert.match(seed.stderr, /--seed must be a non-negative integer, got "abc"/);
  const budget = await cli(["check", "x.ndjson", "--budget-ms", "-1"]);
  assert.is(budget.code, 64);
  assert.match(budget.stderr, /--budget-ms must be a positive number, got "-1"/);
  const s = await cli(["schema"]);
  assert.is(s.code, 0);
  assert.equal(JSON.parse(s.stdout), JSON.parse(JSON.stringify(CONFIG_SCHEMA)));
});

test("--help wraps at word boundaries, never inside a word", async () => {
  const r = await cli(["--help"]);
  assert.is(r.code, 0);
  const words = r.stdout.split(/\s+/);
  // the descriptions of validate and check: once broken into "witho ut" and "linea rizability"
  for (const w of ["without", "linearizability", "folders,"]) assert.ok(words.includes(w), w);
});

test.run();

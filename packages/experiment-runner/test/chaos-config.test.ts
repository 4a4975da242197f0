// The `chaos` section: validation (with JSON paths), resolution into one concrete schedule per
// variant and seed saved in the resolved config, the limits a schedule keeps (crashes the
// cluster tolerates, one partition at a time, quiet after every heal), the crash tolerance of
// each quorum system, and replaying a run from a saved (or hand-edited) schedule.
import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { healWindows } from "../src/chaos/schedule.js";
import { crashTolerance } from "../src/chaos/tolerance.js";
import { resolveConfig } from "../src/config/resolve.js";
import { type ChaosSchedule, type Fault, NEMESES, SIM_ONLY_NEMESES } from "../src/config/types.js";
import { baseConfig, cli, issuesOf, removeDir, tempDir, writeConfig } from "./helpers.js";

const timing = {
  heartbeatIntervalMs: 20,
  leaderTimeoutMs: 100,
  electionBackoffMaxMs: 400,
  clientRetryMs: 100,
  clientRetryMaxMs: 400,
};

function chaosConfig(patch: Record<string, unknown> = {}, chaos: Record<string, unknown> = {}) {
  return baseConfig({
    seed: 5,
    repetitions: 3,
    cluster: { acceptors: 5, replicas: 3, leaders: 3 },
    quorums: [
      { kind: "majority", label: "maj" },
      { kind: "flexible", phase1: 4, phase2: 2, label: "fp" },
    ],
    engine: { timing },
    workload: {
      clients: { type: "closed", count: 2, outstanding: 2 },
      keys: { count: 5 },
      durationMs: 3000,
      warmupMs: 100,
      cooldownMs: 100,
    },
    chaos: { meanIntervalMs: 100, faultDurationMs: [50, 500], resumeWithinMs: 800, ...chaos },
    ...patch,
  });
}

const paths = (config: unknown) => issuesOf(config).map((i) => i.path);

test("a chaos section resolves into one saved schedule per variant and seed, from the seed alone", () => {
  const a = resolveConfig(chaosConfig()).config;
  const b = resolveConfig(chaosConfig()).config;
  const chaos = a.chaos!;
  assert.is(chaos.schedules.length, 2 * 3);
  assert.equal(
    chaos.schedules.map((s) => `${s.variant}/${s.seed}`),
    ["maj/5", "maj/6", "maj/7", "fp/5", "fp/6", "fp/7"],
  );
  assert.equal(a.chaos, b.chaos, "the same config and seed give the same schedules");
  const [s5, s6] = chaos.schedules;
  assert.not.equal(s5!.faults, s6!.faults, "another seed, another schedule");
  // same cluster, same seed, same crash limit: the variants play the same faults, so they
  // compare side by side
  const pair = resolveConfig(
    chaosConfig({
      quorums: [
        { kind: "majority", label: "maj" },
        { kind: "flexible", phase1: 3, phase2: 3, label: "f33" },
      ],
    }),
  ).config.chaos!;
  assert.equal(pair.schedules[0]!.faults, pair.schedules[3]!.faults);
  // defaults filled in
  assert.is(chaos.startMs, 100, "warmupMs");
  assert.is(chaos.healByMs, 3000 - 800, "durationMs - resumeWithinMs");
  assert.is(chaos.quietMs, 800);
  assert.is(chaos.finalReads, true);
  for (const s of chaos.schedules) {
    assert.equal(s.faults.at(-1), { atMs: chaos.healByMs, action: "recover" });
    for (const f of s.faults) assert.ok(f.atMs >= chaos.startMs && f.atMs <= chaos.healByMs);
  }
  // the resolved config is a valid config, and resolving it again keeps its schedules
  const again = resolveConfig(structuredClone(a)).config;
  assert.equal(again.chaos, a.chaos);
  // a new seed keeps only the schedules that still match a run, and makes the others
  const shifted = resolveConfig({ ...structuredClone(a), seed: 6 }).config.chaos!;
  assert.equal(shifted.schedules.map((s) => s.seed).slice(0, 3), [6, 7, 8]);
  assert.equal(shifted.schedules[0]!.faults, s6!.faults);
});

test("rate and mix: the schedule follows them; local mode leaves out the sim-only nemeses", () => {
  const only = resolveConfig(chaosConfig({}, { mix: { isolateLeader: 1 } })).config.chaos!;
  for (const s of only.schedules) {
    for (const f of s.faults)
      assert.ok(["heal", "isolate", "recover"].includes(f.action), f.action);
  }
  const withRate = (rate: number) => {
    const c = chaosConfig({ repetitions: 20 }, { rate }) as { chaos: Record<string, unknown> };
    delete c.chaos.meanIntervalMs;
    return resolveConfig(c).config.chaos!;
  };
  const busy = withRate(50);
  const calm = withRate(1);
  const count = (c: typeof busy) => c.schedules.reduce((n, s) => n + s.faults.length, 0);
  assert.ok(count(busy) > 2 * count(calm), `${count(busy)} vs ${count(calm)} faults`);
  const local = resolveConfig(chaosConfig({ mode: "local", repetitions: 30 })).config.chaos!;
  const sets = local.schedules.flatMap((s) =>
    s.faults.flatMap((f) => (f.action === "link" && f.set ? Object.keys(f.set) : [])),
  );
  assert.ok(sets.length > 0);
  assert.not.ok(sets.includes("duplicate") || sets.includes("reorder"));
  const sim = resolveConfig(chaosConfig({ repetitions: 30 })).config.chaos!;
  const simSets = sim.schedules.flatMap((s) =>
    s.faults.flatMap((f) => (f.action === "link" && f.set ? Object.keys(f.set) : [])),
  );
  assert.ok(simSets.includes("duplicate") && simSets.includes("reorder"));
  // the weather nemesis: loss, duplication and reordering on every link at once
  assert.ok(
    sim.schedules.some((s) =>
      s.faults.some(
        (f) =>
          f.action === "link" &&
          f.from === "*" &&
          f.set?.loss !== undefined &&
          f.set.duplicate !== undefined,
      ),
    ),
  );
});

/** Plays a flat schedule symbolically: most nodes down at once, most partitions at once. */
function peaks(faults: readonly Fault[]): { down: number; cuts: number } {
  let down = 0;
  let cuts = 0;
  let maxDown = 0;
  let maxCuts = 0;
  for (const f of faults) {
    if (f.action === "crash") down++;
    if (f.action === "restart") down--;
    if (f.action === "partition" || f.action === "isolate") cuts++;
    if (f.action === "heal") cuts = 0;
    if (f.action === "recover") {
      down = 0;
      cuts = 0;
    }
    maxDown = Math.max(maxDown, down);
    maxCuts = Math.max(maxCuts, cuts);
  }
  return { down: maxDown, cuts: maxCuts };
}

test("schedules never crash more nodes than the cluster tolerates, and keep quiet after heals", () => {
  const c = resolveConfig(
    chaosConfig(
      {
        repetitions: 100,
        quorums: [
          { kind: "majority", label: "maj" },
          { kind: "flexible", phase1: 4, phase2: 2, label: "fp" },
          { kind: "grid", rows: 3, columns: 3, acceptors: 9, label: "grid" },
        ],
      },
      { mix: { crash: 3, killLeader: 3, partitionHalves: 1, bridge: 1 }, meanIntervalMs: 40 },
    ),
  ).config.chaos!;
  const expected: Record<string, number> = { maj: 2, fp: 1, grid: 2 };
  const seen: Record<string, number> = {};
  for (const s of c.schedules) {
    assert.is(s.maxConcurrentCrashes, expected[s.variant]);
    const p = peaks(s.faults);
    assert.ok(p.down <= s.maxConcurrentCrashes, `${s.variant} seed ${s.seed}: ${p.down} down`);
    assert.ok(p.cuts <= 1, `${s.variant} seed ${s.seed}: overlapping partitions`);
    seen[s.variant] = Math.max(seen[s.variant] ?? 0, p.down);
    for (const w of healWindows(s.faults)) {
      if (w.next === undefined) continue;
      const gap = s.faults[w.next]!.atMs - s.faults[w.heal]!.atMs;
      assert.ok(gap >= c.quietMs, `${s.variant} seed ${s.seed}: only ${gap} ms of quiet`);
    }
  }
  assert.equal(seen, expected, "the limit is reached");
});

test("crash tolerance: the smallest set of nodes whose crash stops the cluster, minus one", () => {
  const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i + 1}`);
  const five = ids("n", 5);
  const shape = (spec: Parameters<typeof crashTolerance>[0]["spec"], acceptors = five) => ({
    spec,
    acceptors,
    leaders: five,
    replicas: five,
  });
  assert.is(crashTolerance(shape({ kind: "majority" })).crashes, 2);
  assert.is(crashTolerance(shape({ kind: "majority" }, ids("n", 4))).crashes, 1);
  assert.is(crashTolerance(shape({ kind: "flexible", phase1: 4, phase2: 2 })).crashes, 1);
  assert.is(crashTolerance(shape({ kind: "flexible", phase1: 2, phase2: 4 })).crashes, 1);
  assert.is(crashTolerance(shape({ kind: "flexible", phase1: 5, phase2: 1 })).crashes, 0);
  const nine = ids("n", 9);
  const grid = {
    ...shape({ kind: "grid", rows: 3, columns: 3 }, nine),
    leaders: nine,
    replicas: nine,
  };
  assert.is(crashTolerance(grid).crashes, 2);
  const wide = {
    ...shape({ kind: "grid", rows: 2, columns: 4 }, ids("n", 8)),
    leaders: nine,
    replicas: nine,
  };
  assert.is(crashTolerance(wide).crashes, 1, "one per row blocked by a whole row of 2");
  const explicit = crashTolerance(
    shape({
      kind: "explicit",
      phase1: [
        ["n1", "n2", "n3"],
        ["n3", "n4", "n5"],
      ],
      phase2: [
        ["n1", "n3"],
        ["n3", "n4"],
      ],
    }),
  );
  assert.is(explicit.crashes, 0);
  assert.equal(explicit.blocking, ["n3"]);
  const leaders = crashTolerance({ ...shape({ kind: "majority" }), leaders: ["n1", "n2"] });
  assert.is(leaders.crashes, 1);
  assert.equal(leaders.blocking, ["n1", "n2"]);
  assert.match(leaders.why, /no leader/);
});

test("chaos validation: every problem with its JSON path and a hint", () => {
  assert.ok(paths(chaosConfig({}, { rate: 2, meanIntervalMs: 500 })).includes("/chaos/rate"));
  assert.ok(paths(chaosConfig({}, { healByMs: 2500 })).includes("/chaos/healByMs"));
  assert.ok(paths(chaosConfig({}, { startMs: 5000 })).includes("/chaos/startMs"));
  assert.ok(
    paths(chaosConfig({}, { faultDurationMs: [900, 100] })).includes("/chaos/faultDurationMs"),
  );
  assert.ok(
    paths(chaosConfig({}, { intensity: { loss: [0.5, 0.1] } })).includes("/chaos/intensity/loss"),
  );
  assert.ok(
    paths(chaosConfig({}, { mix: { crash: 0 }, resumeWithinMs: 800, bogus: 1 })).includes(
      "/chaos/bogus",
    ),
  );
  const zero = issuesOf(
    chaosConfig(
      { mode: "local" },
      {
        // every nemesis local mode can play, each at weight 0
        mix: Object.fromEntries(
          NEMESES.filter((k) => !SIM_ONLY_NEMESES.includes(k)).map((k) => [k, 0]),
        ),
      },
    ),
  );
  assert.equal(
    zero.map((i) => i.path),
    ["/chaos/mix"],
  );
  assert.match(zero[0]!.message, /every nemesis weighs 0 in local mode/);
  // more crashes than a variant tolerates: refused with the blocking set, unless asked for
  const many = issuesOf(chaosConfig({}, { maxConcurrentCrashes: 2 }));
  assert.equal(
    many.map((i) => i.path),
    ["/chaos/maxConcurrentCrashes"],
  );
  assert.match(
    many[0]!.message,
    /variant "fp" tolerates \(1\): with \{n1, n2\} down there is no phase-1 quorum left/,
  );
  assert.match(many[0]!.hint, /allowUnavailable/);
  assert.equal(issuesOf(chaosConfig({}, { maxConcurrentCrashes: 2, allowUnavailable: true })), []);
  // a schedule saved for a variant that does not exist
  const stray = chaosConfig(
    {},
    {
      schedules: [{ variant: "nope", seed: 5, mode: "sim", maxConcurrentCrashes: 0, faults: [] }],
    },
  );
  assert.ok(paths(stray).includes("/chaos/schedules/0/variant"));
});

test("duplicated and reordered messages are sim only: local mode says so, at the path", () => {
  const local = issuesOf(
    chaosConfig({ mode: "local" }, { mix: { duplicate: 1, reorder: 2, weather: 1, crash: 1 } }),
  );
  assert.equal(
    local.map((i) => i.path),
    ["/chaos/mix/duplicate", "/chaos/mix/reorder", "/chaos/mix/weather"],
  );
  assert.match(local[0]!.message, /"duplicate" nemesis is simulated only \(mode is "local"\)/);
  assert.match(local[0]!.hint, /TCP, which never duplicates or reorders/);
  const net = issuesOf(
    chaosConfig({
      mode: "local",
      network: { default: { duplicate: 0.1 }, links: [{ from: "n1", to: "n2", reorder: 0.2 }] },
      faults: [{ atMs: 500, action: "link", from: "n1", to: "*", set: { reorder: 0.3 } }],
    }),
  ).map((i) => i.path);
  assert.equal(net, [
    "/network/default/duplicate",
    "/network/links/0/reorder",
    "/faults/0/set/reorder",
  ]);
  // the same in sim mode is fine
  assert.equal(
    issuesOf(
      chaosConfig({
        network: { default: { duplicate: 0.1 } },
        faults: [{ atMs: 500, action: "link", from: "n1", to: "*", set: { reorder: 0.3 } }],
      }),
    ),
    [],
  );
});

test("new fault actions: isolate, link set/reset with *, recover", () => {
  const ok = chaosConfig({
    faults: [
      { atMs: 300, action: "isolate", node: "@leader" },
      { atMs: 400, action: "heal" },
      { atMs: 500, action: "link", from: "*", to: "*", set: { loss: 0.1 } },
      { atMs: 600, action: "link", from: "*", to: "*", reset: true },
      { atMs: 700, action: "crash", node: "n2" },
      { atMs: 800, action: "recover" },
      { atMs: 900, action: "crash", node: "n2" },
      { atMs: 1000, action: "restart", node: "n2" },
    ],
  });
  assert.equal(issuesOf(ok), []);
  const bad = issuesOf(
    chaosConfig({
      faults: [
        { atMs: 300, action: "isolate", node: "n9" },
        { atMs: 500, action: "link", from: "n1", to: "n2" },
        { atMs: 600, action: "link", from: "n1", to: "n2", reset: true, set: { loss: 0.1 } },
      ],
    }),
  );
  assert.equal(
    bad.map((i) => i.path),
    ["/faults/0/node", "/faults/1", "/faults/2/reset"],
  );
});

test("heal windows: after every moment nothing is broken, until the next fault", () => {
  const faults: Fault[] = [
    { atMs: 100, action: "crash", node: "@leader" },
    { atMs: 150, action: "isolate", node: "n2" },
    { atMs: 200, action: "restart", node: "@leader" },
    { atMs: 300, action: "heal" },
    { atMs: 900, action: "link", from: "n1", to: "*", set: { loss: 0.2 } },
    { atMs: 950, action: "link", from: "n1", to: "*", reset: true },
    { atMs: 2000, action: "crash", node: "n3" },
    { atMs: 2500, action: "recover" },
  ];
  assert.equal(healWindows(faults), [
    { heal: 3, next: 4 },
    { heal: 5, next: 6 },
    { heal: 7, next: undefined },
  ]);
});

test("a run replays from its saved schedule, and a hand-edited schedule is what runs", async () => {
  const dir = tempDir();
  try {
    const file = writeConfig(dir, chaosConfig({ quorums: [{ kind: "majority", label: "maj" }] }));
    const out = join(dir, "r1");
    const r = await cli(["run", file, "--out", out, "--no-report"]);
    assert.is(r.code, 0, r.stderr);
    const first = realpathSync(join(out, "latest"));
    const saved = JSON.parse(readFileSync(join(first, "config.json"), "utf8"));
    assert.is(saved.chaos.schedules.length, 3);
    const hash = (d: string, rep: number) =>
      JSON.parse(readFileSync(join(d, "01-maj", `rep-${rep}`, "summary.json"), "utf8")).extra
        .trace_hash;
    const events = (d: string, rep: number) =>
      JSON.parse(readFileSync(join(d, "01-maj", `rep-${rep}`, "events.json"), "utf8")).faults;
    // replay the second run (seed 6) alone from the saved config
    const out2 = join(dir, "r2");
    const again = await cli([
      "run",
      join(first, "config.json"),
      "--out",
      out2,
      "--seed",
      "6",
      "--repetitions",
      "1",
      "--no-report",
    ]);
    assert.is(again.code, 0, again.stderr);
    const second = realpathSync(join(out2, "latest"));
    assert.is(hash(second, 0), hash(first, 1));
    assert.equal(events(second, 0), events(first, 1));
    // edit the schedule of seed 5 down to one leader crash: that is what runs
    const edited = structuredClone(saved);
    const s = edited.chaos.schedules.find((x: ChaosSchedule) => x.seed === 5);
    s.faults = [
      { atMs: 800, action: "crash", node: "@leader" },
      { atMs: 1200, action: "restart", node: "@leader" },
      { atMs: 2200, action: "recover" },
    ];
    const editedFile = writeConfig(dir, edited, "edited.json");
    const out3 = join(dir, "r3");
    const third = await cli([
      "run",
      editedFile,
      "--out",
      out3,
      "--repetitions",
      "1",
      "--no-report",
    ]);
    assert.is(third.code, 0, third.stderr);
    const whats = events(realpathSync(join(out3, "latest")), 0).map(
      (f: { what: string }) => f.what,
    );
    assert.equal(whats.length, 3);
    assert.match(whats[0], /^crash n\d \(the leader\)$/);
    assert.match(whats[1], /^restart n\d$/);
    assert.is(whats[2], "recover");
    // --quick shortens a chaos run consistently
    const quick = await cli(["run", file, "--out", join(dir, "r4"), "--quick", "--no-report"]);
    assert.is(quick.code, 0, quick.stderr);
  } finally {
    removeDir(dir);
  }
});

test.run();

// `paxos-lab check <history>`: 0 linearizable, 1 not linearizable (with the failing slice
// printed, checks.json and the SVG timeline written next to the history), 2 undecided (the
// time budget ran out), 65 a malformed history (the line and field named); --format reads
// Jepsen's history.edn and Porcupine's kv logs.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cli, removeDir, tempDir } from "./helpers.js";

type Line = Record<string, unknown>;

const put = (c: string, seq: number, v: string, inv: number, ret: number | null): Line => ({
  clientId: c,
  seq,
  op: { type: "put", key: "x", value: v },
  result: ret === null ? null : { type: "put" },
  invokedAt: inv,
  returnedAt: ret,
});
const get = (c: string, seq: number, v: string | null, inv: number, ret: number): Line => ({
  clientId: c,
  seq,
  op: { type: "get", key: "x" },
  result: { type: "get", value: v },
  invokedAt: inv,
  returnedAt: ret,
});

function write(dir: string, lines: (Line | string)[]): string {
  const file = join(dir, "history.ndjson");
  writeFileSync(
    file,
    `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`,
  );
  return file;
}

test("a linearizable history: exit 0", async () => {
  const dir = tempDir();
  try {
    const file = write(dir, [
      put("c1", 0, "a", 0, 10),
      get("c2", 0, "a", 5, 15),
      put("c1", 1, "b", 20, null),
      get("c2", 1, "b", 30, 31),
    ]);
    const r = await cli(["check", file]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /linearizable \(4 operations, 1 keys, 1 with unknown outcome/);
    const checks = JSON.parse(readFileSync(join(dir, "checks.json"), "utf8"));
    assert.is(checks.linearizability.verdict, "linearizable");
    assert.ok(!existsSync(join(dir, "linearizability-failure.svg")));
  } finally {
    removeDir(dir);
  }
});

test("a stale read: exit 1, the slice, the explanation and the timeline", async () => {
  const dir = tempDir();
  try {
    const file = write(dir, [
      put("c1", 0, "a", 0, 10),
      put("c1", 1, "b", 20, 30),
      get("c2", 0, "a", 40, 50),
      get("c3", 0, null, 1, 2),
    ]);
    const r = await cli(["check", file]);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /not linearizable/);
    assert.match(r.stdout, /key "x": a failing slice of 3 of its 4 operations/);
    assert.match(r.stdout, /line 3: c2#0 get → "a" \[40, 50\]/);
    assert.match(r.stdout, /read "a" but the key holds "b"/);
    const svg = readFileSync(join(dir, "linearizability-failure.svg"), "utf8");
    assert.match(svg, /^<svg /);
    assert.match(svg, /get → &quot;a&quot;/);
    const checks = JSON.parse(readFileSync(join(dir, "checks.json"), "utf8"));
    assert.is(checks.linearizability.verdict, "not linearizable");
    assert.is(checks.linearizability.slice.length, 3);
    assert.is(checks.linearizability.timeline, "linearizability-failure.svg");
    const json = await cli(["check", file, "--json"]);
    assert.is(json.code, 1);
    assert.is(JSON.parse(json.stdout).key, "x");
  } finally {
    removeDir(dir);
  }
});

test("out of time: exit 2 with the reason", async () => {
  const dir = tempDir();
  try {
    const lines: Line[] = [];
    for (let i = 0; i < 24; i++) lines.push(put(`u${i}`, 0, `v${i}`, 0, null));
    for (let i = 0; i < 24; i++) lines.push(put(`k${i}`, 0, `w${i}`, 1, 100));
    for (const [k, v] of ["v0", "w0", "v1", "w1", "v0"].entries()) {
      lines.push(get("r", k, v, 101 + 2 * k, 102 + 2 * k));
    }
    const file = write(dir, lines);
    const r = await cli(["check", file, "--budget-ms", "100"]);
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /unknown/);
    assert.match(r.stdout, /time budget of 100 ms ran out/);
  } finally {
    removeDir(dir);
  }
});

test("a malformed history: exit 65 (bad input data), naming the line and the field", async () => {
  const dir = tempDir();
  try {
    const bad = { ...put("c1", 1, "b", 20, 30), invokedAt: "soon" };
    const file = write(dir, [put("c1", 0, "a", 0, 10), bad, "{not json"]);
    const r = await cli(["check", file]);
    assert.is(r.code, 65);
    assert.match(r.stderr, /line 2, field "invokedAt": expected a finite number/);
    assert.match(r.stderr, /line 3: not valid JSON/);
    assert.match(r.stderr, /docs\/history-format\.md/);
    const missing = await cli(["check", join(dir, "nope.ndjson")]);
    assert.is(missing.code, 65);
    assert.match(missing.stderr, /cannot read the history \(ENOENT\)/);
  } finally {
    removeDir(dir);
  }
});

test("--format jepsen and porcupine-kv read other tools' histories", async () => {
  const dir = tempDir();
  try {
    const edn = join(dir, "history.edn");
    writeFileSync(
      edn,
      [
        "{:type :invoke, :f :write, :value 1, :process 0, :time 0}",
        "{:type :ok, :f :write, :value 1, :process 0, :time 1000000}",
        "{:type :invoke, :f :read, :value nil, :process 1, :time 2000000}",
        "{:type :ok, :f :read, :value 2, :process 1, :time 3000000}",
        "",
      ].join("\n"),
    );
    const stale = await cli(["check", edn, "--format", "jepsen"]);
    assert.is(stale.code, 1, stale.stdout + stale.stderr);
    assert.match(stale.stdout, /key "register"/);
    assert.match(stale.stdout, /line 3: 1 get → "2"/);
    const asNdjson = await cli(["check", edn]);
    assert.is(asNdjson.code, 65, "an EDN file read as ndjson is bad input");
    const kv = join(dir, "kv.txt");
    writeFileSync(
      kv,
      [
        '{:process 0, :type :invoke, :f :append, :key "a", :value "x"}',
        '{:process 0, :type :ok, :f :append, :key "a", :value "x"}',
        '{:process 1, :type :invoke, :f :get, :key "a", :value nil}',
        '{:process 1, :type :ok, :f :get, :key "a", :value "x"}',
        "",
      ].join("\n"),
    );
    const ok = await cli(["check", kv, "--format", "porcupine-kv"]);
    assert.is(ok.code, 0, ok.stdout + ok.stderr);
    const bad = await cli(["check", kv, "--format", "edn"]);
    assert.is(bad.code, 64);
  } finally {
    removeDir(dir);
  }
});

test.run();

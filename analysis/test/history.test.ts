// The history format: parsing what the runner writes, unknown outcomes (returnedAt null or
// absent), and errors that name the line and the field; the timeline and checks.json writers.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkAndRecord } from "../src/check-record.js";
import { formatHistory, HistoryError, parseHistory } from "../src/history.js";
import { checkLinearizability } from "../src/linearizability.js";
import { timelineSvg } from "../src/timeline.js";
import { get, put } from "./helpers.js";

const line = (o: unknown) => JSON.stringify(o);

test("parses the runner's lines; returnedAt null or absent means unknown", () => {
  const text = [
    line({
      clientId: "c1/0",
      seq: 0,
      op: { type: "put", key: "k", value: "v" },
      result: { type: "put" },
      invokedAt: 0,
      returnedAt: 1.5,
    }),
    "",
    line({
      clientId: "c1/0",
      seq: 1,
      op: { type: "get", key: "k" },
      result: null,
      invokedAt: 2,
      returnedAt: null,
    }),
    line({ clientId: 7, op: { type: "cas", key: "k", expected: null, value: "w" }, invokedAt: 3 }),
    line({
      clientId: "c2",
      op: { type: "delete", key: "k" },
      result: { type: "delete", existed: true },
      invokedAt: 4,
      returnedAt: 5,
      extra: "ignored",
    }),
  ].join("\n");
  const h = parseHistory(text);
  assert.is(h.length, 4);
  assert.is(h[0]!.line, 1);
  assert.is(h[1]!.line, 3, "blank lines count");
  assert.is(h[1]!.returnedAt, null);
  assert.is(h[2]!.clientId, "7");
  assert.is(h[2]!.returnedAt, null);
  assert.is(h[2]!.result, null);
  assert.is(h[2]!.seq, undefined);
  assert.equal(
    parseHistory(formatHistory(h)).map((o) => o.op),
    h.map((o) => o.op),
    "round trip",
  );
  assert.is(checkLinearizability(h).verdict, "linearizable");
});

test("errors name the line and the field", () => {
  const bad = [
    line({
      clientId: "c",
      op: { type: "put", key: "k", value: "v" },
      result: { type: "put" },
      invokedAt: 0,
      returnedAt: 1,
    }),
    line({
      clientId: "c",
      op: { type: "put", key: "k", value: 3 },
      result: { type: "put" },
      invokedAt: 0,
      returnedAt: 1,
    }),
    line({ clientId: "c", op: { type: "scan", key: "k" }, invokedAt: 0 }),
    line({
      clientId: "c",
      op: { type: "get", key: "k" },
      result: { type: "get", value: 1 },
      invokedAt: 0,
      returnedAt: 1,
    }),
    line({
      clientId: "c",
      op: { type: "get", key: "k" },
      result: { type: "put" },
      invokedAt: 0,
      returnedAt: 1,
    }),
    line({ clientId: "c", op: { type: "get", key: "k" }, invokedAt: 5, returnedAt: 1 }),
    line({ op: { type: "cas", key: "k", value: "v" }, invokedAt: 0 }),
    line({
      clientId: "c",
      op: { type: "get", key: "k" },
      result: { type: "get", value: null },
      invokedAt: 0,
    }),
    "[1, 2]",
    "{oops",
  ].join("\n");
  try {
    parseHistory(bad, { source: "h.ndjson" });
    assert.unreachable("should throw");
  } catch (e) {
    assert.instance(e, HistoryError);
    const msg = (e as HistoryError).message;
    const issues = (e as HistoryError).issues.map((i) => `${i.line}:${i.field}`);
    assert.match(msg, /^h\.ndjson: /);
    assert.ok(issues.includes("2:op.value"), issues.join(" "));
    assert.ok(issues.includes("3:op.type"));
    assert.ok(issues.includes("4:result.value"));
    assert.ok(issues.includes("5:result.type"));
    assert.ok(issues.includes("6:returnedAt"), "returned before invoked");
    assert.ok(issues.includes("7:clientId"));
    assert.ok(issues.includes("7:op.expected"));
    assert.ok(issues.includes("8:result"), "a result without returnedAt");
    assert.ok(issues.includes("9:"));
    assert.ok(issues.includes("10:"));
    assert.match(msg, /line 2, field "op\.value": expected a string, got number 3/);
    assert.match(msg, /line 6, field "returnedAt": 1 is before invokedAt 5/);
  }
});

test("the timeline and checks.json of a failure", () => {
  const h = [
    put("a", "x", "1", 0, 10),
    put("a", "x", "2", 20, 30),
    get("b", "x", "1", 40, 50),
    put("c", "x", "3", 45, null),
  ];
  const r = checkLinearizability(h);
  assert.is(r.verdict, "not linearizable");
  if (r.verdict !== "not linearizable") return;
  const svg = timelineSvg(r.slice, { title: "t <&>", notes: r.explanation });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /t &lt;&amp;&gt;/);
  assert.match(svg, />b</, "one row per client");
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  const withUnknown = timelineSvg(h);
  assert.match(withUnknown, /stroke-dasharray/, "an unknown outcome is drawn dashed");
  const dir = mkdtempSync(join(tmpdir(), "analysis-"));
  try {
    const { record } = checkAndRecord(h, { dir });
    assert.is(record.verdict, "not linearizable");
    assert.ok(existsSync(join(dir, "linearizability-failure.svg")));
    const saved = JSON.parse(readFileSync(join(dir, "checks.json"), "utf8"));
    assert.is(saved.linearizability.key, "x");
    assert.is(saved.linearizability.operations, 4);
    assert.is(saved.linearizability.slice.length, 3);
    assert.type(saved.linearizability.elapsed_ms, "number");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

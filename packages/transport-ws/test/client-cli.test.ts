// paxos-client's exit codes for what goes wrong before any operation is sent (the README's
// table): 64 bad usage, 65 a bad cluster file, 1 no replica reachable. No cluster runs here.

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const CLIENT_BIN = new URL("../../bin/paxos-client.js", import.meta.url).pathname;

function client(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLIENT_BIN, ...args], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}

test("bad usage is 64, with what was wrong", async () => {
  const none = await client("get", "k");
  assert.is(none.code, 64);
  assert.match(none.stderr, /--cluster or --addresses is required/);
  const timeout = await client("--addresses", "127.0.0.1:1", "--timeout-ms", "abc", "get", "k");
  assert.is(timeout.code, 64);
  assert.match(timeout.stderr, /--timeout-ms must be a positive number of milliseconds, got "abc"/);
  const arity = await client("--addresses", "127.0.0.1:1", "put", "k");
  assert.is(arity.code, 64);
  assert.match(arity.stderr, /put takes 2 argument/);
  const status = await client("--addresses", "127.0.0.1:1", "status", "extra");
  assert.is(status.code, 64);
});

test("a missing or malformed cluster file is 65, naming the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "paxos-client-"));
  try {
    const missing = await client("--cluster", join(dir, "nope.json"), "get", "k");
    assert.is(missing.code, 65);
    assert.match(missing.stderr, /nope\.json: cannot read cluster file/);
    const badJson = join(dir, "bad.json");
    writeFileSync(badJson, "{");
    const malformed = await client("--cluster", badJson, "get", "k");
    assert.is(malformed.code, 65);
    assert.match(malformed.stderr, /bad\.json: not valid JSON/);
    const wrong = join(dir, "wrong.json");
    writeFileSync(wrong, JSON.stringify({ clusterId: "x", nodes: [] }));
    const invalid = await client("--cluster", wrong, "status");
    assert.is(invalid.code, 65);
    assert.match(invalid.stderr, /wrong\.json: invalid cluster file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a host name that does not resolve fails at once (exit 1), not after the timeout", async () => {
  // .invalid never resolves (RFC 6761). With a 10-minute timeout, only the fast path can pass.
  const r = await client(
    "--addresses",
    "no-such-host.invalid:7001",
    "--timeout-ms",
    "600000",
    "get",
    "k",
  );
  assert.is(r.code, 1);
  assert.match(r.stderr, /ENOTFOUND no-such-host\.invalid/);
  assert.match(r.stderr, /nothing was sent/);
});

test.run();

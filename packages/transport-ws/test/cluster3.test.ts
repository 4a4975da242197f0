// Three processes, each replica+leader+acceptor, majority quorums: the client library and the
// CLI write and read; every replica applied the same log; a node stops gracefully on SIGTERM.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, type PaxosClient } from "../src/client.js";
import { colocated, LocalCluster } from "./harness.js";

const run = promisify(execFile);
const CLIENT_BIN = new URL("../../bin/paxos-client.js", import.meta.url).pathname;

let cluster: LocalCluster | undefined;
let client: PaxosClient | undefined;

test.after(async () => {
  await client?.close();
  await cluster?.stop();
});

test("a 3-node cluster serves get/put/delete/cas through the client library", async () => {
  cluster = await LocalCluster.start({
    nodes: colocated("n1", "n2", "n3"),
    quorum: { kind: "majority" },
  });
  client = await connect(cluster.clusterPath, { timeoutMs: 120_000 });
  assert.is(await client.get("missing"), null);
  await client.put("k", "v1");
  assert.is(await client.get("k"), "v1");
  assert.equal(await client.cas("k", "nope", "v2"), { ok: false, value: "v1" });
  assert.equal(await client.cas("k", "v1", "v2"), { ok: true, value: "v2" });
  assert.equal(await client.cas("fresh", null, "x"), { ok: true, value: "x" });
  assert.is(await client.delete("k"), true);
  assert.is(await client.delete("k"), false);
  assert.is(await client.get("k"), null);
});

test("many concurrent writes are all applied, and read back", async () => {
  const c = client!;
  const n = 300;
  await Promise.all(Array.from({ length: n }, (_, i) => c.put(`key-${i}`, `value-${i}`)));
  const values = await Promise.all(Array.from({ length: n }, (_, i) => c.get(`key-${i}`)));
  for (const [i, v] of values.entries()) assert.is(v, `value-${i}`);
});

test("every replica applied the same log (digests through the control channel)", async () => {
  const lc = cluster!;
  const agreed = await lc.waitForAgreement();
  assert.match(agreed.digest, /^[0-9a-f]{16}$/);
  const leaders = await Promise.all(lc.ids.map(async (id) => (await lc.status(id)).leader?.active));
  assert.is(leaders.filter(Boolean).length, 1, "exactly one active leader");
});

test("a second client with its own id, and the paxos-client CLI", async () => {
  const lc = cluster!;
  const other = await connect(lc.clusterPath);
  try {
    assert.is.not(other.clientId, client!.clientId);
    assert.is(await other.get("key-7"), "value-7");
  } finally {
    await other.close();
  }
  const cli = (...args: string[]) =>
    run(process.execPath, [CLIENT_BIN, "--cluster", lc.clusterPath, ...args]);
  assert.is((await cli("put", "cli-key", "hello world")).stdout, "OK\n");
  assert.is((await cli("get", "cli-key")).stdout, "hello world\n");
  assert.is((await cli("cas", "cli-key", "hello world", "bye")).stdout, "OK\n");
  assert.is((await cli("--json", "get", "cli-key")).stdout, '{"type":"get","value":"bye"}\n');
  assert.is((await cli("delete", "cli-key")).stdout, "deleted\n");
  assert.is((await cli("get", "cli-key")).stdout, "(nil)\n");
  assert.is((await cli("cas", "--expect-absent", "cli-key", "again")).stdout, "OK\n");
  await cli("cas", "cli-key", "wrong", "x").then(
    () => assert.unreachable("a failed cas exits 1"),
    (error: { code: number; stdout: string }) => {
      assert.is(error.code, 1);
      assert.is(error.stdout, "failed (current value: again)\n");
    },
  );
  const addresses = lc.ids.map((id) => `127.0.0.1:${lc.cluster.nodesById.get(id)!.port}`).join(",");
  const byAddress = await run(process.execPath, [
    CLIENT_BIN,
    "--addresses",
    addresses,
    "get",
    "cli-key",
  ]);
  assert.is(byAddress.stdout, "again\n");
});

test("paxos-client status: one row per node, exactly one ACTIVE leader, applied slots", async () => {
  const lc = cluster!;
  // 120 s: a hang guard for a loaded machine (the default 10 s let a node show as "down")
  const { stdout } = await run(process.execPath, [
    CLIENT_BIN,
    "--cluster",
    lc.clusterPath,
    "--timeout-ms",
    "120000",
    "status",
  ]);
  const rows = stdout.trim().split("\n");
  assert.match(rows[0]!, /^node\s+roles\s+leader\s+ballot\s+applied below\s+peers up$/);
  assert.is(rows.length, 1 + lc.ids.length, stdout);
  assert.is(rows.filter((r) => /\bACTIVE\b/.test(r)).length, 1, stdout);
  for (const id of lc.ids) {
    assert.match(
      stdout,
      new RegExp(
        `^${id}\\s+replica,leader,acceptor\\s+(ACTIVE|following)\\s+\\(\\d+,n\\d\\)\\s+\\d+\\s+\\d/\\d`,
        "m",
      ),
      stdout,
    );
  }
  const json = await run(process.execPath, [
    CLIENT_BIN,
    "--cluster",
    lc.clusterPath,
    "--json",
    "--timeout-ms",
    "120000",
    "status",
  ]);
  const answers = JSON.parse(json.stdout) as {
    name: string;
    status: { replica: { appliedBelow: number } };
  }[];
  assert.equal(
    answers.map((a) => a.name),
    lc.ids,
  );
  for (const a of answers) assert.ok(a.status.replica.appliedBelow > 0);
});

test("SIGTERM stops a node gracefully: exit 0, log flushed, and the others go on", async () => {
  const lc = cluster!;
  await lc.kill("n3", "SIGTERM");
  assert.is(lc.exitCode("n3"), 0);
  const lines = lc.logLines("n3");
  assert.ok(lines.some((l) => l.msg === "stopping" && l.signal === "SIGTERM"));
  assert.is(lines[lines.length - 1]!.msg, "node stopped");
  await client!.put("after-stop", "yes");
  assert.is(await client!.get("after-stop"), "yes");
});

test.run();

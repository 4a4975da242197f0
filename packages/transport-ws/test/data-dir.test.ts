// paxos-node against its data dir and its port, as a user meets them (real processes, short):
// another node's data dir, a port in use, a corrupt record in the middle of the log, a torn
// tail. Each refusal is one line on stderr and a non-zero exit; a torn tail is cut and logged.

import { spawnSync } from "node:child_process";
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect } from "../src/client.js";
import { HEADER_BYTES } from "../src/storage/entry.js";
import { colocated, LocalCluster } from "./harness.js";

const BIN = new URL("../../bin/paxos-node.js", import.meta.url).pathname;

/** Runs paxos-node to completion (it is expected to refuse to start). */
function runNode(cluster: LocalCluster, id: string, dataDir: string) {
  const env = { ...process.env };
  delete env.PAXOS_CLUSTER_SECRET;
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      "--cluster",
      cluster.clusterPath,
      "--id",
      id,
      "--data-dir",
      dataDir,
      "--log-file",
      join(cluster.dir, `${id}-refused.log`),
    ],
    { encoding: "utf8", env, timeout: 60_000 },
  );
  return { code: r.status, stderr: r.stderr.trim(), stdout: r.stdout };
}

function segmentOf(dir: string): string {
  const names = readdirSync(dir).filter((n) => n.endsWith(".seg"));
  assert.is(names.length, 1);
  return join(dir, names[0]!);
}

test("another node's data dir, its own dir in use, a port in use: one line each, exit 1", async () => {
  const cluster = await LocalCluster.start({
    nodes: colocated("n1", "n2", "n3"),
    quorum: { kind: "majority" },
    start: ["n1"],
  });
  try {
    const foreign = runNode(cluster, "n2", cluster.dataDir("n1"));
    assert.is(foreign.code, 1, foreign.stderr);
    assert.is(foreign.stderr.split("\n").length, 1, foreign.stderr);
    assert.match(
      foreign.stderr,
      `paxos-node: ${cluster.dataDir("n1")} is the data dir of node "n1" of cluster "test", not of node "n2"`,
    );
    const twice = runNode(cluster, "n1", cluster.dataDir("n1"));
    assert.is(twice.code, 1, twice.stderr);
    assert.is(twice.stderr.split("\n").length, 1, twice.stderr);
    assert.match(
      twice.stderr,
      `paxos-node: ${cluster.dataDir("n1")} is in use by process ${cluster.pidOf("n1")} on `,
    );
    const n1 = cluster.cluster.nodesById.get("n1")!;
    const busy = runNode(cluster, "n1", join(cluster.dir, "n1-second"));
    assert.is(busy.code, 1, busy.stderr);
    assert.is(
      busy.stderr,
      `paxos-node: ${n1.host}:${n1.port} is already in use (another paxos-node of this cluster, or another program, listens there)`,
    );
  } finally {
    await cluster.stop();
  }
});

test("a corrupt record in the middle stops the node naming file and offset; a torn tail is cut", async () => {
  const cluster = await LocalCluster.start({
    nodes: colocated("n1"),
    quorum: { kind: "majority" },
  });
  try {
    const client = await connect(cluster.clusterPath, { timeoutMs: 30_000 });
    for (let i = 0; i < 20; i++) await client.put(`k${i}`, `v${i}`);
    await client.close();
    await cluster.kill("n1", "SIGTERM");
    const path = segmentOf(cluster.dataDir("n1"));
    const good = readFileSync(path);

    // a torn tail: the header and a few bytes of an entry that never finished
    const torn = Buffer.alloc(HEADER_BYTES + 7, 0x5a);
    appendFileSync(path, torn);
    await cluster.spawn("n1");
    const line = await cluster.waitForLog(
      "n1",
      "the torn tail cut",
      (l) => l.msg === "cut a torn tail off the durable log",
    );
    assert.is(line.bytes, torn.length);
    const again = await connect(cluster.clusterPath, { timeoutMs: 30_000 });
    assert.is(await again.get("k19"), "v19");
    await again.close();
    await cluster.kill("n1", "SIGTERM");

    // one byte flipped in the middle of the log
    const bytes = readFileSync(path);
    const at = Math.floor(good.length / 2);
    bytes[at]! ^= 0x20;
    writeFileSync(path, bytes);
    const refused = runNode(cluster, "n1", cluster.dataDir("n1"));
    assert.is(refused.code, 1, refused.stderr);
    assert.is(refused.stderr.split("\n").length, 1, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(`^paxos-node: ${path}: corrupt data at byte offset \\d+: `),
    );
    const offset = Number(/byte offset (\d+)/.exec(refused.stderr)![1]);
    assert.ok(
      offset <= at && at - offset < 4096,
      `offset ${offset} is the entry around byte ${at}`,
    );
    assert.match(refused.stderr, "move its data dir away");
    assert.equal(readFileSync(path), bytes, "nothing was cut");
  } finally {
    await cluster.stop();
  }
});

test.run();

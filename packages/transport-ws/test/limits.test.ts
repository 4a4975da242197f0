// No frame above the limit, ever, on real processes: an operation above maxValueBytes is
// refused with the engine's message (by the client library, by the replica for a client that
// does not know the limit, and by paxos-client), values that together exceed a frame are
// split and commit, and a frame above a few KiB before the handshake is refused from its
// header, before its payload is even sent.

import { spawnSync } from "node:child_process";
import { connect as tcpConnect } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, OperationRefusedError, type PaxosClient } from "../src/client.js";
import { colocated, LocalCluster } from "./harness.js";

const MAX_FRAME = 256 * 1024;
const CLIENT_BIN = new URL("../../bin/paxos-client.js", import.meta.url).pathname;
let cluster: LocalCluster | undefined;
let client: PaxosClient | undefined;

test.before(async () => {
  cluster = await LocalCluster.start({
    nodes: colocated("n1", "n2", "n3"),
    quorum: { kind: "majority" },
    extra: { maxFrameBytes: MAX_FRAME },
  });
  client = await connect(cluster.clusterPath, { timeoutMs: 60_000 });
});

test.after(async () => {
  await client?.close();
  await cluster?.stop();
});

async function refusal(p: Promise<unknown>): Promise<OperationRefusedError> {
  try {
    await p;
  } catch (error) {
    assert.instance(error, OperationRefusedError);
    return error as OperationRefusedError;
  }
  throw new Error("the operation must be refused, and it was not");
}

test("a value above maxValueBytes is refused with the engine's message, wherever it is caught", async () => {
  const limit = cluster!.cluster.limits.maxValueBytes;
  const value = "x".repeat(limit + 100);
  const bytes = 2 + 1 + 2 + value.length; // "k" and the value, quoted
  const message = `value is ${bytes} bytes, the limit is ${limit}`;
  // by the client library, before anything is sent (a client of its own: core's Client role
  // would send its next command with ackedBelow past the refused seq, which a replica that
  // never saw the client takes for an expired session: reported to packages/core)
  const own = await connect(cluster!.clusterPath, { timeoutMs: 60_000 });
  try {
    const local = await refusal(own.put("k", value));
    assert.is(local.message, message);
    assert.not.ok(local.maybeApplied);
  } finally {
    await own.close();
  }
  // by a replica, for a client given bare addresses (it assumes the default, larger, limit)
  const n1 = cluster!.cluster.nodesById.get("n1")!;
  const bare = await connect([`${n1.host}:${n1.port}`], { timeoutMs: 60_000 });
  try {
    const remote = await refusal(bare.put("k", value));
    assert.is(remote.message, message);
    assert.not.ok(remote.maybeApplied);
  } finally {
    await bare.close();
  }
  await client!.put("small", "fine");
  // and by the command-line client
  const cli = spawnSync(
    process.execPath,
    [CLIENT_BIN, "--cluster", cluster!.clusterPath, "put", "k", value],
    {
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  assert.is(cli.status, 1);
  assert.is(cli.stderr.trim(), `paxos-client: put "k" refused: ${message}`);
  assert.is(await client!.get("small"), "fine");
});

test("three concurrent values that together exceed a frame all commit, from one client and from three", async () => {
  const limit = cluster!.cluster.limits.maxValueBytes;
  const size = Math.floor(limit * 0.9);
  assert.ok(3 * size > MAX_FRAME, "together they exceed a frame");
  const values = ["a", "b", "c"].map((c) => c.repeat(size));
  await Promise.all(values.map((v, i) => client!.put(`big${i}`, v)));
  const others = await Promise.all(
    [0, 1, 2].map(() => connect(cluster!.clusterPath, { timeoutMs: 60_000 })),
  );
  try {
    await Promise.all(others.map((c, i) => c.put(`big${i}`, values[(i + 1) % 3]!)));
  } finally {
    await Promise.all(others.map((c) => c.close()));
  }
  for (let i = 0; i < 3; i++) assert.ok((await client!.get(`big${i}`)) === values[(i + 1) % 3]);
  await cluster!.waitForAgreement(1, 60_000);
  // nothing was dropped for size on the way
  for (const id of cluster!.ids) {
    const dropped = cluster!.logLines(id).filter((l) => String(l.msg).includes("larger than"));
    assert.equal(dropped, [], `${id} dropped an oversized frame`);
  }
});

/** Opens a raw WebSocket upgrade on n1 and returns the socket with the server's 101 read. */
function rawUpgrade(): Promise<import("node:net").Socket> {
  const n1 = cluster!.cluster.nodesById.get("n1")!;
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(n1.port, n1.host, () => {
      socket.write(
        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      if (head.includes("\r\n\r\n")) {
        socket.off("data", onData);
        if (!head.startsWith("HTTP/1.1 101")) reject(new Error(head));
        else resolve(socket);
      }
    };
    socket.on("data", onData);
    socket.on("error", reject);
  });
}

test("before the handshake a frame above 4 KiB is refused from its header, unbuffered", async () => {
  const socket = await rawUpgrade();
  const received: Buffer[] = [];
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.on("data", (chunk: Buffer) => received.push(chunk));
  // A masked text frame announcing 16 MiB, of which we send only 16 bytes: a server that
  // buffered before checking would wait for the rest; this one must close at the header.
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(16 * 1024 * 1024), 2);
  socket.write(Buffer.concat([header, Buffer.alloc(16, 0x41)]));
  // A generous bound for a negative: a server that waits for the payload never closes.
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    closed.then(() => "closed"),
    new Promise((r) => {
      timer = setTimeout(() => r("still open"), 30_000);
    }),
  ]);
  clearTimeout(timer);
  socket.destroy();
  assert.is(outcome, "closed", "the server closed the connection at the frame header");
  const bytes = Buffer.concat(received);
  // the server's frames: its challenge, then a close frame with status 1009 (message too big)
  const close = bytes.indexOf(Buffer.from([0x88]));
  assert.ok(close >= 0, "a close frame");
  assert.is(bytes.readUInt16BE(close + 2), 1009);
  await cluster!.waitForLog(
    "n1",
    "pre-handshake refusal logged",
    (l) =>
      l.msg === "bad frame, connection closed" &&
      l.reason === "frame larger than the pre-handshake limit (4096 bytes)",
  );
  // an authenticated peer may still send large frames: the limit was raised for it
  await client!.put("after", "y".repeat(100_000));
  assert.is((await client!.get("after"))?.length, 100_000);
});

test.run();

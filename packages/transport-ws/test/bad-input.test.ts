// Hostile and broken input: wrong secret, unknown node id, another cluster id, a client
// without the token, an oversized frame, garbage bytes (in a frame, as invalid UTF-8, and as
// raw TCP), well-formed frames with a wrong field type, a forged sender, a client speaking for
// the protocol. Each is refused or dropped with a log line naming the reason, and the
// cluster still commits afterwards.

import { randomBytes } from "node:crypto";
import { connect as tcpConnect } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import WebSocket from "ws";
import { connect, type PaxosClient } from "../src/client.js";
import { nodeUrl } from "../src/cluster-file.js";
import { decodeFrame, encodeFrame, WIRE_VERSION } from "../src/codec.js";
import { dial } from "../src/dial.js";
import { helloAuth, newNonce } from "../src/handshake.js";
import { colocated, LocalCluster, TEST_SECRET, waitFor } from "./harness.js";

const MAX_FRAME = 64 * 1024;
let cluster: LocalCluster | undefined;
let client: PaxosClient | undefined;
let url = "";
let commits = 0;

test.before(async () => {
  cluster = await LocalCluster.start({
    nodes: colocated("n1", "n2", "n3"),
    quorum: { kind: "majority" },
    extra: { clientAuth: true, maxFrameBytes: MAX_FRAME },
  });
  url = nodeUrl(cluster.cluster.nodesById.get("n1")!);
  client = await connect(cluster.clusterPath, { timeoutMs: 120_000 });
});

test.after(async () => {
  await client?.close();
  await cluster?.stop();
});

/** The cluster still commits: a fresh write is read back. */
async function stillCommits(): Promise<void> {
  const key = `alive-${commits++}`;
  await client!.put(key, "yes");
  assert.is(await client!.get(key), "yes");
}

/** Waits for n1 to log `msg` with a reason containing `fragment`; returns the line. */
function logged(msg: string, fragment: string) {
  return cluster!.waitForLog(
    "n1",
    `${msg}: ${fragment}`,
    (l) => l.msg === msg && typeof l.reason === "string" && l.reason.includes(fragment),
  );
}

/** Speaks the handshake by hand, so the hello can say anything. Resolves with the server's answer. */
function rawHello(
  build: (challenge: Record<string, unknown>) => Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on("error", reject);
    ws.on("message", (data) => {
      const frame = decodeFrame(data as Buffer) as Record<string, unknown>;
      if (frame.t === "challenge") ws.send(JSON.stringify(build(frame)));
      else {
        ws.close();
        resolve(frame);
      }
    });
  });
}

function hello(
  challenge: Record<string, unknown>,
  fields: Record<string, unknown>,
  secret = TEST_SECRET,
) {
  const base = {
    t: "hello",
    v: WIRE_VERSION,
    clusterId: "test",
    kind: "node",
    id: "n2",
    nonce: newNonce(),
    ...fields,
  };
  const auth = helloAuth(
    secret,
    String(base.clusterId),
    base.kind as "node",
    String(base.id),
    String(challenge.nonce),
  );
  return { ...base, auth };
}

/** An authenticated connection to n1, as a client (clientAuth is on: with the token). */
async function authedClient(id: string) {
  const closed: { code?: number } = {};
  const { ws } = await dial({
    url,
    identity: { clusterId: "test", kind: "client", id, secret: TEST_SECRET },
    maxPayload: MAX_FRAME * 4,
    onClose: (code) => {
      closed.code = code;
    },
  });
  return { ws, closed };
}

test("wrong secret: refused and logged", async () => {
  const answer = await rawHello((c) => hello(c, {}, "not-the-cluster-secret"));
  assert.is(answer.t, "refused");
  assert.match(String(answer.reason), "bad auth token");
  const line = await logged("handshake refused", "bad auth token");
  assert.is(line.id, "n2");
  assert.ok(typeof line.remote === "string");
  // the library's dialer gives the same answer
  await dial({
    url,
    identity: { clusterId: "test", kind: "node", id: "n2", secret: "not-the-cluster-secret" },
    maxPayload: 1024,
  }).then(
    () => assert.unreachable("dial with a wrong secret must fail"),
    (e: Error) => assert.match(e.message, "refused: bad auth token"),
  );
  await stillCommits();
});

test("unknown node id: refused and logged", async () => {
  const answer = await rawHello((c) => hello(c, { id: "n9" }));
  assert.match(String(answer.reason), 'unknown node id "n9"');
  await logged("handshake refused", 'unknown node id "n9"');
  await stillCommits();
});

test("another cluster id: refused and logged", async () => {
  const answer = await rawHello((c) => hello(c, { clusterId: "other-cluster" }));
  assert.match(String(answer.reason), 'wrong cluster id "other-cluster"');
  await logged("handshake refused", 'wrong cluster id "other-cluster"');
  await stillCommits();
});

test("a client without the token, where the cluster asks for client auth: refused and logged", async () => {
  const answer = await rawHello((c) => {
    const { auth: _, ...noAuth } = hello(c, { kind: "client", id: "c-anon" });
    return noAuth;
  });
  assert.match(String(answer.reason), 'client "c-anon" presented no auth token');
  await logged("handshake refused", "presented no auth token");
  const refused = await connect(cluster!.clusterPath, {
    secret: "a-wrong-secret-for-clients",
    connectTimeoutMs: 5_000,
  }).then(
    () => "connected",
    (e: Error) => e.message,
  );
  assert.match(refused, "refused by every replica");
  await stillCommits();
});

test("an oversized frame closes that connection, logged; the node keeps serving", async () => {
  const { ws, closed } = await authedClient("c-big");
  ws.send(`{"t":"msgs","v":1,"from":"c-big","msgs":[],"pad":"${"x".repeat(MAX_FRAME * 2)}"}`);
  const line = await logged(
    "bad frame, connection closed",
    `frame larger than maxPayload (${MAX_FRAME} bytes)`,
  );
  assert.is(line.peer, "c-big");
  // the close reaches us when it does (a busy machine): wait for it, not for 100 ms
  await waitFor("the connection to close", () => closed.code !== undefined);
  assert.is(closed.code, 1009, "closed with 1009 (message too big)");
  await stillCommits();
});

test("garbage bytes: in a frame (dropped), as invalid UTF-8 text (closed), as raw TCP (closed)", async () => {
  const { ws } = await authedClient("c-garbage");
  ws.send(randomBytes(512), { binary: true });
  const line = await logged("bad frame dropped", "undecodable frame");
  assert.is(line.peer, "c-garbage");
  // the connection survives a dropped frame: a good request on it is served
  const answered = new Promise<Record<string, unknown>>((resolve) =>
    ws.on("message", (d) => resolve(decodeFrame(d as Buffer) as Record<string, unknown>)),
  );
  ws.send(
    JSON.stringify({
      t: "msgs",
      v: WIRE_VERSION,
      from: "c-garbage",
      msgs: [
        {
          type: "request",
          command: {
            clientId: "c-garbage",
            seq: 0,
            ackedBelow: 0,
            op: { type: "put", key: "g", value: "1" },
          },
        },
      ],
    }),
  );
  const reply = await answered;
  // a response, in its wire form (wire-commands.ts): ["r", seq, result, leader?]
  assert.equal(((reply.msgs as unknown[][])[0] ?? []).slice(0, 3), ["r", 0, ["put"]]);
  ws.close();

  const utf8 = await authedClient("c-utf8");
  utf8.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
  await logged("bad frame, connection closed", "WS_ERR_INVALID_UTF8");

  await new Promise<void>((resolve) => {
    const port = cluster!.cluster.nodesById.get("n1")!.port;
    const socket = tcpConnect(port, "127.0.0.1", () => socket.end(randomBytes(300)));
    socket.on("close", () => resolve());
    socket.on("error", () => resolve());
  });
  await cluster!.waitForLog(
    "n1",
    "raw TCP garbage",
    (l) => l.msg === "connection refused" && String(l.reason).startsWith("malformed HTTP"),
  );
  await stillCommits();
});

test("well-formed frames with a wrong field type, a forged sender, or a protocol message from a client: dropped", async () => {
  const { ws } = await authedClient("c-typed");
  const frame = (from: string, msgs: unknown[]) =>
    JSON.stringify({ t: "msgs", v: WIRE_VERSION, from, msgs });
  const op = { type: "put", key: "k", value: "v" };
  ws.send(
    frame("c-typed", [
      { type: "request", command: { clientId: "c-typed", seq: "one", ackedBelow: 0, op } },
    ]),
  );
  await logged(
    "bad frame dropped",
    'msgs[0].command.seq: expected a non-negative integer, got "one"',
  );
  ws.send(
    frame("c-typed", [
      {
        type: "request",
        command: { clientId: "c-typed", seq: 1, ackedBelow: 0, op: { ...op, value: 42 } },
      },
    ]),
  );
  await logged("bad frame dropped", "msgs[0].command.op.value: expected a string, got 42");
  ws.send(
    frame("n2", [{ type: "p2b", ballot: { round: 1, leader: "n1" }, slot: 0, accepted: true }]),
  );
  await logged("bad frame dropped", 'frame from "n2" on the connection of "c-typed"');
  ws.send(
    frame("c-typed", [
      { type: "p2b", ballot: { round: 99, leader: "n9" }, slot: 0, accepted: true },
    ]),
  );
  await logged("bad frame dropped", "client sent a p2b message");
  ws.send(
    frame("c-typed", [
      { type: "request", command: { clientId: "c-other", seq: 0, ackedBelow: 0, op } },
    ]),
  );
  await logged("bad frame dropped", 'request for client "c-other"');
  ws.send(JSON.stringify({ t: "msgs", v: 9, from: "c-typed", msgs: [] }));
  await logged("bad frame dropped", "wire version 9");
  ws.send(encodeFrame({ t: "control", reqId: 1, op: "status" }));
  await logged("bad frame dropped", 'unexpected frame type "control"');
  ws.close();
  // a node peer with a malformed message
  const { ws: peer } = await dial({
    url,
    identity: { clusterId: "test", kind: "node", id: "n3", secret: TEST_SECRET },
    maxPayload: MAX_FRAME,
  });
  peer.send(frame("n3", [{ type: "p1a", ballot: { round: -1, leader: "n3" }, fromSlot: 0 }]));
  const line = await logged(
    "bad frame dropped",
    "msgs[0].ballot.round: expected a non-negative integer, got -1",
  );
  assert.is(line.peer, "n3");
  peer.close();
  const status = await cluster!.status("n1");
  assert.ok(status.badFrames >= 9, `badFrames ${status.badFrames}`);
  await stillCommits();
});

test("the control channel refuses malformed requests, and connections without the secret", async () => {
  const answer = await rawHello((c) => {
    const { auth: _, ...noAuth } = hello(c, { kind: "control", id: "intruder" });
    return noAuth;
  });
  assert.match(String(answer.reason), 'control "intruder" presented no auth token');
  const control = await cluster!.control.node("n1");
  await control.call({ op: "setLink", peer: "n2", spec: { lossRate: 7 } } as never).then(
    () => assert.unreachable("lossRate 7 must be refused"),
    (e: Error) => assert.match(e.message, "malformed control request"),
  );
  await control.call({ op: "partition", peers: ["n9"] }).then(
    () => assert.unreachable("an unknown peer must be refused"),
    (e: Error) => assert.match(e.message, 'unknown peer "n9"'),
  );
  await logged("control request refused", "malformed control request");
  await stillCommits();
});

test.run();

// Our etcd client against a small HTTP/2 server in this test that answers as etcd's gRPC KV
// service does (a map for a store): each operation maps to its call and its answer to our
// result, and every way a call can go wrong (a gRPC error status, a reset stream, no answer,
// no member) is an error, that is an operation whose outcome is unknown, never a result.
import { once } from "node:events";
import { constants, createServer, type Http2Server, type ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import type { Operation } from "@paxos/core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EtcdClient } from "../src/systems/etcd-client.js";
import { EtcdChannel } from "../src/systems/etcd-grpc.js";
import { readFields } from "../src/systems/etcd-proto.js";

// protobuf by hand for the server's answers (small fields only: one-byte lengths)
const bytesField = (n: number, b: Buffer) =>
  Buffer.concat([Buffer.from([(n << 3) | 2, b.length]), b]);
const varintField = (n: number, x: number) => Buffer.from([n << 3, x]);
const header = bytesField(1, varintField(3, 7)); // ResponseHeader {revision 7}

function fieldsOf(msg: Buffer): Map<number, Buffer | number> {
  const m = new Map<number, Buffer | number>();
  for (const f of readFields(msg)) m.set(f.field, "bytes" in f ? f.bytes : f.varint);
  return m;
}

/** The fake etcd: its store, and the methods it was called with. */
function fakeEtcd() {
  const store = new Map<string, string>();
  const calls: string[] = [];
  const rangeResponse = (key: string) => {
    const value = store.get(key);
    if (value === undefined) return header;
    const kv = Buffer.concat([bytesField(1, Buffer.from(key)), bytesField(5, Buffer.from(value))]);
    return Buffer.concat([header, bytesField(2, kv)]);
  };
  const answer = (method: string, req: Map<number, Buffer | number>): Buffer => {
    const key = String(req.get(1));
    if (method === "Range") return rangeResponse(key);
    if (method === "Put") {
      store.set(key, String(req.get(2)));
      return header;
    }
    if (method === "DeleteRange") {
      const existed = store.delete(key);
      return existed ? Buffer.concat([header, varintField(2, 1)]) : header;
    }
    // Txn: one compare, success = one put, failure = one range
    const compare = fieldsOf(req.get(1) as Buffer);
    const k = String(compare.get(3));
    const holds =
      compare.get(2) === 1
        ? compare.get(5) === 0 && !store.has(k) // CREATE, create_revision 0: absent
        : compare.get(2) === 3 && store.get(k) === String(compare.get(7)); // VALUE
    if (holds) {
      const put = fieldsOf(fieldsOf(req.get(2) as Buffer).get(2) as Buffer);
      store.set(String(put.get(1)), String(put.get(2)));
      return Buffer.concat([header, varintField(2, 1), bytesField(3, bytesField(2, header))]);
    }
    return Buffer.concat([header, bytesField(3, bytesField(1, rangeResponse(k)))]);
  };
  const server: Http2Server = createServer();
  server.on("stream", (stream: ServerHttp2Stream, headers) => {
    const method = String(headers[":path"]).replace("/etcdserverpb.KV/", "");
    stream.on("error", () => undefined); // the streams this server resets on purpose
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      const body = Buffer.concat(chunks);
      assert.is(headers["content-type"], "application/grpc");
      assert.is(body[0], 0, "not compressed");
      assert.is(body.readUInt32BE(1), body.length - 5, "one length-prefixed message");
      const req = fieldsOf(body.subarray(5));
      const key = String(req.get(1));
      calls.push(method);
      if (key === "no-leader") {
        // trailers-only: the status in the headers, no message
        stream.respond(
          {
            ":status": 200,
            "content-type": "application/grpc",
            "grpc-status": "14",
            "grpc-message": "etcdserver%3A%20no%20leader",
          },
          { endStream: true },
        );
        return;
      }
      if (key === "reset") return stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      if (key === "silent") return; // never answers
      const msg = answer(method, req);
      const frame = Buffer.alloc(5 + msg.length);
      frame.writeUInt32BE(msg.length, 1);
      msg.copy(frame, 5);
      stream.respond(
        { ":status": 200, "content-type": "application/grpc" },
        { waitForTrailers: true },
      );
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(frame);
    });
  });
  return { server, store, calls };
}

async function listening(server: Http2Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test("each operation maps to its gRPC call and the answer to our result", async () => {
  const etcd = fakeEtcd();
  const channel = new EtcdChannel(await listening(etcd.server), 5_000);
  try {
    await channel.connected();
    const c = new EtcdClient(channel);
    const run = (op: Operation) => c.execute(op);
    assert.equal(await run({ type: "get", key: "a" }), { type: "get", value: null });
    assert.equal(await run({ type: "put", key: "a", value: "1" }), { type: "put" });
    assert.equal(await run({ type: "get", key: "a" }), { type: "get", value: "1" });
    assert.equal(await run({ type: "cas", key: "a", expected: "1", value: "2" }), {
      type: "cas",
      ok: true,
      value: "2",
    });
    assert.equal(await run({ type: "cas", key: "a", expected: "1", value: "3" }), {
      type: "cas",
      ok: false,
      value: "2",
    });
    assert.equal(await run({ type: "cas", key: "b", expected: null, value: "x" }), {
      type: "cas",
      ok: true,
      value: "x",
    });
    assert.equal(await run({ type: "cas", key: "b", expected: null, value: "y" }), {
      type: "cas",
      ok: false,
      value: "x",
    });
    assert.equal(await run({ type: "cas", key: "z", expected: "q", value: "y" }), {
      type: "cas",
      ok: false,
      value: null,
    });
    assert.equal(await run({ type: "delete", key: "a" }), { type: "delete", existed: true });
    assert.equal(await run({ type: "delete", key: "a" }), { type: "delete", existed: false });
    assert.equal(Object.fromEntries(etcd.store), { b: "x" });
    assert.equal(etcd.calls.slice(0, 4), ["Range", "Put", "Range", "Txn"]);
  } finally {
    channel.close();
    etcd.server.close();
  }
});

test("an error status, a reset stream or no answer in time fails the operation", async () => {
  const etcd = fakeEtcd();
  const channel = new EtcdChannel(await listening(etcd.server), 300);
  try {
    const c = new EtcdClient(channel);
    const failure = async (key: string) => {
      try {
        await c.execute({ type: "put", key, value: "v" });
      } catch (e) {
        return (e as Error).message;
      }
      return "answered";
    };
    assert.match(await failure("no-leader"), /Put: gRPC status 14: etcdserver: no leader/);
    assert.match(await failure("reset"), /Put: /);
    assert.match(await failure("silent"), /Put: no answer in 300 ms/);
    // the channel still serves calls after all that
    assert.equal(await c.execute({ type: "get", key: "k" }), { type: "get", value: null });
  } finally {
    channel.close();
    etcd.server.close();
  }
});

test("a member that does not listen: the channel says so", async () => {
  const { server } = fakeEtcd();
  const endpoint = await listening(server);
  server.close();
  await once(server, "close");
  const channel = new EtcdChannel(endpoint, 1_000);
  await channel.connected().then(
    () => assert.unreachable("connected to a closed port"),
    (e: Error) => assert.match(e.message, /could not connect/),
  );
  channel.close();
});

test.run();

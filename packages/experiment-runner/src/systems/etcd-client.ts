// A key-value client of etcd's v3 JSON gateway (grpc-gateway): the same operations as our
// engine's client, so our load generator drives etcd and records its history in our format.
// Keys and values travel base64-encoded; int64s arrive as strings; fields with their default
// value (false, 0, empty) are left out of the JSON.
//
//   get    POST /v3/kv/range        {key, serializable: false}     (a linearizable read)
//   put    POST /v3/kv/put          {key, value}
//   delete POST /v3/kv/deleterange  {key}                         -> deleted: "1" | absent
//   cas    POST /v3/kv/txn          compare the value (or create_revision 0 for "absent"),
//                                   success: put, failure: range   -> succeeded: true | absent
//
// Anything but a 200 with a well-formed body is an error: the operation's outcome is unknown.
//
// Plain node:http over keep-alive sockets, not fetch: at 256 clients undici's fetch (web
// streams, an AbortSignal per request, its own pool) cost the load generator about 420 us of
// CPU per operation, and the comparison measured our client instead of etcd. Each client has
// its own agent, so it holds one socket per request it has in flight and reuses it. The
// timeout is the socket's idle timeout while a request is out (no timer of its own per
// request): with one small request and answer per socket that is the request's time.

import { Agent, request } from "node:http";
import type { Operation, Result } from "@paxos/core";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string | undefined) =>
  s === undefined ? "" : Buffer.from(s, "base64").toString("utf8");

interface KeyValue {
  value?: string;
}

/** The value of the first kv of a range response, null when there is none. */
function firstValue(body: { kvs?: KeyValue[] } | undefined): string | null {
  const kv = body?.kvs?.[0];
  return kv === undefined ? null : unb64(kv.value);
}

export class EtcdClient {
  /** operations sent and not yet answered */
  outstanding = 0;
  private readonly agent = new Agent({ keepAlive: true });
  private readonly host: string;
  private readonly port: number;

  constructor(
    readonly clientId: string,
    /** http://host:port of the member this client talks to */
    endpoint: string,
    private readonly timeoutMs: number,
  ) {
    const url = new URL(endpoint);
    if (url.protocol !== "http:") throw new Error(`etcd endpoint ${endpoint}: not http://`);
    this.host = url.hostname;
    this.port = Number(url.port || 80);
  }

  private call(path: string, body: unknown): Promise<Record<string, unknown>> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.host,
          port: this.port,
          path,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(payload),
          },
          timeout: this.timeoutMs,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("error", reject);
          res.on("end", () => {
            if (res.statusCode !== 200) {
              reject(new Error(`etcd ${path}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
              return;
            }
            try {
              const json = JSON.parse(text) as unknown;
              if (typeof json !== "object" || json === null || !("header" in json)) {
                throw new Error("no header");
              }
              resolve(json as Record<string, unknown>);
            } catch {
              reject(new Error(`etcd ${path}: not a response: ${text.slice(0, 200)}`));
            }
          });
        },
      );
      req.on("timeout", () =>
        req.destroy(new Error(`etcd ${path}: no answer in ${this.timeoutMs} ms`)),
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  async execute(op: Operation): Promise<Result> {
    this.outstanding++;
    try {
      return await this.apply(op);
    } finally {
      this.outstanding--;
    }
  }

  private async apply(op: Operation): Promise<Result> {
    const key = b64(op.key);
    switch (op.type) {
      case "get": {
        const r = await this.call("/v3/kv/range", { key, serializable: false });
        return { type: "get", value: firstValue(r as { kvs?: KeyValue[] }) };
      }
      case "put":
        await this.call("/v3/kv/put", { key, value: b64(op.value) });
        return { type: "put" };
      case "delete": {
        const r = await this.call("/v3/kv/deleterange", { key });
        return { type: "delete", existed: Number(r.deleted ?? 0) > 0 };
      }
      case "cas": {
        const compare =
          op.expected === null
            ? { key, target: "CREATE", result: "EQUAL", create_revision: "0" }
            : { key, target: "VALUE", result: "EQUAL", value: b64(op.expected) };
        const r = await this.call("/v3/kv/txn", {
          compare: [compare],
          success: [{ request_put: { key, value: b64(op.value) } }],
          failure: [{ request_range: { key } }],
        });
        if (r.succeeded === true) return { type: "cas", ok: true, value: op.value };
        const responses = r.responses as { response_range?: { kvs?: KeyValue[] } }[] | undefined;
        const range = responses?.[0]?.response_range;
        if (range === undefined) throw new Error("etcd txn: a failed compare without its range");
        return { type: "cas", ok: false, value: firstValue(range) };
      }
    }
  }

  /** Closes its sockets; a request still out fails (its outcome unknown). */
  async close(): Promise<void> {
    this.agent.destroy();
  }
}

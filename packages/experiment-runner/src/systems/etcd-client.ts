// A key-value client of etcd over its native gRPC API (service etcdserverpb.KV): the same
// operations as our engine's client, so our load generator drives etcd and records its
// history in our format. Keys and values are the UTF-8 bytes of our strings.
//
//   get    Range {key}                 (serializable left false: a linearizable read)
//   put    Put {key, value}
//   delete DeleteRange {key}           -> deleted: 1 | 0
//   cas    Txn: compare the value (or create_revision 0 for "absent"),
//          success: put, failure: range -> succeeded, or the value read
//
// Anything but status 0 with a well-formed answer is an error: the operation's outcome is
// unknown. Why gRPC over HTTP/2 rather than the JSON gateway or @grpc/grpc-js: see
// etcd-grpc.ts.

import { type Operation, PUT_DONE, type Result } from "@paxos/core";
import type { EtcdChannel } from "./etcd-grpc.js";
import {
  casTxnRequest,
  casTxnResponse,
  deletedCount,
  deleteRangeRequest,
  firstValue,
  putRequest,
  rangeRequest,
} from "./etcd-proto.js";

export class EtcdClient {
  constructor(
    /** the connection to the member this client talks to, shared with its other clients */
    private readonly channel: EtcdChannel,
  ) {}

  execute(op: Operation): Promise<Result> {
    return this.apply(op);
  }

  private async apply(op: Operation): Promise<Result> {
    const ch = this.channel;
    switch (op.type) {
      case "get": {
        const r = await ch.call("/etcdserverpb.KV/Range", rangeRequest(op.key));
        return { type: "get", value: firstValue(r) };
      }
      case "put":
        await ch.call("/etcdserverpb.KV/Put", putRequest(op.key, op.value));
        return PUT_DONE;
      case "delete": {
        const r = await ch.call("/etcdserverpb.KV/DeleteRange", deleteRangeRequest(op.key));
        return { type: "delete", existed: deletedCount(r) > 0 };
      }
      case "cas": {
        const r = casTxnResponse(
          await ch.call("/etcdserverpb.KV/Txn", casTxnRequest(op.key, op.expected, op.value)),
        );
        if (r.succeeded) return { type: "cas", ok: true, value: op.value };
        if (r.range === undefined) throw new Error("etcd txn: a failed compare without its range");
        return { type: "cas", ok: false, value: firstValue(r.range) };
      }
    }
  }

  /** Nothing of its own to close: the channel is shared, and its owner closes it. */
  async close(): Promise<void> {}
}

// The few messages of etcd's v3 KV service (package etcdserverpb, etcd's rpc.proto and
// mvccpb's kv.proto) that our client sends and reads, in the protobuf wire format written by
// hand: four requests to encode and the fields of four responses to read. Field numbers are
// etcd's; a field this client does not use is skipped on reading and never written.
//
//   RangeRequest        key=1 (serializable=7 left false: a linearizable read)
//   PutRequest          key=1 value=2
//   DeleteRangeRequest  key=1
//   TxnRequest          compare=1 success=2 failure=3 (RequestOp: request_range=1 request_put=2)
//   Compare             result=1 (EQUAL=0) target=2 (CREATE=1, VALUE=3) key=3
//                       create_revision=5 | value=7 (the target_union oneof)
//   RangeResponse       kvs=2 (KeyValue: value=5)
//   DeleteRangeResponse deleted=2
//   TxnResponse         succeeded=2 responses=3 (ResponseOp: response_range=1)

const VARINT = 0;
const FIXED64 = 1;
const BYTES = 2;
const FIXED32 = 5;

/** Appends protobuf fields to a growing list of chunks. */
class Writer {
  private readonly parts: Uint8Array[] = [];

  private varint(n: number): void {
    const out: number[] = [];
    let v = n;
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.parts.push(Uint8Array.from(out));
  }

  /** A varint field, written even when 0 (a oneof member must be). */
  uint(field: number, n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`protobuf field ${field}: ${n}`);
    this.varint((field << 3) | VARINT);
    this.varint(n);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.varint((field << 3) | BYTES);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, "utf8"));
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function rangeRequest(key: string): Buffer {
  return new Writer().string(1, key).finish();
}

export function putRequest(key: string, value: string): Buffer {
  return new Writer().string(1, key).string(2, value).finish();
}

export function deleteRangeRequest(key: string): Buffer {
  return new Writer().string(1, key).finish();
}

const TARGET_CREATE = 1;
const TARGET_VALUE = 3;

/**
 * Sets `key` to `value` if its value is `expected` (null: the key does not exist, that is its
 * create_revision is 0), and otherwise reads it: success is a put, failure a range.
 */
export function casTxnRequest(key: string, expected: string | null, value: string): Buffer {
  const compare = new Writer().uint(2, expected === null ? TARGET_CREATE : TARGET_VALUE);
  compare.string(3, key);
  if (expected === null) compare.uint(5, 0);
  else compare.string(7, expected);
  const success = new Writer().bytes(2, putRequest(key, value)).finish();
  const failure = new Writer().bytes(1, rangeRequest(key)).finish();
  return new Writer().bytes(1, compare.finish()).bytes(2, success).bytes(3, failure).finish();
}

/** One field read from a message: a varint's value or a length-delimited field's bytes. */
type Field = { field: number; varint: number } | { field: number; bytes: Buffer };

/** The fields of a message in order; throws on anything that is not well-formed protobuf. */
export function readFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let at = 0;
  const varint = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (at >= buf.length) throw new Error("protobuf: a varint runs past the end");
      const b = buf[at++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 128;
      if (scale > 2 ** 63) throw new Error("protobuf: a varint longer than 10 bytes");
    }
  };
  while (at < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === VARINT) fields.push({ field, varint: varint() });
    else if (wire === BYTES) {
      const len = varint();
      if (at + len > buf.length) throw new Error(`protobuf: field ${field} runs past the end`);
      fields.push({ field, bytes: buf.subarray(at, at + len) });
      at += len;
    } else if (wire === FIXED64) at += 8;
    else if (wire === FIXED32) at += 4;
    else throw new Error(`protobuf: wire type ${wire} of field ${field}`);
  }
  if (at > buf.length) throw new Error("protobuf: a fixed-size field runs past the end");
  return fields;
}

function bytesOf(f: Field | undefined): Buffer | undefined {
  return f !== undefined && "bytes" in f ? f.bytes : undefined;
}

function varintOf(f: Field | undefined): number {
  return f !== undefined && "varint" in f ? f.varint : 0;
}

/** The value of a RangeResponse's first kv, null when it has none. */
export function firstValue(rangeResponse: Buffer): string | null {
  const kv = bytesOf(readFields(rangeResponse).find((f) => f.field === 2));
  if (kv === undefined) return null;
  const value = bytesOf(readFields(kv).find((f) => f.field === 5));
  return value === undefined ? "" : value.toString("utf8");
}

/** A DeleteRangeResponse's count of deleted keys. */
export function deletedCount(deleteRangeResponse: Buffer): number {
  return varintOf(readFields(deleteRangeResponse).find((f) => f.field === 2));
}

/**
 * A TxnResponse of `casTxnRequest`: succeeded, or failed with the range its failure branch
 * read (undefined when the response has none).
 */
export function casTxnResponse(
  txnResponse: Buffer,
): { succeeded: true } | { succeeded: false; range: Buffer | undefined } {
  const fields = readFields(txnResponse);
  if (varintOf(fields.find((f) => f.field === 2)) !== 0) return { succeeded: true };
  const op = bytesOf(fields.find((f) => f.field === 3));
  const range = op === undefined ? undefined : bytesOf(readFields(op).find((f) => f.field === 1));
  return { succeeded: false, range };
}

// The hand-written protobuf of our etcd client: requests byte for byte as the wire format
// spells them with etcd's field numbers (worked out by hand below, not by an encoder), and the
// fields it reads out of answers, past fields it does not know.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  casTxnRequest,
  casTxnResponse,
  deletedCount,
  deleteRangeRequest,
  firstValue,
  putRequest,
  rangeRequest,
  readFields,
} from "../src/systems/etcd-proto.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const k = "6b"; // "k"
const v = "76"; // "v"
const rangeRequestHex = `0a01${k}`;
const putRequestHex = `0a01${k}1201${v}`;

test("Range, Put and DeleteRange requests: key = field 1, value = field 2", () => {
  assert.is(hex(rangeRequest("k")), `0a01${k}`); // tag 1<<3|2, length 1, "k"
  assert.is(hex(putRequest("k", "v")), `0a01${k}1201${v}`);
  assert.is(hex(deleteRangeRequest("k")), `0a01${k}`);
  // a length of 200 takes two varint bytes: 0xc8 0x01
  assert.is(hex(putRequest("k", "x".repeat(200))).slice(0, 12), `0a01${k}12c801`);
  // UTF-8 bytes, not UTF-16 code units
  assert.is(hex(rangeRequest("é")), "0a02c3a9");
});

test("a cas on an absent key compares create_revision = 0, written although it is 0 (a oneof)", () => {
  const compare = ["1001", `1a01${k}`, "2800"].join(""); // target CREATE, key, create_revision 0
  const success = `1206${putRequestHex}`; // RequestOp.request_put
  const failure = `0a03${rangeRequestHex}`; // RequestOp.request_range
  assert.is(hex(casTxnRequest("k", null, "v")), `0a07${compare}1208${success}1a05${failure}`);
});

test("a cas on a value compares target VALUE with value = field 7 (result EQUAL = 0 left out)", () => {
  const compare = ["1003", `1a01${k}`, "3a0161"].join(""); // target VALUE, key, value "a"
  const txn = hex(casTxnRequest("k", "a", "v"));
  assert.ok(txn.startsWith(`0a08${compare}12`), txn);
});

// Answers as etcd writes them, built by hand: header = field 1, kvs = field 2.
const header = ["0a04", "1801", "2002"].join(""); // ResponseHeader {revision 1, raft_term 2}
// KeyValue {key, create_revision 5, mod_revision 300, version 1, value}
const keyValue = [`0a01${k}`, "1005", "18ac02", "2001", `2a01${v}`].join("");

test("a Range answer: the first kv's value, null with no kv, '' for an empty value", () => {
  assert.is(firstValue(Buffer.from(`${header}120d${keyValue}`, "hex")), "v");
  assert.is(firstValue(Buffer.from(header, "hex")), null);
  assert.is(firstValue(Buffer.from(`${header}1203${`0a01${k}`}`, "hex")), "");
  // fields it does not read, of every wire type, are skipped: fixed64 (9), fixed32 (10), more=3
  const padded = `${header}49${"00".repeat(8)}55${"00".repeat(4)}1801120d${keyValue}`;
  assert.is(firstValue(Buffer.from(padded, "hex")), "v");
});

test("DeleteRange and Txn answers: deleted, succeeded, and the failure's range", () => {
  assert.is(deletedCount(Buffer.from(`${header}1001`, "hex")), 1);
  assert.is(deletedCount(Buffer.from(header, "hex")), 0, "0 is left out of the wire");
  assert.equal(casTxnResponse(Buffer.from(`${header}1001`, "hex")), { succeeded: true });
  const range = `${header}120d${keyValue}`;
  const op = `0a${(range.length / 2).toString(16)}${range}`; // ResponseOp.response_range
  const failed = casTxnResponse(
    Buffer.from(`${header}1a${(op.length / 2).toString(16)}${op}`, "hex"),
  );
  assert.is(failed.succeeded, false);
  assert.is(!failed.succeeded && failed.range && firstValue(failed.range), "v");
  assert.equal(casTxnResponse(Buffer.from(header, "hex")), { succeeded: false, range: undefined });
});

test("malformed protobuf is an error, not a wrong answer", () => {
  assert.throws(() => readFields(Buffer.from("0a05ab", "hex")), /field 1 runs past the end/);
  assert.throws(() => readFields(Buffer.from("08ff", "hex")), /varint runs past the end/);
  assert.throws(() => readFields(Buffer.from("0b", "hex")), /wire type 3 of field 1/);
  assert.throws(() => readFields(Buffer.from("4900", "hex")), /fixed-size field runs past/);
});

test.run();

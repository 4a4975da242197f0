// The node's storage on its own, deterministic: the CRC, the entry framing, torn tails cut,
// corruption anywhere else refused with file and offset, compaction (also interrupted),
// the snapshot file, and the data dir's stamp.

import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import type { PersistRecord, SnapshotRecord } from "@paxos/core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { crc32c } from "../src/storage/crc32c.js";
import { claimDataDir, DataDirError } from "../src/storage/data-dir.js";
import { CorruptDataError, EntryKind, encodeEntry, HEADER_BYTES } from "../src/storage/entry.js";
import { openStorage, type StorageMode } from "../src/storage/node-storage.js";
import { listSegments, SEGMENT_MAGIC, segmentName } from "../src/storage/segment-log.js";

const ballot = { round: 3, leader: "n1" };
const accept = (slot: number, value = `v${slot}`): PersistRecord => ({
  type: "accept",
  pvalue: {
    ballot,
    slot,
    value: [{ clientId: "c", seq: slot, ackedBelow: 0, op: { type: "put", key: "k", value } }],
  },
});
const snapshot = (slot: number): SnapshotRecord => ({
  type: "snapshot",
  slot,
  entries: [["k", `v${slot - 1}`]],
  sessions: [{ clientId: "c", ackedBelow: 0, results: [[slot - 1, { type: "put" }]] }],
});

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "node-storage-"));
  try {
    fn(join(dir, "n1"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function open(dir: string, mode: StorageMode = "fsync", compactLogBytes?: number) {
  return openStorage({
    mode,
    dir,
    clusterId: "test",
    nodeId: "n1",
    ...(compactLogBytes === undefined ? {} : { compactLogBytes }),
  });
}

function segmentPath(dir: string): string {
  const segments = listSegments(dir);
  assert.is(segments.length, 1, "one segment");
  return join(dir, segments[0]!.name);
}

/** The start offset of every entry of a segment. */
function entryOffsets(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let at = SEGMENT_MAGIC.length; at < bytes.length; ) {
    out.push(at);
    at += HEADER_BYTES + bytes.readUInt32LE(at);
  }
  return out;
}

function expectCorrupt(dir: string, file: string, offset: number, fragment: string): void {
  try {
    open(dir);
  } catch (error) {
    assert.instance(error, CorruptDataError);
    const e = error as CorruptDataError;
    assert.is(e.file, file);
    assert.is(e.offset, offset);
    assert.match(e.message, `${file}: corrupt data at byte offset ${offset}`);
    assert.match(e.message, fragment);
    assert.match(e.message, "move its data dir away");
    return;
  }
  assert.unreachable("the node must refuse to start");
}

test("crc32c: the check value of RFC 3720, and slicing-by-8 agrees with bytewise", () => {
  assert.is(crc32c(Buffer.from("123456789")), 0xe3069283);
  assert.is(crc32c(Buffer.alloc(32)), 0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  const bytewise = (b: Uint8Array) => {
    let c = 0xffffffff;
    for (const x of b) {
      c ^= x;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
    return ~c >>> 0;
  };
  for (let n = 0; n < 70; n++) {
    const b = Buffer.from(Array.from({ length: n }, (_, i) => (i * 7919 + n) & 0xff));
    assert.is(crc32c(b), bytewise(b), `length ${n}`);
    if (n > 3) assert.is(crc32c(b, 3, n, crc32c(b, 0, 3)), bytewise(b), "continued");
  }
});

test("records come back in order across restarts, the snapshot first", () =>
  withDir((dir) => {
    const first = open(dir);
    assert.equal(first.recovered.records, []);
    first.storage.persist([
      { type: "round", round: 3 },
      { type: "promise", ballot },
    ]);
    first.storage.persist([accept(0), snapshot(1), accept(1)]);
    first.storage.persist([snapshot(2), { type: "decided", below: 2 }, { type: "trim", below: 1 }]);
    first.storage.close();
    const again = open(dir);
    assert.equal(again.recovered.records, [
      snapshot(2),
      { type: "round", round: 3 },
      { type: "promise", ballot },
      accept(0),
      accept(1),
      { type: "decided", below: 2 },
      { type: "trim", below: 1 },
    ]);
    assert.is(again.recovered.snapshotSlot, 2);
    again.storage.persist([accept(2)]);
    again.storage.close();
    assert.equal(open(dir, "file").recovered.records.at(-1), accept(2));
  }));

test("a torn last entry is cut and the log goes on from there", () =>
  withDir((dir) => {
    const { storage } = open(dir);
    storage.persist([accept(0)]);
    storage.persist([accept(1)]);
    storage.close();
    const path = segmentPath(dir);
    const good = statSync(path).size;
    // a write cut short: the header and half the payload of the next entry
    const next = encodeEntry(EntryKind.drain, Buffer.from(JSON.stringify([accept(2)])));
    appendFileSync(path, next.subarray(0, HEADER_BYTES + 10));
    const reopened = open(dir);
    assert.equal(reopened.recovered.records, [accept(0), accept(1)]);
    assert.is(reopened.recovered.torn?.file, path);
    assert.is(reopened.recovered.torn?.bytes, HEADER_BYTES + 10);
    assert.match(reopened.recovered.torn?.reason ?? "", "runs past the end of the file");
    assert.is(statSync(path).size, good);
    reopened.storage.persist([accept(3)]);
    reopened.storage.close();
    assert.equal(open(dir).recovered.records, [accept(0), accept(1), accept(3)]);
  }));

test("a tail of zeros (the file grew, the data never landed) is a torn write too", () =>
  withDir((dir) => {
    const { storage } = open(dir);
    storage.persist([accept(0)]);
    storage.close();
    appendFileSync(segmentPath(dir), Buffer.alloc(4096));
    const reopened = open(dir);
    assert.equal(reopened.recovered.records, [accept(0)]);
    assert.is(reopened.recovered.torn?.bytes, 4096);
    reopened.storage.close();
  }));

test("one flipped byte in a middle entry: refused, naming the file and the entry's offset", () =>
  withDir((dir) => {
    const { storage } = open(dir);
    for (let slot = 0; slot < 5; slot++) storage.persist([accept(slot)]);
    storage.close();
    const path = segmentPath(dir);
    const bytes = readFileSync(path);
    const offsets = entryOffsets(bytes);
    // in the payload of the third entry
    bytes[offsets[2]! + HEADER_BYTES + 5]! ^= 0x01;
    writeFileSync(path, bytes);
    expectCorrupt(dir, path, offsets[2]!, "payload checksum mismatch");
    // and in a header's length field
    bytes[offsets[2]! + HEADER_BYTES + 5]! ^= 0x01;
    bytes[offsets[1]!]! ^= 0x40;
    writeFileSync(path, bytes);
    expectCorrupt(dir, path, offsets[1]!, "header checksum mismatch");
    assert.is(readFileSync(path).length, bytes.length, "nothing was cut");
  }));

test("15 bytes of garbage inserted in the middle: refused, nothing cut", () =>
  withDir((dir) => {
    const { storage } = open(dir);
    for (let slot = 0; slot < 5; slot++) storage.persist([accept(slot)]);
    storage.close();
    const path = segmentPath(dir);
    const bytes = readFileSync(path);
    const at = entryOffsets(bytes)[3]!;
    const garbled = Buffer.concat([
      bytes.subarray(0, at),
      Buffer.from("garbage-garbage"),
      bytes.subarray(at),
    ]);
    writeFileSync(path, garbled);
    expectCorrupt(dir, path, at, "a valid entry follows at offset");
    assert.is(statSync(path).size, garbled.length);
  }));

test("a corrupt snapshot file is refused (it is replaced atomically: never torn)", () =>
  withDir((dir) => {
    const { storage } = open(dir);
    storage.persist([snapshot(10)]);
    storage.close();
    const path = join(dir, "snapshot");
    const bytes = readFileSync(path);
    bytes[bytes.length - 3]! ^= 0xff;
    writeFileSync(path, bytes);
    expectCorrupt(dir, path, 8, "payload checksum mismatch");
  }));

test("compaction: the log stays under its bound, and a restart reads the checkpoint and the tail", () =>
  withDir((dir) => {
    const bound = 64 * 1024;
    // "file": the same files without a sync per drain (the sync is not what is tested here)
    const { storage } = open(dir, "file", bound);
    // What the "engine" holds: promise, round, and the accepts not yet trimmed.
    const live = new Map<number, PersistRecord>();
    let trimmed = 0;
    const checkpoint = (): PersistRecord[] => [
      { type: "promise", ballot },
      { type: "round", round: 3 },
      { type: "trim", below: trimmed },
      ...live.values(),
    ];
    storage.persist([
      { type: "promise", ballot },
      { type: "round", round: 3 },
    ]);
    let compactions = 0;
    let maxLogBytes = 0;
    for (let slot = 0; slot < 2000; slot++) {
      const r = accept(slot, "x".repeat(200));
      live.set(slot, r);
      const records: PersistRecord[] = [r];
      if (slot % 25 === 24) {
        trimmed = slot - 25;
        for (const s of live.keys()) if (s < trimmed) live.delete(s);
        records.push({ type: "trim", below: trimmed });
      }
      storage.persist(records);
      if (storage.maybeCompact(checkpoint)) compactions++;
      maxLogBytes = Math.max(maxLogBytes, storage.stats.logBytes);
    }
    storage.close();
    assert.ok(compactions >= 5, `compacted ${compactions} times`);
    assert.ok(maxLogBytes < bound + 1024, `log peaked at ${maxLogBytes} bytes`);
    assert.is(listSegments(dir).length, 1, "old segments deleted");
    const { recovered } = open(dir);
    // replaying gives the engine's state: the accepts at or above the last trim
    const accepts = new Map<number, PersistRecord>();
    let below = 0;
    for (const r of recovered.records) {
      if (r.type === "accept") accepts.set(r.pvalue.slot, r);
      if (r.type === "trim") below = Math.max(below, r.below);
    }
    for (const s of accepts.keys()) if (s < below) accepts.delete(s);
    assert.is(below, trimmed);
    assert.equal([...accepts.keys()], [...live.keys()]);
  }));

test("an interrupted compaction: leftovers are removed, the newest whole segment wins", () =>
  withDir((dir) => {
    const first = open(dir);
    first.storage.persist([accept(0)]);
    first.storage.close();
    // the new segment was renamed into place but the old one not yet deleted ...
    const checkpoint = encodeEntry(EntryKind.checkpoint, Buffer.from(JSON.stringify([accept(7)])));
    writeFileSync(join(dir, segmentName(2)), Buffer.concat([SEGMENT_MAGIC, checkpoint]));
    // ... and a temp file of a later one was being written
    writeFileSync(join(dir, `${segmentName(3)}.tmp`), SEGMENT_MAGIC);
    const { storage, recovered } = open(dir);
    storage.close();
    assert.equal(recovered.records, [accept(7)]);
    assert.is(recovered.staleSegments, 1);
    assert.equal(
      listSegments(dir).map((s) => s.n),
      [2],
    );
    assert.not.ok(existsSync(join(dir, `${segmentName(3)}.tmp`)));
  }));

test("a later segment that does not start with a checkpoint is corruption", () =>
  withDir((dir) => {
    open(dir).storage.close();
    const drain = encodeEntry(EntryKind.drain, Buffer.from(JSON.stringify([accept(1)])));
    const path = join(dir, segmentName(2));
    writeFileSync(path, Buffer.concat([SEGMENT_MAGIC, drain]));
    expectCorrupt(dir, path, 8, "must start with a checkpoint");
  }));

test("a record that passes its checksum but is not a record is refused", () =>
  withDir((dir) => {
    open(dir).storage.close();
    const path = segmentPath(dir);
    const bad = encodeEntry(
      EntryKind.drain,
      Buffer.from(JSON.stringify([{ type: "promise", ballot: { round: -1, leader: "n1" } }])),
    );
    appendFileSync(path, bad);
    expectCorrupt(dir, path, 8, "[0].ballot.round");
  }));

test("the data dir is stamped on first use; another node's dir is refused with one clear line", () =>
  withDir((dir) => {
    open(dir).storage.close();
    assert.equal(JSON.parse(readFileSync(join(dir, "IDENTITY"), "utf8")), {
      format: "paxos-node-data/1",
      clusterId: "test",
      nodeId: "n1",
    });
    for (const [clusterId, nodeId] of [
      ["test", "n2"],
      ["other", "n1"],
    ] as const) {
      try {
        claimDataDir(dir, { clusterId, nodeId }, true);
        assert.unreachable("must refuse");
      } catch (error) {
        assert.instance(error, DataDirError);
        const message = (error as Error).message;
        assert.is(message.split("\n").length, 1);
        assert.match(
          message,
          `${dir} is the data dir of node "n1" of cluster "test", not of node "${nodeId}" of cluster "${clusterId}"`,
        );
      }
    }
  }));

test("an old state.jsonl data dir, or state without a stamp, is refused", () =>
  withDir((dir) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "state.jsonl"), '{"type":"round","round":1}\n');
    assert.throws(() => open(dir), /holds state\.jsonl, the durable log of an older paxos-node/);
    rmSync(join(dir, "state.jsonl"));
    writeFileSync(join(dir, segmentName(1)), SEGMENT_MAGIC);
    assert.throws(() => open(dir), /holds node state but no IDENTITY stamp/);
  }));

test("one process per data dir: a live holder is refused, a dead one's lock is taken over", () =>
  withDir((dir) => {
    const first = open(dir);
    assert.throws(() => open(dir), new RegExp(`${dir} is in use by process ${process.pid} on `));
    first.storage.close();
    assert.not.ok(existsSync(join(dir, "LOCK")), "closing releases the lock");
    // a holder that was SIGKILLed: a pid no process has (above Linux's pid_max)
    writeFileSync(join(dir, "LOCK"), JSON.stringify({ pid: 2 ** 30, host: hostname() }));
    const second = open(dir);
    assert.is(JSON.parse(readFileSync(join(dir, "LOCK"), "utf8")).pid, process.pid);
    second.storage.close();
    // a torn lock (a crash while it was written) is stale too
    writeFileSync(join(dir, "LOCK"), '{"pid":');
    open(dir).storage.close();
  }));

test("memory mode touches no disk", () =>
  withDir((dir) => {
    const { storage, recovered } = open(dir, "memory");
    storage.persist([accept(0), snapshot(1)]);
    assert.not.ok(storage.maybeCompact(() => []));
    storage.close();
    assert.equal(recovered.records, []);
    assert.not.ok(existsSync(dir));
  }));

test.run();

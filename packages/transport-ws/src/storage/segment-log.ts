// The durable log: the engine's persist records (acceptor promises, accepts and trims, the
// leader's round and decided prefix) in segment files `log-<12 digits>.seg`, one entry per
// drain (entry.ts). Appends go to the newest segment; compaction replaces the whole log by
// a checkpoint (the records that rebuild the acceptor's and leader's state as it is now) at
// the head of a fresh segment and deletes the older segments, so the log holds a bounded
// amount of history. etcd's WAL is cut into segments the same way and its snapshot lets it
// release the older ones; here the "snapshot" of acceptor and leader state is small enough to
// rewrite at every compaction.
//
// Crash safety of compaction: the new segment is written as a temp file, synced and renamed
// (so it exists whole or not at all), then the directory is synced, then the older segments
// are deleted. A segment other than the very first one always starts with a checkpoint entry,
// so on open every segment older than the newest one is leftover of an interrupted compaction.

import {
  closeSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import type { PersistRecord } from "@paxos/core";
import {
  CorruptDataError,
  type Entry,
  EntryKind,
  encodeEntry,
  MAGIC_BYTES,
  scanEntries,
} from "./entry.js";
import { removeTemp, syncDir, writeAll, writeFileAtomic } from "./fsync.js";
import { checkPersistRecord } from "./record-check.js";

export const SEGMENT_MAGIC = Buffer.from("paxlog1\n", "latin1");
const SEGMENT_RE = /^log-(\d{12})\.seg$/;

export function segmentName(n: number): string {
  return `log-${String(n).padStart(12, "0")}.seg`;
}

/** The segments in a directory, oldest first. */
export function listSegments(dir: string): { n: number; name: string }[] {
  const out: { n: number; name: string }[] = [];
  for (const name of readdirSync(dir)) {
    const m = SEGMENT_RE.exec(name);
    if (m !== null) out.push({ n: Number(m[1]), name });
  }
  return out.sort((a, b) => a.n - b.n);
}

function decodeRecords(entry: Entry, file: string): PersistRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(entry.payload.toString("utf8"));
  } catch (error) {
    throw new CorruptDataError(
      file,
      entry.offset,
      `entry is not JSON (${(error as Error).message})`,
    );
  }
  if (!Array.isArray(value)) {
    throw new CorruptDataError(file, entry.offset, "entry is not an array of records");
  }
  value.forEach((r, i) => {
    const problem = checkPersistRecord(r, `[${i}]`);
    if (problem !== undefined) throw new CorruptDataError(file, entry.offset, problem);
  });
  return value as PersistRecord[];
}

export interface LogRecovery {
  readonly records: PersistRecord[];
  /** a torn last entry that was cut off, if any */
  readonly torn:
    | { readonly file: string; readonly bytes: number; readonly reason: string }
    | undefined;
  /** segments left over from an interrupted compaction, deleted now */
  readonly staleSegments: number;
}

export class SegmentLog {
  private fd: number;
  private segment: number;
  /** bytes of the current segment (all older segments are gone after open) */
  private segmentBytes: number;
  /** bytes of the checkpoint the current segment started with */
  private checkpointBytes: number;

  private constructor(
    readonly dir: string,
    private readonly sync: boolean,
    segment: number,
    fd: number,
    segmentBytes: number,
    checkpointBytes: number,
  ) {
    this.segment = segment;
    this.fd = fd;
    this.segmentBytes = segmentBytes;
    this.checkpointBytes = checkpointBytes;
  }

  /** Opens (creating) the log in `dir` and reads back what it holds. */
  static open(
    dir: string,
    options: { sync: boolean },
  ): { log: SegmentLog; recovered: LogRecovery } {
    mkdirSync(dir, { recursive: true });
    const segments = listSegments(dir);
    for (const s of segments) removeTemp(join(dir, s.name));
    if (segments.length > 0) removeTemp(join(dir, segmentName(segments.at(-1)!.n + 1)));
    if (segments.length === 0) {
      writeFileAtomic(join(dir, segmentName(1)), SEGMENT_MAGIC, options.sync);
      segments.push({ n: 1, name: segmentName(1) });
    }
    // Only the newest segment is read: a newer segment starts with a checkpoint that replaces
    // everything before it. The older ones are what a crash left of a compaction.
    const newest = segments.at(-1)!;
    const path = join(dir, newest.name);
    const bytes = readFileSync(path);
    const scan = scanEntries(bytes, path, SEGMENT_MAGIC, { mayBeTorn: true });
    if (newest.n > 1 && scan.entries[0]?.kind !== EntryKind.checkpoint) {
      throw new CorruptDataError(
        path,
        MAGIC_BYTES,
        "a segment after the first must start with a checkpoint entry",
      );
    }
    const records: PersistRecord[] = [];
    for (const entry of scan.entries) {
      if (entry.kind === EntryKind.snapshot) {
        throw new CorruptDataError(path, entry.offset, "a snapshot entry in the log");
      }
      for (const r of decodeRecords(entry, path)) records.push(r);
    }
    // O_APPEND: every write lands at the end, after the cut below.
    const fd = openSync(path, "a");
    if (scan.goodBytes < bytes.length) {
      ftruncateSync(fd, scan.goodBytes);
      if (options.sync) fdatasyncSync(fd);
    }
    const stale = segments.slice(0, -1);
    for (const s of stale) rmSync(join(dir, s.name), { force: true });
    if (stale.length > 0 && options.sync) syncDir(dir);
    const first = scan.entries[0];
    const log = new SegmentLog(
      dir,
      options.sync,
      newest.n,
      fd,
      scan.goodBytes,
      first?.kind === EntryKind.checkpoint ? first.payload.length : 0,
    );
    return {
      log,
      recovered: {
        records,
        torn:
          scan.tornReason === undefined
            ? undefined
            : { file: path, bytes: bytes.length - scan.goodBytes, reason: scan.tornReason },
        staleSegments: stale.length,
      },
    };
  }

  /** Bytes of the log on disk. */
  get bytes(): number {
    return this.segmentBytes;
  }

  /** Bytes of the checkpoint at the head of the current segment. */
  get lastCheckpointBytes(): number {
    return this.checkpointBytes;
  }

  get currentSegment(): string {
    return join(this.dir, segmentName(this.segment));
  }

  /** Appends one drain's records as one entry; durable on return when syncing. */
  append(records: readonly PersistRecord[]): void {
    if (records.length === 0) return;
    const entry = encodeEntry(EntryKind.drain, Buffer.from(JSON.stringify(records)));
    writeAll(this.fd, entry);
    this.segmentBytes += entry.length;
    if (this.sync) fdatasyncSync(this.fd);
  }

  /**
   * Replaces the log by `checkpoint` (records that rebuild the current state) in a fresh
   * segment and deletes the old one. Call only when every record appended so far is durable
   * and `checkpoint` reflects them all.
   */
  compact(checkpoint: readonly PersistRecord[]): void {
    const next = this.segment + 1;
    const payload = Buffer.from(JSON.stringify(checkpoint));
    const entry = encodeEntry(EntryKind.checkpoint, payload);
    const path = join(this.dir, segmentName(next));
    writeFileAtomic(path, Buffer.concat([SEGMENT_MAGIC, entry]), this.sync);
    const old = this.currentSegment;
    closeSync(this.fd);
    this.fd = openSync(path, "a");
    this.segment = next;
    this.segmentBytes = SEGMENT_MAGIC.length + entry.length;
    this.checkpointBytes = payload.length;
    rmSync(old, { force: true });
    if (this.sync) syncDir(this.dir);
  }

  close(): void {
    if (this.fd < 0) return;
    if (this.sync) fdatasyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** Bytes of the segment files in `dir` (for status and benchmarks). */
export function segmentBytes(dir: string): number {
  let total = 0;
  for (const s of listSegments(dir)) total += statSync(join(dir, s.name)).size;
  return total;
}

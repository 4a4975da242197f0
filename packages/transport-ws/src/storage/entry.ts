// The on-disk framing of every file the node writes: a file is an 8-byte magic (its kind and
// format version) followed by entries, each
//
//   offset 0  u32 LE  payload length in bytes
//          4  u32 LE  CRC-32C of the payload
//          8  u8      entry kind (1 drain, 2 checkpoint, 3 snapshot)
//          9  3 bytes zero
//         12  u32 LE  CRC-32C of bytes 0..12 (the header's own checksum)
//         16  payload (UTF-8 JSON)
//
// The header has its own checksum so that a corrupted length is caught before it is trusted
// (a bad length read as "runs past the end of the file" would otherwise pass for a torn
// tail), and so that scanning for a valid entry after a bad one is cheap: most offsets fail
// the 12-byte header check. etcd's WAL frames records the same way (length, CRC, type); the
// separate header checksum is TigerBeetle's.
//
// What counts as a torn tail rather than corruption (see scanEntries): the host writes one
// drain as one entry with one write() and syncs it before anything that depends on it leaves,
// so a crash can only damage the last entry of the last segment. A bad entry that no valid
// entry follows is that torn write and is cut; a bad entry with a valid entry after it is
// corruption of data that was acknowledged, and the node must not start on it.

import { crc32c } from "./crc32c.js";

export const HEADER_BYTES = 16;
export const MAGIC_BYTES = 8;

export const EntryKind = { drain: 1, checkpoint: 2, snapshot: 3 } as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];
const KINDS: ReadonlySet<number> = new Set(Object.values(EntryKind));

/** The largest payload we write or believe: a guard against absurd lengths, not a tuning knob. */
export const MAX_ENTRY_BYTES = 1024 * 1024 * 1024;

/** The file's bytes cannot be trusted: the node must not start on them. */
export class CorruptDataError extends Error {
  override readonly name = "CorruptDataError";
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly problem: string,
  ) {
    super(
      `${file}: corrupt data at byte offset ${offset}: ${problem}. The node will not start on ` +
        "data that may have lost acknowledged state. To recover, restore this node from its " +
        "peers: stop it, move its data dir away (keep it for diagnosis), and start it with an " +
        "empty data dir; it relearns its state from the others. Do this only while the other " +
        "nodes still hold a phase-1 and a phase-2 quorum without it, and for one node at a time.",
    );
  }
}

export function encodeEntry(kind: EntryKind, payload: Buffer): Buffer {
  if (payload.length > MAX_ENTRY_BYTES) {
    throw new Error(`entry of ${payload.length} bytes is larger than ${MAX_ENTRY_BYTES}`);
  }
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32c(payload), 4);
  out.writeUInt32LE(kind, 8); // kind in byte 8, bytes 9..11 zero
  out.writeUInt32LE(crc32c(out, 0, 12), 12);
  payload.copy(out, HEADER_BYTES);
  return out;
}

export interface Entry {
  readonly kind: EntryKind;
  /** offset of the entry's header in the file */
  readonly offset: number;
  readonly payload: Buffer;
}

/** The entry at `offset`, or why there is none (a reason, for the error message). */
export function readEntry(bytes: Buffer, offset: number): Entry | string {
  if (offset + HEADER_BYTES > bytes.length) {
    return `${bytes.length - offset} bytes left, too few for an entry header`;
  }
  if (bytes.readUInt32LE(offset + 12) !== crc32c(bytes, offset, offset + 12)) {
    return "entry header checksum mismatch";
  }
  const length = bytes.readUInt32LE(offset);
  const kind = bytes.readUInt32LE(offset + 8);
  if (!KINDS.has(kind)) return `unknown entry kind ${kind}`;
  if (length > MAX_ENTRY_BYTES) return `entry length ${length} is absurd`;
  const start = offset + HEADER_BYTES;
  if (start + length > bytes.length) {
    return `entry of ${length} bytes runs past the end of the file`;
  }
  if (bytes.readUInt32LE(offset + 4) !== crc32c(bytes, start, start + length)) {
    return "entry payload checksum mismatch";
  }
  return { kind: kind as EntryKind, offset, payload: bytes.subarray(start, start + length) };
}

/** The first offset after `from` where a whole valid entry starts, or -1. */
function nextValidEntry(bytes: Buffer, from: number): number {
  for (let at = from; at + HEADER_BYTES <= bytes.length; at++) {
    // The cheap test first: all-zero bytes (a file extended but not written) never pass it.
    if (bytes.readUInt32LE(at + 12) !== crc32c(bytes, at, at + 12)) continue;
    if (typeof readEntry(bytes, at) !== "string") return at;
  }
  return -1;
}

export interface Scan {
  readonly entries: Entry[];
  /** bytes [0, goodBytes) hold the magic and whole valid entries */
  readonly goodBytes: number;
  /** why the bytes after goodBytes were not an entry (undefined: the file ends cleanly) */
  readonly tornReason: string | undefined;
}

/**
 * Reads every entry of a file. A bad entry followed by a valid one is corruption (thrown);
 * a bad entry followed by nothing valid is a torn tail: allowed only where the file may be
 * torn (`mayBeTorn`, the last segment), and reported so the caller cuts it.
 */
export function scanEntries(
  bytes: Buffer,
  file: string,
  magic: Buffer,
  options: { mayBeTorn: boolean },
): Scan {
  if (bytes.length < MAGIC_BYTES) {
    if (options.mayBeTorn && magic.subarray(0, bytes.length).equals(bytes)) {
      return { entries: [], goodBytes: 0, tornReason: "file shorter than its magic" };
    }
    throw new CorruptDataError(file, 0, `file of ${bytes.length} bytes has no magic`);
  }
  if (!bytes.subarray(0, MAGIC_BYTES).equals(magic)) {
    const found = JSON.stringify(bytes.subarray(0, MAGIC_BYTES).toString("latin1"));
    throw new CorruptDataError(
      file,
      0,
      `expected magic ${JSON.stringify(magic.toString("latin1"))}, found ${found}`,
    );
  }
  const entries: Entry[] = [];
  let at = MAGIC_BYTES;
  while (at < bytes.length) {
    const entry = readEntry(bytes, at);
    if (typeof entry === "string") {
      const next = nextValidEntry(bytes, at + 1);
      if (next >= 0) {
        throw new CorruptDataError(
          file,
          at,
          `${entry}, and a valid entry follows at offset ${next}, so this is not a torn write`,
        );
      }
      if (!options.mayBeTorn) throw new CorruptDataError(file, at, entry);
      return { entries, goodBytes: at, tornReason: entry };
    }
    entries.push(entry);
    at += HEADER_BYTES + entry.payload.length;
  }
  return { entries, goodBytes: at, tornReason: undefined };
}

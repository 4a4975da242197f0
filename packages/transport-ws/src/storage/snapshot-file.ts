// The replica's latest snapshot (its state machine and client sessions at a slot), kept in its
// own file `snapshot` beside the log: it is the one large record, and only the newest one
// matters, so it is replaced whole (temp file, fsync, rename, directory fsync) rather than
// appended and compacted. A crash leaves the old snapshot or the new one, never a mix, so a
// snapshot file that does not check out is corruption, never a torn write.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SnapshotRecord } from "@paxos/core";
import { CorruptDataError, EntryKind, encodeEntry, scanEntries } from "./entry.js";
import { removeTemp, writeFileAtomic } from "./fsync.js";
import { checkPersistRecord } from "./record-check.js";

export const SNAPSHOT_MAGIC = Buffer.from("paxsnp1\n", "latin1");
export const SNAPSHOT_FILE = "snapshot";

/** Writes `snapshot` over the previous one; returns the bytes written. */
export function writeSnapshot(dir: string, snapshot: SnapshotRecord, sync: boolean): number {
  const entry = encodeEntry(EntryKind.snapshot, Buffer.from(JSON.stringify(snapshot)));
  const bytes = Buffer.concat([SNAPSHOT_MAGIC, entry]);
  writeFileAtomic(join(dir, SNAPSHOT_FILE), bytes, sync);
  return bytes.length;
}

/** The snapshot in `dir`, if there is one, and the bytes it takes. */
export function readSnapshot(dir: string): { snapshot: SnapshotRecord; bytes: number } | undefined {
  const path = join(dir, SNAPSHOT_FILE);
  removeTemp(path);
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  const { entries } = scanEntries(bytes, path, SNAPSHOT_MAGIC, { mayBeTorn: false });
  const entry = entries[0];
  if (entries.length !== 1 || entry?.kind !== EntryKind.snapshot) {
    throw new CorruptDataError(
      path,
      8,
      `expected one snapshot entry, found ${entries.length} entries`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(entry.payload.toString("utf8"));
  } catch (error) {
    throw new CorruptDataError(
      path,
      entry.offset,
      `snapshot is not JSON (${(error as Error).message})`,
    );
  }
  const problem = checkPersistRecord(value, "snapshot");
  if (problem !== undefined || (value as { type?: unknown }).type !== "snapshot") {
    throw new CorruptDataError(path, entry.offset, problem ?? "not a snapshot record");
  }
  return { snapshot: value as SnapshotRecord, bytes: bytes.length };
}

// Where a node keeps its persist records, chosen by the cluster file's `storage`:
//   "fsync" (default)  the durable log, synced before any message that depends on it leaves;
//   "file"             the durable log, written but not synced (survives a process crash,
//                      not a power loss);
//   "memory"           nothing on disk: a restarted node has forgotten its promises, which is
//                      unsafe, so it is for benchmarks that measure the engine without a disk.

import type { PersistRecord } from "@paxos/core";

export const STORAGE_MODES = ["memory", "file", "fsync"] as const;
export type StorageMode = (typeof STORAGE_MODES)[number];

/** What the node host needs of its store. */
export interface Storage {
  /** Keeps the records of one drain (durable when this returns, in "fsync" mode). */
  append(records: readonly PersistRecord[]): void;
  close(): void;
}

/**
 * Keeps only a count: no record is ever read back in this process (recovery happens only at
 * start), so holding them would only grow the heap.
 */
export class MemoryStorage implements Storage {
  recordsAppended = 0;

  append(records: readonly PersistRecord[]): void {
    this.recordsAppended += records.length;
  }

  close(): void {}
}

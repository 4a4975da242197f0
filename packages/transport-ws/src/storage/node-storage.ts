// A node's storage, as the host sees it: hand back what was durable at start-up, make each
// drain's records durable before the drain's messages leave, and keep the disk bounded.
//
//   <data dir>/IDENTITY              cluster id + node id, written once (data-dir.ts)
//   <data dir>/LOCK                  the pid holding the dir while the node runs (dir-lock.ts)
//   <data dir>/snapshot              the replica's latest snapshot (snapshot-file.ts)
//   <data dir>/log-<12 digits>.seg   the log: acceptor and leader records (segment-log.ts)
//
// Three modes (the cluster file's `storage`): "fsync" (the default) syncs every drain before
// its messages are sent; "file" writes the same files without syncing (survives a process
// crash, not a power loss: for benchmarks that want the disk cost without the sync cost);
// "memory" keeps nothing at all (a restarted node starts empty and relearns from its peers,
// which is only safe if it is restarted rarely enough that a quorum never loses its promises:
// for benchmarks).

import type { PersistRecord, SnapshotRecord } from "@paxos/core";
import { claimDataDir } from "./data-dir.js";
import { type DirLock, lockDataDir } from "./dir-lock.js";
import { type LogRecovery, SegmentLog } from "./segment-log.js";
import { readSnapshot, writeSnapshot } from "./snapshot-file.js";

export type StorageMode = "memory" | "file" | "fsync";
export const STORAGE_MODES: readonly StorageMode[] = ["memory", "file", "fsync"];

/** Compact the log once it holds this many bytes (and twice its last checkpoint). */
export const DEFAULT_COMPACT_LOG_BYTES = 32 * 1024 * 1024;

export interface StorageOptions {
  readonly mode: StorageMode;
  readonly dir: string;
  readonly clusterId: string;
  readonly nodeId: string;
  readonly compactLogBytes?: number;
}

export interface StorageRecovery {
  /** the snapshot first (if any), then the log's records in the order written */
  readonly records: PersistRecord[];
  readonly snapshotSlot: number | undefined;
  readonly torn: LogRecovery["torn"];
  readonly staleSegments: number;
}

export interface NodeStorage {
  readonly mode: StorageMode;
  /** Makes one drain's records durable (per the mode) before returning. */
  persist(records: readonly PersistRecord[]): void;
  /**
   * Compacts the log if it outgrew its bound. Call right after persist(), before the engine
   * takes new input, so `checkpoint` reflects exactly what is durable. Returns whether it did.
   */
  maybeCompact(checkpoint: () => PersistRecord[]): boolean;
  /** sizes for status and benchmarks */
  readonly stats: {
    logBytes: number;
    snapshotBytes: number;
    compactions: number;
    snapshots: number;
  };
  close(): void;
}

class MemoryStorage implements NodeStorage {
  readonly mode = "memory";
  readonly stats = { logBytes: 0, snapshotBytes: 0, compactions: 0, snapshots: 0 };
  persist(): void {}
  maybeCompact(): boolean {
    return false;
  }
  close(): void {}
}

class DiskStorage implements NodeStorage {
  readonly stats = { logBytes: 0, snapshotBytes: 0, compactions: 0, snapshots: 0 };

  constructor(
    readonly mode: "file" | "fsync",
    private readonly dir: string,
    private readonly log: SegmentLog,
    private readonly compactLogBytes: number,
    snapshotBytes: number,
    private readonly lock: DirLock,
  ) {
    this.stats.logBytes = log.bytes;
    this.stats.snapshotBytes = snapshotBytes;
  }

  persist(records: readonly PersistRecord[]): void {
    let latest: SnapshotRecord | undefined;
    let rest: PersistRecord[] | undefined;
    for (const r of records) {
      if (r.type === "snapshot") {
        if (latest === undefined || r.slot >= latest.slot) latest = r;
        rest ??= records.filter((x) => x.type !== "snapshot");
      }
    }
    if (latest !== undefined) {
      this.stats.snapshotBytes = writeSnapshot(this.dir, latest, this.mode === "fsync");
      this.stats.snapshots++;
    }
    this.log.append(rest ?? records);
    this.stats.logBytes = this.log.bytes;
  }

  maybeCompact(checkpoint: () => PersistRecord[]): boolean {
    // Twice the last checkpoint as well: when the state itself is large (acceptors that may not
    // forget yet), compacting at a fixed size would rewrite it over and over for little gain.
    const bound = Math.max(this.compactLogBytes, 2 * this.log.lastCheckpointBytes);
    if (this.log.bytes <= bound) return false;
    this.log.compact(checkpoint());
    this.stats.logBytes = this.log.bytes;
    this.stats.compactions++;
    return true;
  }

  close(): void {
    this.log.close();
    this.lock.release();
  }
}

/** Claims the data dir, reads back what it holds, and opens it for writing. */
export function openStorage(options: StorageOptions): {
  storage: NodeStorage;
  recovered: StorageRecovery;
} {
  if (options.mode === "memory") {
    return {
      storage: new MemoryStorage(),
      recovered: { records: [], snapshotSlot: undefined, torn: undefined, staleSegments: 0 },
    };
  }
  const sync = options.mode === "fsync";
  claimDataDir(options.dir, options, sync);
  const lock = lockDataDir(options.dir);
  let snap: ReturnType<typeof readSnapshot>;
  let opened: ReturnType<typeof SegmentLog.open>;
  try {
    snap = readSnapshot(options.dir);
    opened = SegmentLog.open(options.dir, { sync });
  } catch (error) {
    lock.release();
    throw error;
  }
  const { log, recovered } = opened;
  const records: PersistRecord[] = snap === undefined ? [] : [snap.snapshot];
  for (const r of recovered.records) records.push(r);
  return {
    storage: new DiskStorage(
      options.mode,
      options.dir,
      log,
      options.compactLogBytes ?? DEFAULT_COMPACT_LOG_BYTES,
      snap?.bytes ?? 0,
      lock,
    ),
    recovered: {
      records,
      snapshotSlot: snap?.snapshot.slot,
      torn: recovered.torn,
      staleSegments: recovered.staleSegments,
    },
  };
}

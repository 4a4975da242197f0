// Whose data dir is this? A data dir holds one node's promises and accepts; a node started on
// another node's dir (a copy-paste slip in a start script) would answer phase 1 and phase 2 with
// that node's promises as its own, and two nodes promising as one breaks the quorum
// intersection everything rests on. So the dir is stamped with the cluster id and node id on
// first use (the file IDENTITY, written atomically) and checked on every start, as etcd checks
// its member id and TigerBeetle its cluster id and replica index in the superblock.

import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { syncDir, writeFileAtomic } from "./fsync.js";
import { listSegments } from "./segment-log.js";
import { SNAPSHOT_FILE } from "./snapshot-file.js";

export const IDENTITY_FILE = "IDENTITY";
export const DATA_FORMAT = "paxos-node-data/1";
/** The durable log of versions before the segmented one (JSON lines, no checksums). */
export const LEGACY_LOG = "state.jsonl";

/** The data dir is not this node's, or is not in a form this version can read. */
export class DataDirError extends Error {
  override readonly name = "DataDirError";
}

interface Identity {
  readonly format: string;
  readonly clusterId: string;
  readonly nodeId: string;
}

function restoreHint(dir: string): string {
  return (
    `To restore this node from its peers, move ${dir} away and start it with an empty data ` +
    "dir (only while the other nodes hold a phase-1 and a phase-2 quorum without it)."
  );
}

/** Creates the dir if needed, stamps it on first use, refuses it if it is another node's. */
export function claimDataDir(
  dir: string,
  me: { readonly clusterId: string; readonly nodeId: string },
  sync: boolean,
): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    if (sync) syncDir(dirname(dir));
  }
  const path = join(dir, IDENTITY_FILE);
  if (existsSync(join(dir, LEGACY_LOG))) {
    throw new DataDirError(
      `${dir} holds ${LEGACY_LOG}, the durable log of an older paxos-node without checksums, ` +
        `which this version does not read. ${restoreHint(dir)}`,
    );
  }
  if (!existsSync(path)) {
    const hasState = listSegments(dir).length > 0 || existsSync(join(dir, SNAPSHOT_FILE));
    if (hasState) {
      throw new DataDirError(
        `${dir} holds node state but no ${IDENTITY_FILE} stamp, so whose it is is unknown. ` +
          restoreHint(dir),
      );
    }
    const stamp: Identity = { format: DATA_FORMAT, clusterId: me.clusterId, nodeId: me.nodeId };
    writeFileAtomic(path, Buffer.from(`${JSON.stringify(stamp)}\n`), sync);
    return;
  }
  let stamp: Partial<Identity>;
  try {
    stamp = JSON.parse(readFileSync(path, "utf8")) as Partial<Identity>;
  } catch (error) {
    throw new DataDirError(
      `${path}: unreadable stamp (${(error as Error).message}). ${restoreHint(dir)}`,
    );
  }
  if (stamp.format !== DATA_FORMAT) {
    throw new DataDirError(
      `${path}: data format ${JSON.stringify(stamp.format)}, this version reads ${DATA_FORMAT}`,
    );
  }
  if (stamp.clusterId !== me.clusterId || stamp.nodeId !== me.nodeId) {
    throw new DataDirError(
      `${dir} is the data dir of node ${JSON.stringify(stamp.nodeId)} of cluster ` +
        `${JSON.stringify(stamp.clusterId)}, not of node ${JSON.stringify(me.nodeId)} of cluster ` +
        `${JSON.stringify(me.clusterId)}: refusing to start on another node's state`,
    );
  }
}

/** Everything in the dir that the node's storage owns (for sizes; logs are not counted). */
export function storageFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const names = new Set([IDENTITY_FILE, SNAPSHOT_FILE, ...listSegments(dir).map((s) => s.name)]);
  return readdirSync(dir).filter((n) => names.has(n));
}

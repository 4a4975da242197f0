// The few file-system moves every durable file here is made of. A new or renamed file is only
// durable once its directory is synced too (the name lives in the directory's data): without
// it a crash can leave the file's contents on disk and the name pointing nowhere.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** fsync of a directory: makes created, renamed and deleted names in it durable. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) {
    written += writeSync(fd, bytes, written, bytes.length - written);
  }
}

/**
 * Replaces `path` with `bytes` so that a crash leaves either the old file or the new one,
 * never a mix: write a temp file, sync it, rename it over, sync the directory.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, sync: boolean): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeAll(fd, bytes);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  if (sync) syncDir(dirname(path));
}

/** Leftovers of an atomic write that a crash interrupted (the old file still stands). */
export function removeTemp(path: string): void {
  rmSync(`${path}.tmp`, { force: true });
}

// The node's durable state: the engine's persist records (acceptor promises and accepts, the
// leader's highest round) appended to one file as JSON lines. The host writes every record of
// a drain with one write and one fdatasync before any message of that drain leaves (persist,
// then send), so an acceptor never answers p1b/p2b for a promise it could forget in a crash.
// On restart the file is read back and handed to the engine as `recovered`.
//
// A crash can cut the last line short; that line was never synced, so no message depended on
// it: replay drops it and truncates the file back to the last complete line.

import {
  closeSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import type { PersistRecord } from "@paxos/core";
import { checkBallot, checkBatch } from "./validate.js";

export interface Recovered {
  readonly records: PersistRecord[];
  /** bytes of a torn or unreadable tail that were cut off */
  readonly truncatedBytes: number;
}

function checkRecord(x: unknown): x is PersistRecord {
  if (typeof x !== "object" || x === null) return false;
  const r = x as Record<string, unknown>;
  switch (r.type) {
    case "promise":
      return checkBallot(r.ballot, "ballot") === undefined;
    case "round":
      return typeof r.round === "number" && Number.isSafeInteger(r.round) && r.round >= 0;
    case "decided":
    case "trim":
      return typeof r.below === "number" && Number.isSafeInteger(r.below) && r.below >= 0;
    case "snapshot":
      return (
        typeof r.slot === "number" &&
        Number.isSafeInteger(r.slot) &&
        Array.isArray(r.entries) &&
        Array.isArray(r.sessions)
      );
    case "accept": {
      const p = r.pvalue as Record<string, unknown> | null;
      return (
        typeof p === "object" &&
        p !== null &&
        checkBallot(p.ballot, "ballot") === undefined &&
        typeof p.slot === "number" &&
        Number.isSafeInteger(p.slot) &&
        checkBatch(p.value, "value") === undefined
      );
    }
    default:
      return false;
  }
}

export class DurableLog {
  private fd: number;

  private constructor(
    readonly path: string,
    private readonly fsync: boolean,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens (creating) the log and reads back what it holds. */
  static open(
    path: string,
    options: { fsync: boolean },
  ): { log: DurableLog; recovered: Recovered } {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, "a+");
    const text = readFileSync(fd, "utf8");
    const records: PersistRecord[] = [];
    let good = 0;
    let pos = 0;
    while (pos < text.length) {
      const end = text.indexOf("\n", pos);
      if (end < 0) break;
      let record: unknown;
      try {
        record = JSON.parse(text.slice(pos, end));
      } catch {
        break;
      }
      if (!checkRecord(record)) break;
      records.push(record);
      pos = end + 1;
      good = pos;
    }
    const goodBytes = Buffer.byteLength(text.slice(0, good));
    const totalBytes = Buffer.byteLength(text);
    if (goodBytes < totalBytes) {
      ftruncateSync(fd, goodBytes);
      fdatasyncSync(fd);
    }
    return {
      log: new DurableLog(path, options.fsync, fd),
      recovered: { records, truncatedBytes: totalBytes - goodBytes },
    };
  }

  /** Appends the records of one drain and makes them durable before returning. */
  append(records: readonly PersistRecord[]): void {
    this.write(records);
    if (this.fsync) fdatasyncSync(this.fd);
  }

  /** Appends records to the file (the page cache): durable only after the next sync. */
  write(records: readonly PersistRecord[]): void {
    let text = "";
    for (const r of records) text += `${JSON.stringify(r)}\n`;
    const bytes = Buffer.from(text);
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written);
  }

  close(): void {
    if (this.fd < 0) return;
    fdatasyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}

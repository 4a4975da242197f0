import type { Batch, Command, Operation } from "./command.js";

/**
 * What a string weighs inside a JSON text, in UTF-8 bytes, quotes included. The engine bounds
 * every message it builds by this measure (batches, p1b chunks, catch-up replies, snapshot
 * chunks), so a host whose frames carry JSON never meets a message above its frame limit.
 * Exact for JSON.stringify's escaping: control characters take six bytes, quote and backslash
 * two, non-ASCII their UTF-8 length (a lone surrogate is escaped as six).
 */
export function jsonStringBytes(s: string): number {
  // Fast path: printable ASCII without quote or backslash is one byte a character.
  if (PLAIN.test(s)) return s.length + 2;
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) n += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    else if (c === 0x22 || c === 0x5c) n += 2;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 6;
    } else if (c >= 0xdc00 && c <= 0xdfff) n += 6;
    else n += 3;
  }
  return n;
}

const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Field names, numbers and punctuation of one command, generously (seqs up to 2^53). */
const COMMAND_OVERHEAD_BYTES = 160;

/** The bytes an operation's strings add to a message. */
export function operationBytes(op: Operation): number {
  switch (op.type) {
    case "get":
    case "delete":
      return jsonStringBytes(op.key);
    case "put":
      return jsonStringBytes(op.key) + jsonStringBytes(op.value);
    case "cas":
      return (
        jsonStringBytes(op.key) +
        jsonStringBytes(op.value) +
        (op.expected === null ? 4 : jsonStringBytes(op.expected))
      );
  }
}

/** The most a UTF-16 code unit weighs in JSON (a control character escaped as \u00XX). */
const MAX_BYTES_PER_UNIT = 6;

/**
 * The operation's weight when it is above `limit`, else undefined. A bound from the strings'
 * lengths settles nearly every operation without reading its strings (a value limit is
 * megabytes, values are bytes to kilobytes); only one near the limit is measured.
 */
export function operationBytesOver(op: Operation, limit: number): number | undefined {
  let units = op.key.length + 2;
  if (op.type === "put" || op.type === "cas") units += op.value.length + 2;
  if (op.type === "cas") units += op.expected === null ? 4 : op.expected.length + 2;
  if (units * MAX_BYTES_PER_UNIT <= limit) return undefined;
  const bytes = operationBytes(op);
  return bytes > limit ? bytes : undefined;
}

/** The client id last weighed: a batch's commands mostly share one client. */
let lastClientId = "";
let lastClientIdBytes = jsonStringBytes("");

/** An upper bound of what one command weighs inside a JSON message. */
export function commandBytes(c: Command): number {
  if (c.clientId !== lastClientId) {
    lastClientId = c.clientId;
    lastClientIdBytes = jsonStringBytes(c.clientId);
  }
  return COMMAND_OVERHEAD_BYTES + lastClientIdBytes + operationBytes(c.op);
}

/**
 * Batches are never changed once built, and one batch object passes through a node's replica,
 * leader and acceptor (a proposal, its p2a, its decision), each of which weighs it: weigh it
 * once. Measuring every string of it again was 5% of a leader's CPU (bench/engine-cost.ts).
 */
const weighed = new WeakMap<Batch, number>();

/** An upper bound of what a batch weighs inside a JSON message. */
export function batchBytes(batch: Batch): number {
  let n = weighed.get(batch);
  if (n !== undefined) return n;
  n = 2;
  for (const c of batch) n += commandBytes(c) + 1;
  weighed.set(batch, n);
  return n;
}

/** Records what a batch weighs, measured while it was built (as batchBytes would). */
export function rememberBatchBytes(batch: Batch, bytes: number): void {
  weighed.set(batch, bytes);
}

/** Room for a message's own fields (type, ballot, slot, chunk numbers) around its payload. */
export const MESSAGE_OVERHEAD_BYTES = 512;

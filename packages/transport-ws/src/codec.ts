// The wire codec. Every WebSocket frame is one JSON object (a UTF-8 text frame) tagged by `t`
// and carrying the protocol version `v`. JSON won the measurement against MessagePack in
// bench/codec.ts (V8's JSON.parse/stringify are native and beat a JS binary codec on these
// small, string-heavy objects; see README.md for the figures), and it keeps frames readable
// in captures and logs.
//
// Data frames carry a batch: everything one event-loop turn sends to one peer. A message sent
// to several peers (a p2a to every acceptor, a decision to every replica) is stringified once
// and spliced into each peer's frame (`encodeMessage` + `frameFromParts`).

import type { Message } from "@paxos/core";
import { messageToWire } from "./wire-commands.js";

/**
 * Bumped on any incompatible change of the frames below, of the handshake, or of the message
 * union (2: `commit`, a decision by reference, which a version-1 node would drop as unknown;
 * commands as arrays, wire-commands.ts; `p2b.accepted`. 3: requests and responses as arrays
 * without the client id the connection names, wire-commands.ts).
 */
export const WIRE_VERSION = 3;

/** A batch of protocol messages from one sender. */
export interface DataFrame {
  readonly t: "msgs";
  readonly v: number;
  readonly from: string;
  readonly msgs: readonly Message[];
}

/** Thrown by decodeFrame: the bytes are not a JSON object. */
export class DecodeError extends Error {
  override readonly name = "DecodeError";
}

export function encodeMessage(message: Message): string {
  return JSON.stringify(messageToWire(message));
}

/** Splices pre-encoded messages (from encodeMessage) into one data frame. */
export function frameFromParts(from: string, parts: readonly string[]): string {
  // `from` is a validated node or client id; JSON.stringify quotes and escapes it.
  return `{"t":"msgs","v":${WIRE_VERSION},"from":${JSON.stringify(from)},"msgs":[${parts.join(",")}]}`;
}

export function encodeDataFrame(from: string, msgs: readonly Message[]): string {
  return frameFromParts(from, msgs.map(encodeMessage));
}

/** Encodes any non-data frame (handshake, control). */
export function encodeFrame<F extends { readonly t: string }>(frame: F): string {
  return JSON.stringify({ ...frame, v: WIRE_VERSION });
}

/**
 * Parses one frame into a plain object; what the object holds is checked by validate.ts.
 * Throws DecodeError on invalid UTF-8 handling aside (ws checks UTF-8 of text frames), bad
 * JSON, or JSON that is not an object.
 */
export function decodeFrame(data: Buffer | ArrayBuffer | Buffer[] | Uint8Array | string): unknown {
  let text: string;
  if (typeof data === "string") text = data;
  else if (Array.isArray(data)) text = Buffer.concat(data).toString("utf8");
  else if (data instanceof ArrayBuffer) text = Buffer.from(data).toString("utf8");
  else text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DecodeError(
      `frame is ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}, not an object`,
    );
  }
  return value;
}

// Turns one drain's sends into frames: one per destination (more only where the frame limit
// demands), each a ready UTF-8 buffer. A message sent to several peers (a p2a to every
// acceptor, a commit to every replica) is one object: it is stringified once. Peers that get
// the very same messages (the followers of a leader, every turn) get the very same buffer: the
// frame is built and encoded once, not once per peer.

import type { Envelope, Message } from "@paxos/core";
import { encodeMessage, frameFromParts } from "./codec.js";

export interface PackedFrame {
  readonly to: string;
  /** the frame's UTF-8 bytes, shared between peers that get the same frame */
  readonly frame: Buffer;
  readonly messages: number;
}

/**
 * Packs `sends` from `from` into frames of at most `budgetBytes` of messages each (a message
 * alone always goes, whatever its size: the engine bounds messages, the caller guards frames).
 * `skip(to)` drops a destination's messages (an emulated lossy link).
 */
export function packFrames(
  from: string,
  sends: readonly Envelope[],
  budgetBytes: number,
  skip?: (to: string) => boolean,
): PackedFrame[] {
  const encoded = new Map<Message, string>();
  const byPeer = new Map<string, string[]>();
  for (const { to, message } of sends) {
    if (skip?.(to)) continue;
    let text = encoded.get(message);
    if (text === undefined) {
      text = encodeMessage(message);
      encoded.set(message, text);
    }
    let parts = byPeer.get(to);
    if (parts === undefined) {
      parts = [];
      byPeer.set(to, parts);
    }
    parts.push(text);
  }
  const frames: PackedFrame[] = [];
  let lastParts: readonly string[] = [];
  let lastFrame: Buffer | undefined;
  for (const [to, parts] of byPeer) {
    for (const chunk of chunksWithin(parts, budgetBytes)) {
      const frame =
        lastFrame !== undefined && sameParts(chunk, lastParts)
          ? lastFrame
          : Buffer.from(frameFromParts(from, chunk));
      lastParts = chunk;
      lastFrame = frame;
      frames.push({ to, frame, messages: chunk.length });
    }
  }
  return frames;
}

/** The parts split into runs whose UTF-8 size (plus a comma each) stays within the budget. */
function chunksWithin(parts: string[], budgetBytes: number): string[][] {
  // A UTF-16 code unit is at most three UTF-8 bytes: most turns fit without measuring.
  let chars = 0;
  for (const p of parts) chars += p.length + 1;
  if (chars * 3 <= budgetBytes) return [parts];
  const chunks: string[][] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < parts.length; i++) {
    const n = Buffer.byteLength(parts[i]!) + 1;
    if (bytes + n > budgetBytes && i > start) {
      chunks.push(parts.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += n;
  }
  chunks.push(start === 0 ? parts : parts.slice(start));
  return chunks;
}

function sameParts(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

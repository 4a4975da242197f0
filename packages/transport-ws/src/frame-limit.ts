// How big a frame a connection may receive, before and after the peer proved who it is.
//
// ws reads a whole frame before it hands it over, so a limit checked on delivery is too late:
// an unauthenticated peer could make a node buffer and parse maxFrameBytes (16 MiB) per
// connection. ws checks its `maxPayload` against the length in the frame header instead, as
// the header arrives, before it buffers any of the payload (receiver.js, haveLength), and
// closes the connection with 1009. So every connection starts with a small maxPayload, large
// enough for the handshake, and the limit is raised to maxFrameBytes on that one socket once
// the handshake has succeeded. ws has no public setter for it: we set its receiver's
// `_maxPayload`, and fail loudly (at the handshake, in every test) if a ws upgrade moves it.

import type WebSocket from "ws";

/** Largest frame before authentication: a hello is ~300 bytes, a refusal reason a few hundred. */
export const PREAUTH_MAX_FRAME_BYTES = 4 * 1024;

interface ReceiverInternals {
  _receiver?: { _maxPayload?: unknown } | null;
}

/** Raises (or lowers) the largest frame `ws` accepts from now on. */
export function setFrameLimit(ws: WebSocket, bytes: number): void {
  const receiver = (ws as unknown as ReceiverInternals)._receiver;
  if (receiver === null || receiver === undefined || typeof receiver._maxPayload !== "number") {
    throw new Error(
      "cannot set the frame limit of a ws socket: ws's Receiver has no numeric _maxPayload " +
        "(ws was upgraded? see src/frame-limit.ts)",
    );
  }
  receiver._maxPayload = bytes;
}

// The dialing side of a connection: open a WebSocket, answer the server's challenge, check
// its proof of the secret, and hand back an authenticated socket. Used by node-to-node links,
// by the client library and by the control client.

import WebSocket from "ws";
import { decodeFrame, encodeFrame, WIRE_VERSION } from "./codec.js";
import { PREAUTH_MAX_FRAME_BYTES, setFrameLimit } from "./frame-limit.js";
import {
  type Challenge,
  isChallenge,
  makeHello,
  newNonce,
  type PeerKind,
  tokensEqual,
  welcomeProof,
} from "./handshake.js";

export interface Identity {
  /** undefined: take the cluster id from the server's challenge (client given bare addresses) */
  readonly clusterId: string | undefined;
  readonly kind: PeerKind;
  readonly id: string;
  readonly secret: string | undefined;
}

export interface DialOptions {
  readonly url: string;
  readonly identity: Identity;
  /** the node id we mean to reach; a server answering with another id is refused */
  readonly expectNodeId?: string;
  /** largest frame accepted once the server proved the secret (before: a few KiB) */
  readonly maxPayload: number;
  readonly handshakeTimeoutMs?: number;
  /** frames after the welcome; attached in the same tick as the welcome, so none is missed */
  readonly onData?: (data: WebSocket.RawData) => void;
  /** the open connection failed (a close always follows) */
  readonly onError?: (error: Error) => void;
  /** the open connection closed */
  readonly onClose?: (code: number, reason: string) => void;
}

/** An open, authenticated connection. */
export interface Dialed {
  readonly ws: WebSocket;
  /** the server's node id and cluster id, from its challenge */
  readonly peerId: string;
  readonly clusterId: string;
}

export class HandshakeError extends Error {
  override readonly name = "HandshakeError";
}

export const HANDSHAKE_TIMEOUT_MS = 5_000;

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

/** Connects and authenticates; frames after the welcome go to `onData`. */
export function dial(options: DialOptions): Promise<Dialed> {
  const { identity } = options;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(options.url, {
      perMessageDeflate: false,
      // a server that has not proved itself gets no more room than the handshake needs
      maxPayload: PREAUTH_MAX_FRAME_BYTES,
      handshakeTimeout: options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
      // Masking (RFC 6455 10.3) keeps script-chosen bytes in a browser from poisoning HTTP
      // proxies; our frames are written by our own processes. With an all-zero key `ws` skips
      // the XOR pass and the copy of every frame on both ends (a few % of a leader's CPU).
      generateMask: zeroMask,
    });
    let challenge: Challenge | undefined;
    let clusterId = identity.clusterId;
    const nonce = newNonce();
    let settled = false;
    const timer = setTimeout(
      () => fail(new HandshakeError("handshake timed out")),
      options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
    );
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners("message");
      ws.terminate();
      reject(error);
    };
    ws.on("error", (error) => fail(error));
    ws.on("close", (code, reason) => {
      fail(new HandshakeError(`closed during handshake (${code} ${reason.toString()})`));
    });
    ws.on("message", function onMessage(data) {
      let frame: Record<string, unknown>;
      try {
        frame = decodeFrame(data as Buffer) as Record<string, unknown>;
      } catch (error) {
        return fail(new HandshakeError(`undecodable handshake frame: ${(error as Error).message}`));
      }
      if (frame.t === "refused")
        return fail(new HandshakeError(`refused: ${String(frame.reason)}`));
      if (challenge === undefined) {
        if (!isChallenge(frame)) return fail(new HandshakeError("expected a challenge"));
        if (frame.v !== WIRE_VERSION) {
          return fail(
            new HandshakeError(`server speaks wire version ${frame.v}, not ${WIRE_VERSION}`),
          );
        }
        if (clusterId === undefined) clusterId = frame.clusterId;
        else if (frame.clusterId !== clusterId) {
          return fail(
            new HandshakeError(
              `server is in cluster ${JSON.stringify(frame.clusterId)}, not ${JSON.stringify(clusterId)}`,
            ),
          );
        }
        if (options.expectNodeId !== undefined && frame.nodeId !== options.expectNodeId) {
          return fail(
            new HandshakeError(
              `server is node ${JSON.stringify(frame.nodeId)}, not ${JSON.stringify(options.expectNodeId)}`,
            ),
          );
        }
        challenge = frame;
        ws.send(encodeFrame(makeHello(frame, { ...identity, clusterId }, nonce)));
        return;
      }
      if (frame.t !== "welcome")
        return fail(new HandshakeError(`expected welcome, got ${JSON.stringify(frame.t)}`));
      if (identity.secret !== undefined) {
        const expected = welcomeProof(identity.secret, clusterId!, challenge.nodeId, nonce);
        if (!tokensEqual(expected, frame.proof)) {
          return fail(
            new HandshakeError(
              `node ${JSON.stringify(challenge.nodeId)} failed to prove the cluster secret`,
            ),
          );
        }
      }
      settled = true;
      clearTimeout(timer);
      setFrameLimit(ws, options.maxPayload);
      ws.removeListener("message", onMessage);
      ws.removeAllListeners("error");
      ws.removeAllListeners("close");
      // An "error" without a listener would crash the process: there is always one.
      ws.on("error", (error) => options.onError?.(error));
      ws.on("close", (code, reason) => options.onClose?.(code, reason.toString()));
      // ws may emit several messages of one TCP read synchronously: attach now, not after the
      // promise resolves, or a frame right behind the welcome would be lost.
      if (options.onData !== undefined) ws.on("message", options.onData);
      resolve({ ws, peerId: challenge.nodeId, clusterId: clusterId! });
    });
  });
}

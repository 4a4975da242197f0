// The listening side of a node: accepts WebSocket connections, runs the challenge/response
// handshake, and hands decoded frames of authenticated sessions to the host. Everything that
// goes wrong before the host sees a frame (refused handshakes, frames over maxPayload,
// invalid UTF-8, undecodable bytes, HTTP garbage) is logged with the peer and the reason here.

import { createServer, type Server as HttpServer } from "node:http";
import type { Socket } from "node:net";
import type WebSocket from "ws";
import { WebSocketServer } from "ws";
import { DecodeError, decodeFrame, encodeFrame } from "./codec.js";
import { PREAUTH_MAX_FRAME_BYTES, setFrameLimit } from "./frame-limit.js";
import { checkHello, newNonce, type PeerKind, welcomeProof } from "./handshake.js";
import type { Logger } from "./logger.js";

export interface Session {
  readonly kind: PeerKind;
  readonly id: string;
  /** remote address:port, for logs */
  readonly remote: string;
  readonly ws: WebSocket;
  badFrames: number;
}

export interface InboundServerOptions {
  readonly host: string;
  readonly port: number;
  /** largest frame of an authenticated session (before that: PREAUTH_MAX_FRAME_BYTES) */
  readonly maxPayload: number;
  /** most client connections at once; more are refused at the handshake */
  readonly maxClients: number;
  readonly clusterId: string;
  readonly selfId: string;
  readonly nodeIds: ReadonlySet<string>;
  readonly secret: string;
  readonly clientAuth: boolean;
  readonly log: Logger;
  readonly onSession: (session: Session) => void;
  readonly onFrame: (session: Session, frame: Record<string, unknown>) => void;
  readonly onSessionClosed: (session: Session) => void;
}

export const SERVER_HANDSHAKE_TIMEOUT_MS = 5_000;
/** A connection that keeps sending bad frames is closed after this many. */
export const MAX_BAD_FRAMES = 100;
/** Most connections still in their handshake; more are closed at once. */
export const MAX_PENDING_HANDSHAKES = 256;

/** Close codes of refused or misbehaving connections (4000-4999: application range). */
export const CLOSE_REFUSED = 4001;
export const CLOSE_TOO_MANY_BAD_FRAMES = 4002;
export const CLOSE_SHUTDOWN = 1001;

export class InboundServer {
  private readonly http: HttpServer;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Socket>();
  /** bad frames of authenticated sessions since start (refused handshakes not included) */
  badFrameCount = 0;
  /** connections in their handshake, and authenticated client sessions */
  private pendingHandshakes = 0;
  private clientSessions = 0;

  constructor(private readonly options: InboundServerOptions) {
    const { log } = options;
    this.http = createServer((_req, res) => {
      res.writeHead(426, { "content-type": "text/plain" });
      res.end("this is a paxos node: speak WebSocket\n");
    });
    this.http.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    // Bytes that are not even HTTP (a port scanner, garbage): log and hang up.
    this.http.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
      log.warn(
        {
          remote: `${socket.remoteAddress}:${socket.remotePort}`,
          reason: `malformed HTTP: ${error.code ?? error.message}`,
        },
        "connection refused",
      );
      socket.destroy();
    });
    this.wss = new WebSocketServer({
      server: this.http,
      // raised per socket once its hello is verified (frame-limit.ts)
      maxPayload: PREAUTH_MAX_FRAME_BYTES,
      perMessageDeflate: false,
      clientTracking: true,
    });
    this.wss.on("connection", (ws, req) =>
      this.accept(ws, `${req.socket.remoteAddress}:${req.socket.remotePort}`),
    );
    this.wss.on("error", (error) => log.error({ err: error.message }, "websocket server error"));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off("error", reject);
        resolve();
      });
    });
  }

  /** Closes every connection and stops listening. */
  close(): Promise<void> {
    for (const ws of this.wss.clients) ws.close(CLOSE_SHUTDOWN, "node stopping");
    return new Promise((resolve) => {
      this.wss.close(() => {
        for (const socket of this.sockets) socket.destroy();
        this.http.close(() => resolve());
      });
    });
  }

  private accept(ws: WebSocket, remote: string): void {
    const { options } = this;
    const { log } = options;
    if (this.pendingHandshakes >= MAX_PENDING_HANDSHAKES) {
      log.warn({ remote, reason: "too many connections in their handshake" }, "connection refused");
      ws.terminate();
      return;
    }
    this.pendingHandshakes++;
    let pending = true;
    const handshakeOver = () => {
      if (pending) this.pendingHandshakes--;
      pending = false;
    };
    const nonce = newNonce();
    let session: Session | undefined;
    const timer = setTimeout(() => {
      log.warn({ remote, reason: "no hello within the handshake timeout" }, "handshake refused");
      ws.terminate();
    }, SERVER_HANDSHAKE_TIMEOUT_MS);

    ws.on("error", (error: Error & { code?: string }) => {
      // ws closes the connection itself after these; the frame never reaches us.
      const limit = session === undefined ? PREAUTH_MAX_FRAME_BYTES : options.maxPayload;
      const reason =
        error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"
          ? `frame larger than ${session === undefined ? "the pre-handshake limit" : "maxPayload"} (${limit} bytes)`
          : `${error.code ?? "error"}: ${error.message}`;
      log.warn(
        { peer: session?.id, kind: session?.kind, remote, reason },
        "bad frame, connection closed",
      );
    });
    ws.on("close", () => {
      clearTimeout(timer);
      handshakeOver();
      if (session?.kind === "client") this.clientSessions--;
      if (session !== undefined) options.onSessionClosed(session);
    });
    ws.send(
      encodeFrame({ t: "challenge", clusterId: options.clusterId, nodeId: options.selfId, nonce }),
    );

    ws.on("message", (data) => {
      let frame: Record<string, unknown>;
      try {
        frame = decodeFrame(data as Buffer) as Record<string, unknown>;
      } catch (error) {
        const reason =
          error instanceof DecodeError ? `undecodable frame: ${error.message}` : String(error);
        if (session === undefined) {
          clearTimeout(timer);
          handshakeOver();
          this.refuse(ws, remote, reason);
        } else {
          this.badFrame(session, reason);
        }
        return;
      }
      if (session !== undefined) {
        options.onFrame(session, frame);
        return;
      }
      clearTimeout(timer);
      handshakeOver();
      const check = checkHello(frame, {
        clusterId: options.clusterId,
        selfId: options.selfId,
        nodeIds: options.nodeIds,
        secret: options.secret,
        clientAuth: options.clientAuth,
        nonce,
      });
      if (!check.ok) {
        this.refuse(ws, remote, check.reason, frame);
        return;
      }
      if (check.kind === "client" && this.clientSessions >= options.maxClients) {
        this.refuse(ws, remote, `too many client connections (the limit is ${options.maxClients})`);
        return;
      }
      session = { kind: check.kind, id: check.id, remote, ws, badFrames: 0 };
      if (check.kind === "client") this.clientSessions++;
      setFrameLimit(ws, options.maxPayload);
      ws.send(
        encodeFrame({
          t: "welcome",
          id: options.selfId,
          proof: welcomeProof(options.secret, options.clusterId, options.selfId, check.nonce),
        }),
      );
      // Clients come and go by the thousand in experiments: their sessions log at debug.
      log[check.kind === "client" ? "debug" : "info"](
        { peer: check.id, kind: check.kind, remote },
        "peer authenticated",
      );
      options.onSession(session);
    });
  }

  /** Logs a bad frame of an authenticated session; closes the session if it keeps at it. */
  badFrame(session: Session, reason: string): void {
    session.badFrames++;
    this.badFrameCount++;
    if (session.badFrames <= MAX_BAD_FRAMES) {
      this.options.log.warn(
        { peer: session.id, kind: session.kind, remote: session.remote, reason },
        "bad frame dropped",
      );
    }
    if (session.badFrames === MAX_BAD_FRAMES) {
      this.options.log.warn(
        { peer: session.id, remote: session.remote },
        "too many bad frames, closing connection",
      );
      session.ws.close(CLOSE_TOO_MANY_BAD_FRAMES, "too many bad frames");
    }
  }

  private refuse(
    ws: WebSocket,
    remote: string,
    reason: string,
    hello?: Record<string, unknown>,
  ): void {
    // What the dialer claimed, cut short: it is unauthenticated input.
    const claim = (x: unknown) => (typeof x === "string" ? x.slice(0, 128) : undefined);
    const claimed =
      hello === undefined
        ? {}
        : { kind: claim(hello.kind), id: claim(hello.id), clusterId: claim(hello.clusterId) };
    this.options.log.warn({ remote, ...claimed, reason }, "handshake refused");
    ws.send(encodeFrame({ t: "refused", reason }));
    // Close reasons are limited to 123 bytes.
    ws.close(CLOSE_REFUSED, reason.slice(0, 100));
  }
}

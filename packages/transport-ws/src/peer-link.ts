// One outbound connection to one peer, kept up lazily. Nothing is dialed until the first send;
// frames offered while a dial is in progress wait (bounded) and go out once it succeeds; a
// failed dial or a lost connection puts the link into a capped, jittered exponential backoff,
// during which frames are dropped: the protocol treats the network as lossy and retries on
// its own. The first send after the backoff dials again, so a restarted peer is found again
// without anyone else restarting.

import type WebSocket from "ws";
import { dial, type Identity } from "./dial.js";
import type { LinkShaper } from "./link-emulation.js";
import type { Logger } from "./logger.js";

export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 50, maxMs: 1_000 };

/** "Equal jitter": half of the capped exponential delay fixed, the other half random. */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** Frames are JSON: sent as text frames, so the receiver checks their UTF-8 (ws does). */
export const TEXT_FRAME = { binary: false } as const;

/** Frames waiting for a dial to finish, at most. */
const MAX_PENDING_FRAMES = 1024;
/** Beyond this much unsent data the peer is not keeping up: drop instead of queueing more. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** Pings detect a peer that vanished without closing TCP (a real cable, not loopback). */
const KEEPALIVE_MS = 5_000;

export type LinkState = "idle" | "connecting" | "open" | "backoff" | "closed";

export interface PeerLinkOptions {
  readonly peerId: string;
  readonly url: string;
  readonly identity: Identity;
  readonly maxPayload: number;
  readonly log: Logger;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  /** frames the peer sends back on this connection (a client's responses) */
  readonly onData?: (data: WebSocket.RawData, link: PeerLink) => void;
}

export class PeerLink {
  readonly peerId: string;
  /** set by the host when this link is emulated; frames then pass through it */
  shaper: LinkShaper | undefined = undefined;
  readonly stats = { framesSent: 0, framesDropped: 0, dials: 0, failedDials: 0 };
  private state: LinkState = "idle";
  private ws: WebSocket | undefined = undefined;
  private pending: Buffer[] = [];
  private attempt = 0;
  private retryAtMs = 0;
  private keepalive: NodeJS.Timeout | undefined = undefined;
  private alive = true;
  private lastError = "";
  /** hooks for whoever waits on this link (a client's connect()) */
  onOpen: ((link: PeerLink) => void) | undefined = undefined;
  onDialFailed: ((error: Error) => void) | undefined = undefined;
  /** the server's node id, learned in the handshake of the current connection */
  remoteId: string | undefined = undefined;

  constructor(private readonly options: PeerLinkOptions) {
    this.peerId = options.peerId;
  }

  get linkState(): LinkState {
    return this.state;
  }

  /** Offers one encoded frame (UTF-8 JSON). */
  send(frame: Buffer): void {
    if (this.shaper !== undefined) this.shaper.offer(frame, frame.length);
    else this.transmit(frame);
  }

  /** Puts a frame on the socket now (the shaper calls this when a delayed frame is due). */
  readonly transmit = (frame: Buffer): void => {
    switch (this.state) {
      case "open": {
        const ws = this.ws!;
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          this.stats.framesDropped++;
          return;
        }
        ws.send(frame, TEXT_FRAME);
        this.stats.framesSent++;
        return;
      }
      case "connecting":
        this.enqueue(frame);
        return;
      case "idle":
      case "backoff":
        if (performance.now() >= this.retryAtMs) {
          this.enqueue(frame);
          this.connect();
        } else {
          this.stats.framesDropped++;
        }
        return;
      case "closed":
        this.stats.framesDropped++;
        return;
    }
  };

  /** Dials now if nothing is up (a client warming up its connections). */
  warmUp(): void {
    if ((this.state === "idle" || this.state === "backoff") && performance.now() >= this.retryAtMs)
      this.connect();
  }

  get lastDialError(): string {
    return this.lastError;
  }

  /** Closes the connection for good (node stopping). */
  close(): void {
    this.state = "closed";
    this.pending = [];
    this.shaper?.dispose();
    this.stopKeepalive();
    const ws = this.ws;
    this.ws = undefined;
    if (ws !== undefined) ws.terminate();
  }

  private enqueue(frame: Buffer): void {
    if (this.pending.length >= MAX_PENDING_FRAMES) {
      this.stats.framesDropped++;
      return;
    }
    this.pending.push(frame);
  }

  private connect(): void {
    this.state = "connecting";
    this.stats.dials++;
    const { log } = this.options;
    dial({
      url: this.options.url,
      identity: this.options.identity,
      expectNodeId: this.options.identity.kind === "node" ? this.peerId : undefined,
      maxPayload: this.options.maxPayload,
      onData:
        this.options.onData === undefined ? undefined : (data) => this.options.onData!(data, this),
      onError: (error) => log.debug({ peer: this.peerId, err: error.message }, "link error"),
      onClose: (code, reason) => this.onLost(`closed (${code}${reason ? ` ${reason}` : ""})`),
    }).then(
      ({ ws, peerId }) => {
        if (this.state === "closed") {
          ws.terminate();
          return;
        }
        this.ws = ws;
        this.remoteId = peerId;
        this.state = "open";
        this.attempt = 0;
        this.lastError = "";
        log.info({ peer: this.peerId, url: this.options.url }, "peer link up");
        this.startKeepalive(ws);
        const pending = this.pending;
        this.pending = [];
        for (const frame of pending) this.transmit(frame);
        this.onOpen?.(this);
      },
      (error: Error) => {
        if (this.state === "closed") return;
        this.stats.failedDials++;
        // A refusal is a configuration problem worth a warning (once per distinct reason);
        // a refused TCP connect is just a peer that is down.
        const reason = error.message;
        if (reason !== this.lastError) {
          const level = error.name === "HandshakeError" ? "warn" : "debug";
          log[level]({ peer: this.peerId, url: this.options.url, reason }, "dial failed");
          this.lastError = reason;
        }
        this.pending = [];
        this.enterBackoff();
        this.onDialFailed?.(error);
      },
    );
  }

  private onLost(why: string): void {
    if (this.state !== "open") return;
    this.options.log.info({ peer: this.peerId, why }, "peer link down");
    this.ws = undefined;
    this.stopKeepalive();
    this.enterBackoff();
  }

  private enterBackoff(): void {
    this.state = "backoff";
    const delay = backoffDelayMs(
      this.attempt++,
      this.options.backoff ?? DEFAULT_BACKOFF,
      this.options.random ?? Math.random,
    );
    this.retryAtMs = performance.now() + delay;
  }

  private startKeepalive(ws: WebSocket): void {
    this.alive = true;
    ws.on("pong", () => {
      this.alive = true;
    });
    this.keepalive = setInterval(() => {
      if (!this.alive) {
        this.options.log.info({ peer: this.peerId }, "peer link silent: no pong, terminating");
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  private stopKeepalive(): void {
    if (this.keepalive !== undefined) clearInterval(this.keepalive);
    this.keepalive = undefined;
  }
}

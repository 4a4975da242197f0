// The handshake every connection goes through before any protocol message is accepted.
//
//   server -> dialer   {t:"challenge", v, clusterId, nodeId, nonce: Ns}
//   dialer -> server   {t:"hello", v, clusterId, kind, id, nonce: Nd, auth}
//   server -> dialer   {t:"welcome", v, id, proof}  or  {t:"refused", v, reason} + close
//
// auth  = HMAC-SHA256(secret, "paxos-ws/1 hello" | clusterId | kind | id | Ns)
// proof = HMAC-SHA256(secret, "paxos-ws/1 welcome" | clusterId | serverId | Nd)
//
// The fresh server nonce makes a captured hello useless on another connection; the proof lets
// the dialer know it reached a node that holds the secret too. `kind` is "node" (a process
// of the cluster file; its id must be listed there), "client" (any other id; auth required
// only when the cluster sets clientAuth) or "control" (the fault-injection channel; auth
// always required). The functions here are pure so they can be unit-tested without sockets.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { WIRE_VERSION } from "./codec.js";
import { LIMITS } from "./validate.js";

export type PeerKind = "node" | "client" | "control";

export interface Challenge {
  readonly t: "challenge";
  readonly v: number;
  readonly clusterId: string;
  readonly nodeId: string;
  readonly nonce: string;
}

export interface Hello {
  readonly t: "hello";
  readonly v: number;
  readonly clusterId: string;
  readonly kind: PeerKind;
  readonly id: string;
  readonly nonce: string;
  readonly auth?: string;
}

export interface Welcome {
  readonly t: "welcome";
  readonly v: number;
  readonly id: string;
  readonly proof: string;
}

export interface Refused {
  readonly t: "refused";
  readonly v: number;
  readonly reason: string;
}

export function newNonce(): string {
  return randomBytes(16).toString("hex");
}

const SEP = "\u0000";

export function helloAuth(
  secret: string,
  clusterId: string,
  kind: PeerKind,
  id: string,
  serverNonce: string,
): string {
  return createHmac("sha256", secret)
    .update(["paxos-ws/1 hello", clusterId, kind, id, serverNonce].join(SEP))
    .digest("hex");
}

export function welcomeProof(
  secret: string,
  clusterId: string,
  serverId: string,
  dialerNonce: string,
): string {
  return createHmac("sha256", secret)
    .update(["paxos-ws/1 welcome", clusterId, serverId, dialerNonce].join(SEP))
    .digest("hex");
}

/** Constant-time comparison of two hex tokens. */
export function tokensEqual(expected: string, got: unknown): boolean {
  if (typeof got !== "string" || got.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(got));
}

export interface ServerContext {
  readonly clusterId: string;
  /** this node's id */
  readonly selfId: string;
  readonly nodeIds: ReadonlySet<string>;
  readonly secret: string;
  readonly clientAuth: boolean;
  /** the nonce this server sent in its challenge */
  readonly nonce: string;
}

export type HelloCheck =
  | { readonly ok: true; readonly kind: PeerKind; readonly id: string; readonly nonce: string }
  | { readonly ok: false; readonly reason: string };

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const HELLO_KEYS = new Set(["t", "v", "clusterId", "kind", "id", "nonce", "auth"]);

/** The server's decision on a dialer's hello. Reasons go to the log and to the dialer. */
export function checkHello(frame: Record<string, unknown>, ctx: ServerContext): HelloCheck {
  const refuse = (reason: string): HelloCheck => ({ ok: false, reason });
  if (frame.t !== "hello")
    return refuse(`expected a hello frame, got ${JSON.stringify(frame.t ?? null)}`);
  for (const k in frame)
    if (!HELLO_KEYS.has(k)) return refuse(`hello: unexpected key ${JSON.stringify(k)}`);
  if (frame.v !== WIRE_VERSION) {
    return refuse(
      `protocol version ${JSON.stringify(frame.v ?? null)} unsupported (this node speaks ${WIRE_VERSION})`,
    );
  }
  if (typeof frame.clusterId !== "string" || frame.clusterId !== ctx.clusterId) {
    return refuse(
      `wrong cluster id ${JSON.stringify(frame.clusterId ?? null)} (this is ${JSON.stringify(ctx.clusterId)})`,
    );
  }
  const { kind, id, nonce, auth } = frame;
  if (kind !== "node" && kind !== "client" && kind !== "control") {
    return refuse(`unknown peer kind ${JSON.stringify(kind ?? null)}`);
  }
  if (typeof id !== "string" || id.length === 0 || id.length > LIMITS.idLength || !ID_RE.test(id)) {
    return refuse(`malformed id ${JSON.stringify(id ?? null)}`);
  }
  if (typeof nonce !== "string" || !/^[0-9a-f]{32}$/.test(nonce)) return refuse("malformed nonce");
  if (kind === "node") {
    if (!ctx.nodeIds.has(id)) return refuse(`unknown node id ${JSON.stringify(id)}`);
    if (id === ctx.selfId) return refuse(`node id ${JSON.stringify(id)} is this node's own id`);
  } else if (ctx.nodeIds.has(id)) {
    return refuse(`${kind} id ${JSON.stringify(id)} is the id of a node of the cluster`);
  }
  const needsAuth = kind !== "client" || ctx.clientAuth;
  if (needsAuth) {
    if (auth === undefined) return refuse(`${kind} ${JSON.stringify(id)} presented no auth token`);
    const expected = helloAuth(ctx.secret, ctx.clusterId, kind, id, ctx.nonce);
    if (!tokensEqual(expected, auth)) {
      return refuse(`bad auth token from ${kind} ${JSON.stringify(id)} (wrong secret?)`);
    }
  }
  return { ok: true, kind, id, nonce };
}

/** The hello a dialer sends in answer to a challenge. */
export function makeHello(
  challenge: Challenge,
  me: {
    readonly clusterId: string;
    readonly kind: PeerKind;
    readonly id: string;
    readonly secret: string | undefined;
  },
  nonce: string,
): Hello {
  const base = {
    t: "hello",
    v: WIRE_VERSION,
    clusterId: me.clusterId,
    kind: me.kind,
    id: me.id,
    nonce,
  } as const;
  return me.secret === undefined
    ? base
    : { ...base, auth: helloAuth(me.secret, me.clusterId, me.kind, me.id, challenge.nonce) };
}

export function isChallenge(x: Record<string, unknown>): x is Record<string, unknown> & Challenge {
  return (
    x.t === "challenge" &&
    typeof x.v === "number" &&
    typeof x.clusterId === "string" &&
    typeof x.nodeId === "string" &&
    typeof x.nonce === "string"
  );
}

// The client library: get/put/delete/cas against a cluster, each a Promise.
//
// It is a small sans-IO host around core's own Client role (inside a PaxosNode that has only
// that role), so the real client behaves exactly like the simulated one: every request gets a
// unique (clientId, seq), the clientId is random per connect() (seqs restart at 0), and a
// request that times out is resent with the SAME seq to the next replica, so a retried write
// is applied once. This file only adds sockets, a clock, a timer and Promises.

import { randomBytes } from "node:crypto";
import {
  DEFAULT_LIMITS,
  type NodeEvent,
  type Operation,
  PaxosNode,
  type Result,
  type Timing,
} from "@paxos/core";
import { majority } from "@paxos/quorum-system";
import type WebSocket from "ws";
import {
  type Cluster,
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_ENVELOPE_BYTES,
  loadCluster,
  nodeUrl,
} from "./cluster-file.js";
import { decodeFrame } from "./codec.js";
import { packFrames } from "./frame-packer.js";
import { type Logger, silentLogger } from "./logger.js";
import { PeerLink } from "./peer-link.js";
import { checkDataFrame } from "./validate.js";

/** A cluster file path, a loaded cluster, or the replicas' addresses ("host:port" or ws:// URLs). */
export type ClusterTarget = string | Cluster | readonly string[];

export interface ConnectOptions {
  /** default: "c-" + 128 random bits in hex; must be new for every process (seqs restart) */
  readonly clientId?: string;
  /** default: the cluster's secret (file or PAXOS_CLUSTER_SECRET); needed when clientAuth is on */
  readonly secret?: string;
  /** for bare addresses: the cluster id to insist on (default: whatever the nodes announce) */
  readonly clusterId?: string;
  /** reject an operation that has not completed after this long (default 30 s; it may still
   *  be applied later: the engine keeps retrying it with the same seq) */
  readonly timeoutMs?: number;
  /** resend to the next replica after this long without an answer (default: cluster timing) */
  readonly retryMs?: number;
  readonly retryMaxMs?: number;
  /** how long connect() waits for a first replica connection (default 5 s) */
  readonly connectTimeoutMs?: number;
  /**
   * follow the leader: send to the replica beside the leader an answer names (default true:
   * one hop less); false keeps this client on the replica its id hashes to, spreading many
   * clients over the replicas (core's ClientOptions)
   */
  readonly followLeader?: boolean;
  /**
   * the replica (node id, or address when given bare addresses) to send to first instead of
   * the one the client id hashes to; with followLeader false the client stays there until it
   * fails to answer in time (core's ClientOptions.homeReplica)
   */
  readonly homeReplica?: string;
  readonly logger?: Logger;
}

/**
 * An operation not answered in time. Its outcome is unknown: it may still be applied, since the
 * engine keeps resending it (same clientId and seq, so at most once); read the key to find out.
 */
export class OperationTimeoutError extends Error {
  override readonly name = "OperationTimeoutError";
}

/** connect() found no replica to talk to; nothing was sent. */
export class ConnectError extends Error {
  override readonly name = "ConnectError";
}

/** A dial failure that retrying will not cure: a refusal, or a host name with no address. */
function isPermanent(error: Error): boolean {
  return error.name === "HandshakeError" || (error as NodeJS.ErrnoException).code === "ENOTFOUND";
}

/**
 * The cluster (or this library, for a value above the limit) refused the operation: it was not
 * applied and never will be, unless `maybeApplied` (its session expired: outcome unknown).
 */
export class OperationRefusedError extends Error {
  override readonly name = "OperationRefusedError";
  constructor(
    message: string,
    readonly maybeApplied: boolean,
  ) {
    super(message);
  }
}

interface Waiter {
  resolve(result: Result): void;
  reject(error: Error): void;
  readonly op: Operation;
  /** when it times out (performance.now() ms) */
  readonly deadline: number;
}

interface ReplicaTarget {
  /** the id the Client role uses: the node id, or the address when given bare addresses */
  readonly id: string;
  readonly url: string;
  /** the node id to insist on in the handshake, when known */
  readonly nodeId: string | undefined;
}

function toUrl(address: string): string {
  return /^wss?:\/\//.test(address) ? address : `ws://${address}/`;
}

export class PaxosClient {
  readonly clientId: string;
  private readonly node: PaxosNode;
  private readonly links = new Map<string, PeerLink>();
  /** in submission order, so also in deadline order (one timeout for all) */
  private readonly waiters = new Map<number, Waiter>();
  /** one timer for the earliest deadline, not one per operation */
  private timeoutTimer: NodeJS.Timeout | undefined = undefined;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private turnScheduled = false;
  private timer: NodeJS.Timeout | undefined = undefined;
  private timerAt = Number.NaN;
  private closed = false;
  private rotation = 0;
  /** what the requests of one frame may weigh together: the nodes' frame limit less the envelope */
  private readonly frameBudgetBytes: number;

  private constructor(
    targets: readonly ReplicaTarget[],
    options: ConnectOptions,
    cluster: Cluster | undefined,
  ) {
    // 128 random bits: two clients with one id would be handed each other's cached results.
    this.clientId = options.clientId ?? `c-${randomBytes(16).toString("hex")}`;
    this.log = (options.logger ?? silentLogger()).child({ client: this.clientId });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const ids = targets.map((t) => t.id);
    const timing: Partial<Timing> = {
      ...cluster?.file.timing,
      ...(options.retryMs === undefined ? {} : { clientRetryMs: options.retryMs }),
      ...(options.retryMaxMs === undefined ? {} : { clientRetryMaxMs: options.retryMaxMs }),
    };
    this.node = new PaxosNode(
      {
        id: this.clientId,
        roles: ["client"],
        // The client role only reads `replicas`; the quorum system is never consulted.
        cluster: {
          replicas: ids,
          leaders: [],
          quorum: cluster?.layout.quorum ?? majority([...ids]),
        },
        timing,
        // The Client role refuses an operation above maxValueBytes at once, with the message
        // the replicas use; bare addresses get the defaults, and the replicas have the last word.
        limits: cluster?.limits ?? DEFAULT_LIMITS,
        // only so the engine's check of limits against batch sizes holds for small frames
        ...(cluster === undefined ? {} : { replica: cluster.replica }),
        clientId: this.clientId,
        client: {
          ...cluster?.file.client,
          ...(options.followLeader === undefined ? {} : { followLeader: options.followLeader }),
          ...(options.homeReplica === undefined ? {} : { homeReplica: options.homeReplica }),
        },
      },
      { now: performance.now(), rng: { next: Math.random } },
    );
    const secret = options.secret ?? cluster?.secret;
    const maxPayload = cluster?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.frameBudgetBytes = maxPayload - FRAME_ENVELOPE_BYTES;
    for (const t of targets) {
      this.links.set(
        t.id,
        new PeerLink({
          peerId: t.nodeId ?? t.id,
          url: t.url,
          identity: {
            clusterId: cluster?.file.clusterId ?? options.clusterId,
            kind: "client",
            id: this.clientId,
            secret,
          },
          maxPayload,
          log: this.log,
          onData: (data, link) => this.onData(t.id, link, data),
        }),
      );
    }
  }

  /** Connects to the replicas of a cluster; resolves once one connection is up. */
  static async connect(target: ClusterTarget, options: ConnectOptions = {}): Promise<PaxosClient> {
    let cluster: Cluster | undefined;
    let targets: ReplicaTarget[];
    if (typeof target === "string") cluster = loadCluster(target);
    else if (!Array.isArray(target)) cluster = target as Cluster;
    if (cluster !== undefined) {
      targets = cluster.layout.replicas.map((id) => ({
        id,
        url: nodeUrl(cluster.nodesById.get(id)!),
        nodeId: id,
      }));
    } else {
      const addresses = target as readonly string[];
      if (addresses.length === 0) throw new Error("connect: no replica addresses given");
      targets = addresses.map((a) => ({ id: a, url: toUrl(a), nodeId: undefined }));
    }
    const client = new PaxosClient(targets, options, cluster);
    await client.warmUp(options.connectTimeoutMs ?? 5_000);
    return client;
  }

  get(key: string): Promise<string | null> {
    return this.execute({ type: "get", key }).then((r) =>
      r.type === "get" ? r.value : unexpected(r),
    );
  }

  put(key: string, value: string): Promise<void> {
    return this.execute({ type: "put", key, value }).then((r) =>
      r.type === "put" ? undefined : unexpected(r),
    );
  }

  /** Resolves to whether the key existed. */
  delete(key: string): Promise<boolean> {
    return this.execute({ type: "delete", key }).then((r) =>
      r.type === "delete" ? r.existed : unexpected(r),
    );
  }

  /** Sets `key` to `value` if it holds `expected` (null: if it is absent). */
  cas(
    key: string,
    expected: string | null,
    value: string,
  ): Promise<{ ok: boolean; value: string | null }> {
    return this.execute({ type: "cas", key, expected, value }).then((r) =>
      r.type === "cas" ? { ok: r.ok, value: r.value } : unexpected(r),
    );
  }

  /** Runs any operation; resolves with the state machine's result. */
  execute(op: Operation): Promise<Result> {
    if (this.closed) return Promise.reject(new Error("client is closed"));
    return new Promise((resolve, reject) => {
      const now = performance.now();
      const seq = this.node.submit(op, now);
      this.waiters.set(seq, { resolve, reject, op, deadline: now + this.timeoutMs });
      if (this.timeoutTimer === undefined) this.armTimeout();
      this.scheduleTurn();
    });
  }

  /**
   * Times out operations from the oldest. A timer per operation cost a Timeout object and two
   * calls into the timer list for every operation (a load generator with thousands in flight
   * made and cleared tens of thousands a second); the waiters are in deadline order, so one
   * timer for the oldest does.
   */
  private armTimeout(): void {
    const first = this.waiters.values().next();
    if (first.done || !Number.isFinite(this.timeoutMs)) return;
    const delayMs = Math.max(1, Math.ceil(first.value.deadline - performance.now()));
    this.timeoutTimer = setTimeout(this.onTimeout, delayMs);
  }

  private readonly onTimeout = (): void => {
    this.timeoutTimer = undefined;
    const now = performance.now();
    for (const [seq, w] of this.waiters) {
      if (w.deadline > now) break;
      this.waiters.delete(seq);
      w.reject(
        new OperationTimeoutError(
          `${w.op.type} ${JSON.stringify(w.op.key)} (seq ${seq}) not answered within ${this.timeoutMs} ms: ` +
            "its outcome is unknown (a write may still be applied; read the key to find out)",
        ),
      );
    }
    this.armTimeout();
  };

  /** Operations submitted and not answered yet. */
  get outstanding(): number {
    return this.waiters.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.timeoutTimer !== undefined) clearTimeout(this.timeoutTimer);
    for (const link of this.links.values()) link.close();
    for (const w of this.waiters.values()) w.reject(new Error("client closed"));
    this.waiters.clear();
  }

  private warmUp(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const refusedBy = new Set<string>();
      const errors = new Map<string, string>();
      const timer = setTimeout(() => {
        finish(
          new ConnectError(
            `connect: no replica reachable within ${timeoutMs} ms (${describeErrors(errors)})`,
          ),
        );
      }, timeoutMs);
      let done = false;
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        for (const link of this.links.values()) link.onOpen = undefined;
        for (const link of this.links.values()) link.onDialFailed = undefined;
        if (error === undefined) resolve();
        else {
          void this.close();
          reject(error);
        }
      };
      for (const link of this.links.values()) {
        link.onOpen = () => finish();
        link.onDialFailed = (error) => {
          errors.set(link.peerId, error.message);
          // Refusals (wrong secret, wrong cluster) and host names that do not resolve will not
          // go away: fail fast when every replica failed so. Replicas that are down may still
          // come up: wait for the timeout.
          if (isPermanent(error)) refusedBy.add(link.peerId);
          if (refusedBy.size === this.links.size) {
            const refusals = [...errors.values()].every((e) => !e.includes("ENOTFOUND"));
            finish(
              new ConnectError(
                refusals
                  ? `connect: refused by every replica (${describeErrors(errors)})`
                  : `connect: no replica can be reached: refused, or a host name that does not resolve (${describeErrors(errors)})`,
              ),
            );
          }
        };
        link.warmUp();
      }
    });
  }

  private scheduleTurn(): void {
    if (this.turnScheduled || this.closed) return;
    this.turnScheduled = true;
    setImmediate(this.runTurn);
  }

  private readonly runTurn = (): void => {
    this.turnScheduled = false;
    if (this.closed) return;
    const out = this.node.drain();
    for (const event of out.events) this.onEvent(event);
    // The requests of this turn to one replica go in as few frames as fit the nodes' frame
    // limit (a frame above it would close the connection).
    for (const { to, frame } of packFrames(this.clientId, out.sends, this.frameBudgetBytes)) {
      this.linkFor(to)?.send(frame);
    }
    const at = this.node.nextWakeAt();
    if (at !== this.timerAt) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timerAt = at;
      this.timer = Number.isFinite(at)
        ? setTimeout(this.onTimer, Math.max(1, Math.ceil(at - performance.now())))
        : undefined;
    }
  };

  /**
   * The link for a request the Client role addressed to `replica`. Any replica serves any
   * request, so while that replica's connection is not up (down, or being dialed) the request
   * goes over one that is, and the link to the chosen one redials in the background to find
   * a restarted replica again. The Client role alone would keep picking dead replicas: it
   * moves to the next replica on every retry of every command, so with one of three replicas
   * down a third of all retries go nowhere (see the report on core's Client).
   */
  private linkFor(replica: string): PeerLink | undefined {
    const chosen = this.links.get(replica);
    if (chosen === undefined || chosen.linkState === "open") return chosen;
    chosen.warmUp();
    const up: PeerLink[] = [];
    for (const link of this.links.values()) if (link.linkState === "open") up.push(link);
    if (up.length === 0) return chosen; // nothing better: it waits for the dial, or is dropped
    return up[this.rotation++ % up.length];
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Number.NaN;
    if (this.closed) return;
    this.node.tick(performance.now());
    this.runTurn();
  };

  private onEvent(event: NodeEvent): void {
    if (event.type !== "completed" && event.type !== "refused") return;
    const waiter = this.waiters.get(event.seq);
    if (waiter === undefined) return;
    this.waiters.delete(event.seq);
    if (event.type === "completed") waiter.resolve(event.result);
    else waiter.reject(new OperationRefusedError(event.reason, event.maybeApplied));
  }

  private onData(replica: string, link: PeerLink, data: WebSocket.RawData): void {
    let frame: Record<string, unknown>;
    try {
      frame = decodeFrame(data as Buffer) as Record<string, unknown>;
    } catch (error) {
      this.log.warn({ peer: link.remoteId, reason: (error as Error).message }, "bad frame dropped");
      return;
    }
    const check =
      frame.t === "msgs" ? checkDataFrame(frame, link.remoteId ?? "", this.clientId) : null;
    if (check === null || !check.ok) {
      this.log.warn(
        { peer: link.remoteId, reason: check?.reason ?? "not a data frame" },
        "bad frame dropped",
      );
      return;
    }
    const now = performance.now();
    for (const m of check.msgs) {
      if (m.type === "response" || m.type === "refused") this.node.receive(replica, m, now);
    }
    this.scheduleTurn();
  }
}

function unexpected(r: Result): never {
  throw new Error(`unexpected result type ${JSON.stringify(r.type)}`);
}

function describeErrors(errors: ReadonlyMap<string, string>): string {
  if (errors.size === 0) return "no answer";
  return [...errors].map(([peer, e]) => `${peer}: ${e}`).join("; ");
}

/** Connects to a cluster: `connect("cluster.json")`, `connect(["127.0.0.1:7001", ...])`. */
export function connect(target: ClusterTarget, options: ConnectOptions = {}): Promise<PaxosClient> {
  return PaxosClient.connect(target, options);
}

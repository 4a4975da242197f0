// Client side of the control channel, for tests and the experiment runner: read a node's
// status, shape its links, partition and heal. `ClusterControl` does it for a whole cluster
// (e.g. isolate one node: it stops sending to everyone and everyone stops sending to it).

import type WebSocket from "ws";
import { type Cluster, nodeUrl } from "./cluster-file.js";
import { decodeFrame, encodeFrame } from "./codec.js";
import type { ControlRequest, NodeStatus } from "./control-protocol.js";
import { dial } from "./dial.js";
import type { LinkSpec } from "./link-emulation.js";

export interface ControlOptions {
  readonly secret: string;
  /** undefined: accept the cluster id the node announces */
  readonly clusterId?: string;
  /** how this controller names itself in the node's log */
  readonly id?: string;
  readonly timeoutMs?: number;
}

interface Waiting {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class ControlClient {
  private nextReqId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private closed = false;

  private constructor(
    private readonly ws: WebSocket,
    readonly nodeId: string,
    private readonly timeoutMs: number,
  ) {}

  static async open(url: string, options: ControlOptions): Promise<ControlClient> {
    let client: ControlClient | undefined;
    const { ws, peerId } = await dial({
      url,
      identity: {
        clusterId: options.clusterId,
        kind: "control",
        id: options.id ?? `control-${process.pid}`,
        secret: options.secret,
      },
      maxPayload: 64 * 1024 * 1024,
      onData: (data) => client?.onData(data as Buffer),
      onClose: () => client?.failAll(new Error("control connection closed")),
    });
    client = new ControlClient(ws, peerId, options.timeoutMs ?? 5_000);
    return client;
  }

  call(request: ControlRequest): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error("control client closed"));
    const reqId = this.nextReqId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(reqId);
        reject(new Error(`control ${request.op} to ${this.nodeId} timed out`));
      }, this.timeoutMs);
      this.waiting.set(reqId, { resolve, reject, timer });
      this.ws.send(encodeFrame({ t: "control", reqId, ...request }));
    });
  }

  status(): Promise<NodeStatus> {
    return this.call({ op: "status" }) as Promise<NodeStatus>;
  }

  setLink(peer: string, spec: LinkSpec | null): Promise<unknown> {
    return this.call({ op: "setLink", peer, spec });
  }

  partition(peers: readonly string[]): Promise<unknown> {
    return this.call({ op: "partition", peers });
  }

  heal(peers?: readonly string[]): Promise<unknown> {
    return this.call(peers === undefined ? { op: "heal" } : { op: "heal", peers });
  }

  close(): void {
    this.closed = true;
    this.failAll(new Error("control client closed"));
    this.ws.close();
  }

  private onData(data: Buffer): void {
    let frame: Record<string, unknown>;
    try {
      frame = decodeFrame(data) as Record<string, unknown>;
    } catch {
      return;
    }
    if (frame.t !== "controlReply" || typeof frame.reqId !== "number") return;
    const w = this.waiting.get(frame.reqId);
    if (w === undefined) return;
    this.waiting.delete(frame.reqId);
    clearTimeout(w.timer);
    if (frame.ok === true) w.resolve(frame.result);
    else w.reject(new Error(`control: ${String(frame.error)}`));
  }

  private failAll(error: Error): void {
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.reject(error);
    }
    this.waiting.clear();
  }
}

/** Control of every node of a cluster; connections are opened on first use. */
export class ClusterControl {
  private readonly clients = new Map<string, ControlClient>();

  constructor(
    private readonly cluster: Cluster,
    private readonly options: Partial<ControlOptions> = {},
  ) {}

  async node(id: string): Promise<ControlClient> {
    const open = this.clients.get(id);
    if (open !== undefined) return open;
    const entry = this.cluster.nodesById.get(id);
    if (entry === undefined) throw new Error(`unknown node ${JSON.stringify(id)}`);
    const secret = this.options.secret ?? this.cluster.secret;
    if (secret === undefined) throw new Error("control needs the cluster secret");
    const client = await ControlClient.open(nodeUrl(entry), {
      ...this.options,
      secret,
      clusterId: this.cluster.file.clusterId,
    });
    this.clients.set(id, client);
    return client;
  }

  /** Forgets a node's connection (after the node was killed or restarted). */
  drop(id: string): void {
    this.clients.get(id)?.close();
    this.clients.delete(id);
  }

  async status(id: string): Promise<NodeStatus> {
    return (await this.node(id)).status();
  }

  /** Cuts `id` off from every other node, in both directions. */
  async isolate(id: string): Promise<void> {
    const others = [...this.cluster.nodesById.keys()].filter((n) => n !== id);
    await (await this.node(id)).partition(others);
    await Promise.all(others.map(async (n) => (await this.node(n)).partition([id])));
  }

  /** Heals every partition on every reachable node. */
  async healAll(): Promise<void> {
    await Promise.all(
      [...this.cluster.nodesById.keys()].map(async (n) => (await this.node(n)).heal()),
    );
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

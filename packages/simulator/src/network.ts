// The simulated network: unreliable datagrams between nodes, as the engine assumes (UDP-like).
// Each directed link (from, to) has a latency distribution plus jitter, a loss probability, a
// duplication probability and a reordering probability (an extra random delay on top of the
// latency). Links take the default settings unless overridden per pair. FIFO is not guaranteed:
// two frames on the same link each draw their own delay (the messages of one frame, what one
// host turn sends to one peer, travel together; loss is drawn per message).
//
// Partitions are a set of blocked directed links. A message is dropped if its link is blocked
// when it is sent or when it would arrive, so a partition takes effect at once, in both
// directions, for messages in flight too.
//
// The network only decides fates and delays; the simulation owns the clock and the event queue.

import type { Message, Rng } from "@paxos/core";
import { type LatencySampler, type LatencySpec, latencySampler } from "./latency.js";
import { estimateWireBytes } from "./message-size.js";

export interface LinkSpec {
  readonly latency: LatencySpec;
  /** uniform extra delay in [-jitterMs, +jitterMs), clamped so a delay is never negative */
  readonly jitterMs?: number;
  /** probability that a message is lost */
  readonly lossRate?: number;
  /** probability that a message arrives twice (the copy draws its own delay) */
  readonly duplicateRate?: number;
  /** probability that a message is held back by an extra uniform delay in [0, reorderDelayMs) */
  readonly reorderRate?: number;
  /** the largest extra delay of a reordered message; 10 ms by default */
  readonly reorderDelayMs?: number;
  /**
   * link capacity in bytes per ms (0: unlimited). Messages on a link are serialised one after
   * the other (estimated wire size / capacity) and their latency starts when that ends.
   */
  readonly bandwidthBytesPerMs?: number;
}

export interface LinkOverride extends Partial<LinkSpec> {
  readonly from: string;
  readonly to: string;
  /** apply to (to, from) as well */
  readonly bidirectional?: boolean;
}

export interface NetworkSpec {
  /** every link not overridden */
  readonly link: LinkSpec;
  readonly overrides?: readonly LinkOverride[];
  /**
   * a node's total sending capacity in bytes per ms, shared by all its links (its NIC): one
   * number for every node, or per node id (absent or 0: unlimited). A leader sending p2a to
   * every acceptor is bounded by it, which is what thrifty phase 2 saves.
   */
  readonly uplinkBytesPerMs?: number | Readonly<Record<string, number>>;
}

export const DEFAULT_LINK: LinkSpec = {
  latency: { kind: "constant", ms: 1 },
  jitterMs: 0,
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderDelayMs: 10,
  bandwidthBytesPerMs: 0,
};

export class NetworkConfigError extends Error {
  override readonly name = "NetworkConfigError";
}

/** A link's settings, validated, with its latency sampler built. */
class CompiledLink {
  readonly sample: LatencySampler;
  readonly lossRate: number;
  readonly duplicateRate: number;
  readonly reorderRate: number;
  readonly reorderDelayMs: number;
  readonly bandwidthBytesPerMs: number;

  constructor(
    readonly spec: Required<LinkSpec>,
    where: string,
  ) {
    this.sample = latencySampler(spec.latency, spec.jitterMs, `${where}.latency`);
    this.lossRate = probability(`${where}.lossRate`, spec.lossRate);
    this.duplicateRate = probability(`${where}.duplicateRate`, spec.duplicateRate);
    this.reorderRate = probability(`${where}.reorderRate`, spec.reorderRate);
    const d = spec.reorderDelayMs;
    if (typeof d !== "number" || !Number.isFinite(d) || d < 0) {
      throw new NetworkConfigError(
        `${where}.reorderDelayMs must be a number >= 0, got ${String(d)}`,
      );
    }
    this.reorderDelayMs = d;
    const bw = spec.bandwidthBytesPerMs;
    if (typeof bw !== "number" || !Number.isFinite(bw) || bw < 0) {
      throw new NetworkConfigError(
        `${where}.bandwidthBytesPerMs must be a number >= 0 (0: unlimited), got ${String(bw)}`,
      );
    }
    this.bandwidthBytesPerMs = bw;
  }
}

function probability(where: string, p: unknown): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new NetworkConfigError(`${where} must be a probability in [0, 1], got ${String(p)}`);
  }
  return p;
}

function complete(link: LinkSpec, where: string): Required<LinkSpec> {
  if (typeof link !== "object" || link === null) {
    throw new NetworkConfigError(`${where}: expected link settings, got ${String(link)}`);
  }
  const full: Required<LinkSpec> = { ...(DEFAULT_LINK as Required<LinkSpec>) };
  for (const [k, v] of Object.entries(link)) {
    if (k === "from" || k === "to" || k === "bidirectional") continue;
    if (!(k in DEFAULT_LINK)) throw new NetworkConfigError(`${where}: unknown link setting "${k}"`);
    if (v !== undefined) (full as Record<string, unknown>)[k] = v;
  }
  return full;
}

export class Network {
  readonly ids: readonly string[];
  private readonly indexById = new Map<string, number>();
  private readonly n: number;
  private defaultSpec: Required<LinkSpec>;
  /** per directed pair (from * n + to): the override, if any */
  private readonly overrides: (Partial<LinkSpec> | undefined)[];
  private readonly links: CompiledLink[];
  private readonly blocked: Uint8Array;
  /** per directed pair: when the link finishes sending what is queued on it */
  private readonly busyUntilMs: Float64Array;
  /** per node: its sending capacity (0: unlimited), and when it finishes what is queued */
  private readonly uplinkBytesPerMs: Float64Array;
  private readonly uplinkBusyUntilMs: Float64Array;
  private blockedCount = 0;
  private readonly rng: Rng;

  /** Delays of the copies decided by the last route() call. */
  readonly delays = new Float64Array(2);

  constructor(ids: readonly string[], spec: NetworkSpec | undefined, rng: Rng) {
    this.ids = [...ids];
    this.n = ids.length;
    ids.forEach((id, i) => {
      if (this.indexById.has(id)) throw new NetworkConfigError(`duplicate node id "${id}"`);
      this.indexById.set(id, i);
    });
    this.rng = rng;
    this.defaultSpec = complete(spec?.link ?? DEFAULT_LINK, "network.link");
    const defaultLink = new CompiledLink(this.defaultSpec, "network.link");
    this.overrides = new Array<Partial<LinkSpec> | undefined>(this.n * this.n).fill(undefined);
    this.links = new Array<CompiledLink>(this.n * this.n).fill(defaultLink);
    this.blocked = new Uint8Array(this.n * this.n);
    this.busyUntilMs = new Float64Array(this.n * this.n);
    this.uplinkBytesPerMs = new Float64Array(this.n);
    this.uplinkBusyUntilMs = new Float64Array(this.n);
    const uplink = spec?.uplinkBytesPerMs;
    if (uplink !== undefined) {
      const perNode =
        typeof uplink === "number"
          ? ids.map((id) => [id, uplink] as const)
          : Object.entries(uplink);
      for (const [id, rate] of perNode) {
        if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0) {
          throw new NetworkConfigError(
            `network.uplinkBytesPerMs${typeof uplink === "number" ? "" : `.${id}`} must be a number >= 0 (0: unlimited), got ${String(rate)}`,
          );
        }
        this.uplinkBytesPerMs[this.indexOf(id)] = rate;
      }
    }
    (spec?.overrides ?? []).forEach((o, i) => {
      this.setLink(o.from, o.to, o, o.bidirectional === true, `network.overrides[${i}]`);
    });
  }

  indexOf(id: string): number {
    const i = this.indexById.get(id);
    if (i === undefined) throw new NetworkConfigError(`unknown node "${id}"`);
    return i;
  }

  /** Settings in force on the link from -> to. */
  link(from: string, to: string): Required<LinkSpec> {
    return this.links[this.indexOf(from) * this.n + this.indexOf(to)]!.spec;
  }

  /** Change the default settings (merged into the current ones); overrides stay on top. */
  setDefaultLink(settings: Partial<LinkSpec>): void {
    const spec = complete({ ...this.defaultSpec, ...settings }, "network.link");
    const compiled = new CompiledLink(spec, "network.link");
    this.defaultSpec = spec;
    const cache = new Map<Partial<LinkSpec>, CompiledLink>();
    for (let i = 0; i < this.links.length; i++) {
      const o = this.overrides[i];
      if (o === undefined) {
        this.links[i] = compiled;
        continue;
      }
      let c = cache.get(o);
      if (!c) {
        c = new CompiledLink(complete({ ...spec, ...o }, "network.override"), "network.override");
        cache.set(o, c);
      }
      this.links[i] = c;
    }
  }

  /** Override settings of one directed link (and its reverse if asked). */
  setLink(
    from: string,
    to: string,
    settings: Partial<LinkSpec>,
    bidirectional = false,
    where = `link ${from}->${to}`,
  ): void {
    const own: Partial<LinkSpec> = {};
    for (const [k, v] of Object.entries(settings)) {
      if (k === "from" || k === "to" || k === "bidirectional" || v === undefined) continue;
      (own as Record<string, unknown>)[k] = v;
    }
    const compiled = new CompiledLink(complete({ ...this.defaultSpec, ...own }, where), where);
    const f = this.indexOf(from);
    const t = this.indexOf(to);
    this.overrides[f * this.n + t] = own;
    this.links[f * this.n + t] = compiled;
    if (bidirectional) {
      this.overrides[t * this.n + f] = own;
      this.links[t * this.n + f] = compiled;
    }
  }

  // ---- partitions ----

  /** Block the directed link from -> to. */
  block(from: string, to: string): void {
    this.setBlocked(this.indexOf(from) * this.n + this.indexOf(to), true);
  }

  unblock(from: string, to: string): void {
    this.setBlocked(this.indexOf(from) * this.n + this.indexOf(to), false);
  }

  /**
   * Cut every link between nodes of different groups, both directions. Nodes not listed in any
   * group keep all their links: they stand outside the partition (e.g. clients that still reach
   * both sides, or a node the experiment does not care about). Cuts add to those already in
   * force; heal() removes them all.
   */
  partition(groups: readonly (readonly string[])[]): void {
    const groupOf = new Map<number, number>();
    groups.forEach((group, g) => {
      for (const id of group) {
        const i = this.indexOf(id);
        if (groupOf.has(i)) throw new NetworkConfigError(`partition: "${id}" is in two groups`);
        groupOf.set(i, g);
      }
    });
    for (const [a, ga] of groupOf) {
      for (const [b, gb] of groupOf) {
        if (ga !== gb) this.setBlocked(a * this.n + b, true);
      }
    }
  }

  /** Cut every link to and from `id`. */
  isolate(id: string): void {
    const i = this.indexOf(id);
    for (let j = 0; j < this.n; j++) {
      if (j === i) continue;
      this.setBlocked(i * this.n + j, true);
      this.setBlocked(j * this.n + i, true);
    }
  }

  /** Remove every cut. */
  heal(): void {
    this.blocked.fill(0);
    this.blockedCount = 0;
  }

  isBlocked(from: string, to: string): boolean {
    return this.blocked[this.indexOf(from) * this.n + this.indexOf(to)] === 1;
  }

  /** Is any link cut? */
  get partitioned(): boolean {
    return this.blockedCount > 0;
  }

  /** Fast path for the simulation: by node index. */
  isBlockedIdx(from: number, to: number): boolean {
    return this.blockedCount > 0 && this.blocked[from * this.n + to] === 1;
  }

  private setBlocked(k: number, on: boolean): void {
    const was = this.blocked[k] === 1;
    if (was === on) return;
    this.blocked[k] = on ? 1 : 0;
    this.blockedCount += on ? 1 : -1;
  }

  // ---- per message ----

  /**
   * Decide the fate of one message from -> to: returns how many copies arrive (0 lost or cut,
   * 1, or 2 when duplicated), their delays in `this.delays`. Random draws happen in a fixed
   * order (loss, duplication, then per copy latency and reordering) and only for features that
   * are switched on, so a fault-free link costs exactly one latency sample.
   */
  route(from: number, to: number, nowMs = 0, message?: Message): number {
    const k = from * this.n + to;
    if (this.blockedCount > 0 && this.blocked[k] === 1) return 0;
    if (this.loses(from, to)) return 0;
    return this.routeFrame(from, to, nowMs, message === undefined ? 0 : estimateWireBytes(message));
  }

  /** Whether the link from -> to loses messages at all. */
  hasLoss(from: number, to: number): boolean {
    return this.links[from * this.n + to]!.lossRate > 0;
  }

  /** Draws whether one message on from -> to is lost (no draw on a link without loss). */
  loses(from: number, to: number): boolean {
    const link = this.links[from * this.n + to]!;
    return link.lossRate > 0 && this.rng.next() < link.lossRate;
  }

  /** Whether routeFrame needs the frame's size (a link or the sender's uplink is limited). */
  needsBytes(from: number, to: number): boolean {
    return (
      this.uplinkBytesPerMs[from]! > 0 || this.links[from * this.n + to]!.bandwidthBytesPerMs > 0
    );
  }

  /**
   * Decide the delays of one frame (the messages one host turn sends to one peer travel
   * together, as the real transport sends them): how many copies arrive (1, or 2 when
   * duplicated), their delays in `this.delays`. Loss is drawn per message by the caller
   * (loses()), as the transport's link emulation drops single messages; partitions are checked
   * by the caller. `bytes` is the frame's estimated wire size (0 when no bandwidth applies).
   */
  routeFrame(from: number, to: number, nowMs: number, bytes: number): number {
    const k = from * this.n + to;
    const link = this.links[k]!;
    const rng = this.rng;
    const copies = link.duplicateRate > 0 && rng.next() < link.duplicateRate ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      let d = link.sample(rng);
      if (link.reorderRate > 0 && rng.next() < link.reorderRate) {
        d += rng.next() * link.reorderDelayMs;
      }
      this.delays[c] = d;
    }
    const uplink = this.uplinkBytesPerMs[from]!;
    if ((uplink > 0 || link.bandwidthBytesPerMs > 0) && bytes > 0) {
      // A node's NIC, then the link, each send one frame at a time: a frame leaves when the
      // queue ahead of it has gone, and its latency starts then.
      let sentMs = nowMs;
      if (uplink > 0) {
        sentMs = Math.max(sentMs, this.uplinkBusyUntilMs[from]!) + bytes / uplink;
        this.uplinkBusyUntilMs[from] = sentMs;
      }
      if (link.bandwidthBytesPerMs > 0) {
        sentMs = Math.max(sentMs, this.busyUntilMs[k]!) + bytes / link.bandwidthBytesPerMs;
        this.busyUntilMs[k] = sentMs;
      }
      for (let c = 0; c < copies; c++) this.delays[c] = this.delays[c]! + (sentMs - nowMs);
    }
    return copies;
  }
}

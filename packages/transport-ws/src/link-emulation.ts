// Link emulation in the transport's send path, because this kernel has no netem. Each node
// shapes what it sends to each peer: per-message loss, a bandwidth cap with a FIFO queue
// (serialisation delay), a one-way propagation delay drawn from a distribution, and "down"
// (a partition: everything to that peer is dropped). The receiving side does nothing, so a
// two-way partition is two one-way ones, set on both sides by whoever injects the fault.
//
// LinkModel is the pure arithmetic (clock and randomness injected, unit-tested); LinkShaper
// schedules real deliveries with a single timer per shaped link. A link that is not shaped has
// no LinkShaper at all: the send path checks one field and goes straight to the socket.

/** How the delay's random part is drawn around `delayMs` (netem's jitter distributions). */
export type DelayDistribution = "constant" | "uniform" | "normal" | "exponential";

export interface LinkSpec {
  /** fixed one-way delay added to every frame, ms */
  readonly delayMs?: number;
  /** scale of the random part of the delay: uniform +-jitter, normal sd, exponential mean */
  readonly jitterMs?: number;
  /** default "uniform" when jitterMs is set, like netem */
  readonly distribution?: DelayDistribution;
  /** probability in [0, 1] that a message is dropped */
  readonly lossRate?: number;
  /** link capacity; frames queue behind each other (serialisation delay) */
  readonly bandwidthBytesPerSec?: number;
  /** most bytes waiting in the bandwidth queue; a frame that would exceed it is dropped */
  readonly queueBytes?: number;
  /** partition: drop everything to this peer */
  readonly down?: boolean;
}

export const DEFAULT_QUEUE_BYTES = 4 * 1024 * 1024;

/** JSON schema of a LinkSpec, shared by the cluster file and the control channel. */
export const linkSpecSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    delayMs: { type: "number", minimum: 0, maximum: 600_000 },
    jitterMs: { type: "number", minimum: 0, maximum: 600_000 },
    distribution: { enum: ["constant", "uniform", "normal", "exponential"] },
    lossRate: { type: "number", minimum: 0, maximum: 1 },
    bandwidthBytesPerSec: { type: "number", exclusiveMinimum: 0 },
    queueBytes: { type: "integer", minimum: 1 },
    down: { type: "boolean" },
  },
} as const;

/** Does this spec change anything? An all-default spec is stored as "no shaping". */
export function isActive(spec: LinkSpec | undefined): spec is LinkSpec {
  if (spec === undefined) return false;
  return (
    spec.down === true ||
    (spec.delayMs ?? 0) > 0 ||
    ((spec.jitterMs ?? 0) > 0 && spec.distribution !== "constant") ||
    (spec.lossRate ?? 0) > 0 ||
    spec.bandwidthBytesPerSec !== undefined
  );
}

/** Why a frame did not go out. */
export type DropReason = "down" | "loss" | "queue-full";

/** The pure model of one directed link. Times are ms on the caller's clock. */
export class LinkModel {
  /** when the bandwidth-limited link finishes sending what is queued */
  private busyUntilMs = 0;

  constructor(
    readonly spec: LinkSpec,
    private readonly random: () => number,
  ) {}

  /** Should this message be dropped by the loss process? (One draw per message.) */
  loses(): boolean {
    const p = this.spec.lossRate ?? 0;
    return p > 0 && this.random() < p;
  }

  /**
   * Plans one frame of `bytes` offered at `nowMs`: the time it arrives, or why it is dropped.
   * With a bandwidth cap the frame starts when the previous one has left, so frames queue;
   * propagation delay is added after serialisation, per frame.
   */
  plan(
    bytes: number,
    nowMs: number,
  ): { readonly deliverAtMs: number } | { readonly drop: DropReason } {
    const spec = this.spec;
    if (spec.down === true) return { drop: "down" };
    let sentAtMs = nowMs;
    const bw = spec.bandwidthBytesPerSec;
    if (bw !== undefined) {
      const startMs = Math.max(nowMs, this.busyUntilMs);
      const backlogBytes = ((startMs - nowMs) * bw) / 1000;
      if (backlogBytes + bytes > (spec.queueBytes ?? DEFAULT_QUEUE_BYTES))
        return { drop: "queue-full" };
      sentAtMs = startMs + (bytes * 1000) / bw;
      this.busyUntilMs = sentAtMs;
    }
    return { deliverAtMs: sentAtMs + this.sampleDelayMs() };
  }

  /** One draw of the propagation delay; never negative. */
  sampleDelayMs(): number {
    const base = this.spec.delayMs ?? 0;
    const jitter = this.spec.jitterMs ?? 0;
    if (jitter <= 0) return base;
    let d: number;
    switch (this.spec.distribution ?? "uniform") {
      case "constant":
        d = base;
        break;
      case "uniform":
        d = base + (2 * this.random() - 1) * jitter;
        break;
      case "normal":
        d = base + jitter * standardNormal(this.random);
        break;
      case "exponential":
        // -ln(1-u): u in [0,1) keeps the argument in (0,1]
        d = base - jitter * Math.log(1 - this.random());
        break;
    }
    return Math.max(d, 0);
  }
}

/** Box-Muller: one N(0,1) draw from two uniforms. */
function standardNormal(random: () => number): number {
  const u1 = 1 - random(); // (0, 1]: log(0) is -Infinity
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

interface Pending<Frame> {
  readonly atMs: number;
  /** insertion order breaks ties, so equal delays keep FIFO order */
  readonly order: number;
  readonly frame: Frame;
}

export interface ShaperClock {
  now(): number;
  setTimer(fn: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: ShaperClock = {
  now: () => performance.now(),
  setTimer: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Delays frames of one link and hands them to `deliver` when due. Frames in flight are kept in
 * a binary heap by arrival time with one timer for the earliest, so jitter can reorder frames
 * (as it does on a real path) without a timer per frame.
 */
export class LinkShaper<Frame = Buffer> {
  readonly model: LinkModel;
  private readonly heap: Pending<Frame>[] = [];
  private seq = 0;
  private timer: unknown = undefined;
  private timerAtMs = Number.POSITIVE_INFINITY;
  /** counters for the control channel's status */
  readonly drops = { down: 0, loss: 0, "queue-full": 0 };

  constructor(
    spec: LinkSpec,
    private readonly deliver: (frame: Frame) => void,
    random: () => number = Math.random,
    private readonly clock: ShaperClock = realClock,
  ) {
    this.model = new LinkModel(spec, random);
  }

  get inFlight(): number {
    return this.heap.length;
  }

  /** Per-message loss, applied before messages are coalesced into a frame. */
  loses(): boolean {
    if (this.model.loses()) {
      this.drops.loss++;
      return true;
    }
    return false;
  }

  offer(frame: Frame, bytes: number): void {
    const now = this.clock.now();
    const plan = this.model.plan(bytes, now);
    if ("drop" in plan) {
      this.drops[plan.drop]++;
      return;
    }
    if (plan.deliverAtMs <= now && this.heap.length === 0) {
      this.deliver(frame);
      return;
    }
    this.push({ atMs: plan.deliverAtMs, order: this.seq++, frame });
    this.arm();
  }

  /** Stops the timer and forgets frames in flight (the link is being replaced or closed). */
  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAtMs = Number.POSITIVE_INFINITY;
    this.heap.length = 0;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAtMs = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    // Timers round to whole ms: take anything due within half a ms.
    while (this.heap.length > 0 && this.heap[0]!.atMs <= now + 0.5) {
      this.deliver(this.pop().frame);
    }
    this.arm();
  };

  private arm(): void {
    const head = this.heap[0];
    if (head === undefined || head.atMs >= this.timerAtMs) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timerAtMs = head.atMs;
    this.timer = this.clock.setTimer(this.fire, Math.max(0, head.atMs - this.clock.now()));
  }

  private push(p: Pending<Frame>): void {
    const h = this.heap;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Pending<Frame> {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before<Frame>(a: Pending<Frame>, b: Pending<Frame>): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);
}

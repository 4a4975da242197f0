// The simulator's event queue: a binary min-heap ordered by (time, insertion sequence). The
// sequence number makes equal-time events come out first-in first-out, so the order of a run
// depends only on what was scheduled, never on heap internals: that is what makes a seed replay.
//
// Layout, for speed (the queue sees every message of a run):
// - the heap order lives in three parallel typed arrays (time, sequence, slot), so comparisons
//   read numbers straight out of a Float64Array with no pointer chasing, and sifting moves a
//   "hole" instead of swapping;
// - an event's body (kind, two integers, one payload reference) lives in slot-indexed arrays
//   reused through a free list, so scheduling an event allocates nothing once the arrays have
//   grown to the run's peak size.
//
// pop() copies the event into the public `time/kind/a/b/payload` fields and frees the slot at
// once, so the caller may schedule new events while handling the popped one.

const INITIAL_CAPACITY = 1024;

export class EventQueue {
  // heap order
  private hTime: Float64Array;
  private hSeq: Float64Array;
  private hSlot: Int32Array;
  private count = 0;
  // event bodies by slot
  private kinds: Uint8Array;
  private as: Int32Array;
  private bs: Int32Array;
  private payloads: unknown[];
  private free: Int32Array;
  private freeCount: number;
  private capacity: number;
  private nextSeq = 0;

  /** The last popped event. */
  time = 0;
  kind = 0;
  a = 0;
  b = 0;
  payload: unknown = undefined;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    const n = Math.max(16, initialCapacity | 0);
    this.capacity = n;
    this.hTime = new Float64Array(n);
    this.hSeq = new Float64Array(n);
    this.hSlot = new Int32Array(n);
    this.kinds = new Uint8Array(n);
    this.as = new Int32Array(n);
    this.bs = new Int32Array(n);
    this.payloads = new Array<unknown>(n).fill(undefined);
    this.free = new Int32Array(n);
    // Hand out low slots first (purely cosmetic; any order is deterministic).
    for (let i = 0; i < n; i++) this.free[i] = n - 1 - i;
    this.freeCount = n;
  }

  get length(): number {
    return this.count;
  }

  /** Time of the earliest event, Infinity when empty. */
  peekTime(): number {
    return this.count > 0 ? this.hTime[0]! : Number.POSITIVE_INFINITY;
  }

  /** Schedule an event. `time` must be a number (NaN would corrupt the order, so it throws). */
  push(time: number, kind: number, a: number, b: number, payload: unknown): void {
    if (Number.isNaN(time)) throw new RangeError("EventQueue.push: time is NaN");
    if (this.freeCount === 0) this.grow();
    const slot = this.free[--this.freeCount]!;
    this.kinds[slot] = kind;
    this.as[slot] = a;
    this.bs[slot] = b;
    this.payloads[slot] = payload;
    const seq = this.nextSeq++;
    // sift up: move parents down into the hole until the new event fits
    const hTime = this.hTime;
    const hSeq = this.hSeq;
    const hSlot = this.hSlot;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = hTime[parent]!;
      if (pt < time || (pt === time && hSeq[parent]! < seq)) break;
      hTime[i] = pt;
      hSeq[i] = hSeq[parent]!;
      hSlot[i] = hSlot[parent]!;
      i = parent;
    }
    hTime[i] = time;
    hSeq[i] = seq;
    hSlot[i] = slot;
  }

  /** Remove the earliest event into the public fields; false when the queue is empty. */
  pop(): boolean {
    if (this.count === 0) return false;
    const hTime = this.hTime;
    const hSeq = this.hSeq;
    const hSlot = this.hSlot;
    const slot = hSlot[0]!;
    this.time = hTime[0]!;
    this.kind = this.kinds[slot]!;
    this.a = this.as[slot]!;
    this.b = this.bs[slot]!;
    this.payload = this.payloads[slot];
    this.payloads[slot] = undefined; // do not keep delivered messages alive
    this.free[this.freeCount++] = slot;

    const n = --this.count;
    if (n > 0) {
      // sift the last element down from the root hole
      const time = hTime[n]!;
      const seq = hSeq[n]!;
      const last = hSlot[n]!;
      let i = 0;
      const half = n >> 1;
      while (i < half) {
        let child = 2 * i + 1;
        let ct = hTime[child]!;
        let cs = hSeq[child]!;
        const right = child + 1;
        if (right < n) {
          const rt = hTime[right]!;
          const rs = hSeq[right]!;
          if (rt < ct || (rt === ct && rs < cs)) {
            child = right;
            ct = rt;
            cs = rs;
          }
        }
        if (time < ct || (time === ct && seq < cs)) break;
        hTime[i] = ct;
        hSeq[i] = cs;
        hSlot[i] = hSlot[child]!;
        i = child;
      }
      hTime[i] = time;
      hSeq[i] = seq;
      hSlot[i] = last;
    }
    return true;
  }

  /** Drop every event (the sequence counter keeps counting, so FIFO order stays global). */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.payloads[this.hSlot[i]!] = undefined;
    this.count = 0;
    const n = this.capacity;
    for (let i = 0; i < n; i++) this.free[i] = n - 1 - i;
    this.freeCount = n;
  }

  private grow(): void {
    const old = this.capacity;
    const n = old * 2;
    this.capacity = n;
    this.hTime = extendF64(this.hTime, n);
    this.hSeq = extendF64(this.hSeq, n);
    this.hSlot = extendI32(this.hSlot, n);
    this.as = extendI32(this.as, n);
    this.bs = extendI32(this.bs, n);
    const kinds = new Uint8Array(n);
    kinds.set(this.kinds);
    this.kinds = kinds;
    for (let i = old; i < n; i++) this.payloads.push(undefined);
    // The free list was empty (that is why we grow): it now holds the new slots.
    const free = new Int32Array(n);
    for (let i = 0; i < n - old; i++) free[i] = n - 1 - i;
    this.free = free;
    this.freeCount = n - old;
  }
}

function extendF64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

function extendI32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

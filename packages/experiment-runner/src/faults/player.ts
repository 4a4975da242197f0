// The one fault player: plays a run's faults (the config's and its chaos schedule) onto any
// cluster driver at their times, one after the other in schedule order, resolving "@leader"
// when a fault fires. It keeps what the run needs afterwards: each fault as applied, when each
// started and finished (the chaos checks), and the network's state after each (the
// during-fault liveness check).
//
// A restart does not hold up the schedule (a process takes a good part of a second to start,
// more on a busy machine, and the faults after it would fall behind their times): the player
// goes on, and the fault counts as done when the node serves.

import { type FaultTime, NetStates } from "../chaos/liveness.js";
import { linkPairs } from "../chaos/run.js";
import type { Variant } from "../config/resolve.js";
import type { LinkSpec as ConfigLink, Fault } from "../config/types.js";
import { runSteps, type Steps, wait } from "../driver/steps.js";
import type { ClusterDriver } from "../driver/types.js";
import type { AppliedFault, LeadershipRecord } from "../run/types.js";
import { LEADER_REF } from "./refs.js";

export class FaultPlayer {
  readonly applied: AppliedFault[] = [];
  /** leaders the player crashed (as "@leader"), for the record */
  readonly leadership: LeadershipRecord[] = [];
  /** per fault (schedule order), when it started and when it was done */
  readonly times: (FaultTime | undefined)[] = [];
  readonly net = new NetStates();
  /** how far behind its time the latest-starting fault began, ms */
  lagMs = 0;

  /** per node, the peers it is cut from */
  private readonly cuts = new Map<string, Set<string>>();
  /** every directed link's settings now, and before a fault first changed it */
  private readonly links: Map<string, ConfigLink>;
  private readonly original: Map<string, ConfigLink>;
  private readonly changed = new Set<string>();
  private readonly crashedLeaders: string[] = [];
  private readonly starting = new Set<string>();
  private readonly queue: number[] = [];
  private busy = false;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();
  private readonly pending: Promise<void>[] = [];

  constructor(
    private readonly driver: ClusterDriver,
    private readonly faults: readonly Fault[],
    private readonly variant: Variant,
    /** every directed link's settings at the start (effectiveLinks over driver.linkIds) */
    links: ReadonlyMap<string, ConfigLink>,
  ) {
    this.links = new Map(links);
    this.original = new Map(links);
  }

  /** Schedules every fault on the driver's clock. */
  start(): void {
    this.faults.forEach((f, index) => {
      this.driver.at(f.atMs, () => this.enqueue(index));
    });
  }

  /** No fault starts after this; resolves when the one running and every restart are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle;
    await Promise.allSettled(this.pending);
  }

  private enqueue(index: number): void {
    if (this.stopped) return;
    this.queue.push(index);
    if (!this.busy) this.drain();
  }

  /** Runs queued faults in order; synchronously as long as the driver answers at once. */
  private drain(): void {
    while (this.queue.length > 0 && !this.stopped) {
      const index = this.queue.shift()!;
      const r = this.timed(index);
      if (r instanceof Promise) {
        this.busy = true;
        this.idle = r.then(
          () => {
            this.busy = false;
            this.drain();
          },
          (e: Error) => {
            this.applied.push({
              atMs: Math.round(this.driver.now()),
              what: `${this.faults[index]!.action} failed: ${e.message}`,
            });
            this.busy = false;
            this.drain();
          },
        );
        return;
      }
    }
  }

  private timed(index: number): void | Promise<void> {
    const f = this.faults[index]!;
    const startedAt = this.driver.now();
    this.lagMs = Math.max(this.lagMs, startedAt - f.atMs);
    const finish = (restart: { ready: Promise<void> } | undefined) => {
      const ready = restart?.ready;
      const done = () => {
        this.times[index] = { startedAt, doneAt: this.driver.now() };
        this.recordNet();
      };
      if (ready !== undefined) {
        this.pending.push(
          ready.then(done, (e: Error) => {
            this.applied.push({
              atMs: Math.round(this.driver.now()),
              what: `restart failed: ${e.message}`,
            });
          }),
        );
      } else done();
    };
    const r = runSteps(this.play(f, Math.round(startedAt)));
    if (r instanceof Promise) return r.then(finish);
    finish(r);
  }

  /** the network's state now, for the during-fault liveness check */
  private recordNet(): void {
    const cut: string[] = [];
    for (const [id, peers] of this.cuts) {
      for (const p of peers) cut.push(`${id}>${p}`, `${p}>${id}`);
    }
    const down = this.driver.linkIds.filter((id) => !this.driver.isUp(id) || this.starting.has(id));
    this.net.set(this.driver.now(), down, cut);
  }

  private *leader(): Steps<string | undefined> {
    const l = yield* wait(this.driver.leader());
    return l ?? this.variant.leaders.find((id) => this.driver.isUp(id));
  }

  private *resolve(id: string): Steps<string | undefined> {
    return id === LEADER_REF ? yield* this.leader() : id;
  }

  private *cut(id: string, peers: readonly string[]): Steps<void> {
    if (peers.length === 0) return;
    const set = this.cuts.get(id) ?? new Set<string>();
    for (const p of peers) set.add(p);
    this.cuts.set(id, set);
    yield* wait(this.driver.cut(id, peers));
  }

  private *setPair(a: string, b: string, link: ConfigLink): Steps<void> {
    this.links.set(`${a}>${b}`, link);
    yield* wait(this.driver.setLink(a, b, link));
  }

  private *resetPair(a: string, b: string): Steps<void> {
    const key = `${a}>${b}`;
    this.changed.delete(key);
    const o = this.original.get(key);
    if (o !== undefined) yield* this.setPair(a, b, o);
  }

  /** plays one fault; a restart still getting ready hands back its readiness (wrapped) */
  private *play(f: Fault, at: number): Steps<{ ready: Promise<void> } | undefined> {
    const { applied, driver } = this;
    const ids = driver.nodeIds;
    switch (f.action) {
      case "crash": {
        const node = yield* this.resolve(f.node);
        if (node === undefined || !driver.isUp(node)) {
          applied.push({ atMs: at, what: `crash ${f.node}: no such live node, skipped` });
          return;
        }
        if (f.node === LEADER_REF) {
          this.crashedLeaders.push(node);
          this.leadership.push({ atMs: at, node, active: false, ballot: "crashed" });
        }
        yield* wait(driver.crash(node));
        applied.push({
          atMs: at,
          what: `crash ${node}${f.node === LEADER_REF ? " (the leader)" : ""}`,
          node,
        });
        return;
      }
      case "restart": {
        const node = f.node === LEADER_REF ? this.crashedLeaders.shift() : f.node;
        if (node === undefined || driver.isUp(node)) {
          applied.push({ atMs: at, what: `restart ${f.node}: not down, skipped` });
          return;
        }
        applied.push({ atMs: at, what: `restart ${node}`, node });
        const { ready } = driver.restart(node);
        if (!(ready instanceof Promise)) return;
        this.starting.add(node);
        return { ready: ready.finally(() => this.starting.delete(node)) };
      }
      case "partition": {
        const groups: string[][] = [];
        for (const g of f.groups) {
          const members: string[] = [];
          for (const id of g) {
            const r = yield* this.resolve(id);
            if (r !== undefined) members.push(r);
          }
          groups.push(members);
        }
        for (const [i, g] of groups.entries()) {
          const others = groups.filter((_, j) => j !== i).flat();
          for (const id of g) yield* this.cut(id, others);
        }
        applied.push({
          atMs: at,
          what: `partition ${groups.map((g) => `{${g.join(",")}}`).join(" | ")}`,
        });
        return;
      }
      case "isolate": {
        // cut off from the other nodes of the cluster; clients still reach it
        const node = yield* this.resolve(f.node);
        if (node === undefined) {
          applied.push({ atMs: at, what: `isolate ${f.node}: no such node, skipped` });
          return;
        }
        yield* this.cut(
          node,
          ids.filter((id) => id !== node),
        );
        applied.push({
          atMs: at,
          what: `isolate ${node}${f.node === LEADER_REF ? " (the leader)" : ""}`,
          node,
        });
        return;
      }
      case "heal":
        this.cuts.clear();
        yield* wait(driver.healAll());
        applied.push({ atMs: at, what: "heal" });
        return;
      case "link": {
        const from = yield* this.resolve(f.from);
        const to = yield* this.resolve(f.to);
        if (from === undefined || to === undefined) return;
        const pairs = linkPairs(from, to, f.symmetric ?? true, driver.linkIds);
        if (f.reset) {
          for (const [a, b] of pairs) yield* this.resetPair(a, b);
          applied.push({ atMs: at, what: `link ${from}->${to} reset` });
          return;
        }
        // on top of what the link has now (a site's latency stays unless the fault sets one)
        for (const [a, b] of pairs) {
          this.changed.add(`${a}>${b}`);
          yield* this.setPair(a, b, { ...this.links.get(`${a}>${b}`), ...f.set });
        }
        applied.push({ atMs: at, what: `link ${from}->${to} ${JSON.stringify(f.set)}` });
        return;
      }
      case "recover": {
        this.crashedLeaders.length = 0;
        const down = ids.filter((id) => !driver.isUp(id));
        for (const id of down) yield* wait(driver.restart(id).ready);
        this.cuts.clear();
        yield* wait(driver.healAll());
        for (const key of [...this.changed]) {
          const [a, b] = key.split(">") as [string, string];
          yield* this.resetPair(a, b);
        }
        applied.push({
          atMs: at,
          what: `recover${down.length > 0 ? `: restart ${down.join(", ")}` : ""}`,
        });
        return;
      }
    }
  }
}

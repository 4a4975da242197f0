// Reproductions (not tests) of @paxos/core behaviours that the real-process tests ran into,
// using core alone: PaxosNodes in one process, a FIFO network with 0.1-0.3 ms per message,
// seeded randomness. Each prints what it measures; see the transport-ws report.
//
//   node packages/transport-ws/dist/bench/repro-core-issues.js [seed]
//
// 1. Duplicate-proposal storm after a leader change: one client, 8 puts outstanding, the
//    leader crashes at t=300 ms. With core as of mid-session (Leader.relocate plus the
//    replica's requeue of a lost batch), a replica lagging behind the new leader proposed into
//    decided slots; the leader relocated the batch AND the replica requeued it, so every loss
//    made two copies, which lost again: with seed 3, 2/3 of the decided slots held only
//    commands applied before, and real clusters logged 30-70 slots per acknowledged write
//    after a failover. Core's later changes fixed it: this now prints 0%.
// 2. Catch-up speed of a replica that missed the whole log (was one 256-slot chunk per 200 ms
//    hole timeout; now fast).
// 3. Client retries after a replica died: Client.tick moves `preferred` on for every command
//    it retries, so with one replica of three dead a third of all retries go to the dead one,
//    whatever happened to the previous attempt. Still so; PaxosClient works around it by
//    sending a request addressed to a replica whose connection is down to one that is up.

import { Client, DEFAULT_LIMITS, type Message, type NodeConfig, PaxosNode } from "@paxos/core";
import { majority } from "@paxos/quorum-system";

const seed = Number(process.argv[2] ?? 3);

function rng(s: number) {
  let a = s >>> 0;
  return {
    next(): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

interface Sim {
  nodes: Map<string, PaxosNode>;
  dead: Set<string>;
  now: number;
  /** runs until `end` ms; `onEvent` sees every event */
  run(end: number): void;
}

function makeSim(
  ids: string[],
  clientTiming: NodeConfig["timing"],
  onComplete: (sim: Sim) => void,
): Sim {
  const cluster = { replicas: ids, leaders: ids, quorum: majority(ids) };
  const nodes = new Map<string, PaxosNode>();
  const queue: [number, string, string, Message][] = [];
  const net = rng(seed * 13);
  const sim: Sim = {
    nodes,
    dead: new Set(),
    now: 0,
    run(end) {
      while (sim.now < end) {
        queue.sort((a, b) => a[0] - b[0]);
        const nextMsg = queue[0]?.[0] ?? Number.POSITIVE_INFINITY;
        let nextWake = Number.POSITIVE_INFINITY;
        let who: string | undefined;
        for (const [id, n] of nodes) {
          if (sim.dead.has(id)) continue;
          const w = n.nextWakeAt();
          if (w < nextWake) {
            nextWake = w;
            who = id;
          }
        }
        const t = Math.min(nextMsg, nextWake, end);
        sim.now = Math.max(sim.now, t);
        if (t === nextMsg) {
          const [, from, to, message] = queue.shift()!;
          if (sim.dead.has(to) || sim.dead.has(from)) continue;
          nodes.get(to)!.receive(from, message, sim.now);
          flush(to);
        } else if (who !== undefined && t === nextWake) {
          nodes.get(who)!.tick(sim.now);
          flush(who);
        }
      }
    },
  };
  const flush = (id: string) => {
    const out = nodes.get(id)!.drain();
    for (const { to, message } of out.sends)
      queue.push([sim.now + 0.1 + net.next() * 0.2, id, to, message]);
    for (const e of out.events) {
      if (e.type === "completed") onComplete(sim);
      if (e.type === "slotApplied")
        applied.get(id)!.push(e.value.map((c) => `${c.clientId}#${c.seq}`));
    }
  };
  const applied = new Map<string, string[][]>();
  for (const id of ids) {
    nodes.set(
      id,
      new PaxosNode(
        { id, roles: ["replica", "leader", "acceptor"], cluster },
        { now: 0, rng: rng(seed * 7 + id.length) },
      ),
    );
    applied.set(id, []);
  }
  nodes.set(
    "c",
    new PaxosNode(
      { id: "c", roles: ["client"], cluster, clientId: "c", timing: clientTiming },
      { now: 0, rng: rng(seed) },
    ),
  );
  applied.set("c", []);
  (sim as Sim & { applied: typeof applied; flush: typeof flush }).applied = applied;
  (sim as Sim & { flush: typeof flush }).flush = flush;
  return sim;
}

// ---- 1. the storm ----------------------------------------------------------------------

{
  let completed = 0;
  let submitted = 0;
  const submit = (sim: Sim) => {
    const client = sim.nodes.get("c")!;
    client.submit({ type: "put", key: `k${submitted++}`, value: "v" }, sim.now);
  };
  const sim = makeSim(["n1", "n2", "n3"], { clientRetryMs: 300 }, (s) => {
    completed++;
    submit(s);
  }) as Sim & { applied: Map<string, string[][]>; flush(id: string): void };
  for (let i = 0; i < 8; i++) submit(sim);
  sim.flush("c");
  sim.run(300);
  sim.dead.add("n1");
  sim.run(3000);
  const log = sim.applied.get("n2")!;
  const seen = new Set<string>();
  let duplicateOnly = 0;
  let copies = 0;
  for (const batch of log) {
    let dup = 0;
    for (const key of batch) {
      if (seen.has(key)) dup++;
      seen.add(key);
    }
    copies += batch.length;
    if (batch.length > 0 && dup === batch.length) duplicateOnly++;
  }
  console.log(
    `1. storm (seed ${seed}): ${completed} puts completed, n2 applied ${log.length} slots; ` +
      `${duplicateOnly} slots (${((100 * duplicateOnly) / log.length).toFixed(0)}%) held only commands applied before; ` +
      `${copies} command copies for ${seen.size} distinct commands`,
  );
}

// ---- 2. catch-up -----------------------------------------------------------------------

{
  let submitted = 0;
  const submit = (sim: Sim) =>
    sim.nodes.get("c")!.submit({ type: "put", key: `k${submitted++}`, value: "v" }, sim.now);
  const sim = makeSim(["n1", "n2", "n3"], {}, (s) => submit(s)) as Sim & {
    flush(id: string): void;
  };
  for (let i = 0; i < 8; i++) submit(sim);
  sim.flush("c");
  sim.dead.add("n3"); // n3 misses everything from the start
  sim.run(2000);
  const target = sim.nodes.get("n1")!.replica!.appliedBelow;
  sim.dead.delete("n3");
  const start = sim.now;
  let caughtUpAt = Number.NaN;
  while (sim.now < start + 60_000) {
    sim.run(sim.now + 100);
    if (sim.nodes.get("n3")!.replica!.appliedBelow >= target) {
      caughtUpAt = sim.now;
      break;
    }
  }
  console.log(
    `2. catch-up: n3 missed ${target} slots; it applied them ${(caughtUpAt - start).toFixed(0)} ms after rejoining ` +
      `(${((target / (caughtUpAt - start)) * 1000).toFixed(0)} slots/s)`,
  );
}

// ---- 3. client retries after a replica died --------------------------------------------

{
  const cluster = { replicas: ["r1", "r2", "r3"], leaders: ["r1"], quorum: majority(["r1"]) };
  const sent: string[] = [];
  let now = 0;
  const ctx = {
    id: "c",
    cluster,
    timing: { clientRetryMs: 100, clientRetryMaxMs: 100 } as never,
    rng: rng(seed),
    get now() {
      return now;
    },
    send: (to: string) => sent.push(to),
    persist() {},
    emit() {},
  };
  const client = new Client(ctx as never, "c", DEFAULT_LIMITS);
  for (let i = 0; i < 3000; i++) client.submit({ type: "get", key: "k" });
  sent.length = 0;
  now = 100;
  client.tick();
  const toDead = sent.filter((r) => r === "r1").length;
  console.log(
    `3. client retries: 3000 outstanding commands retried at once went to r1 ${toDead}, r2 ` +
      `${sent.filter((r) => r === "r2").length}, r3 ${sent.filter((r) => r === "r3").length} times ` +
      "(the retry target rotates per command; a replica known dead gets a third of them)",
  );
}

// `pnpm bench:sim`: how fast the simulator runs a loaded, fault-free 5-node cluster.
//
//   node packages/simulator/dist/bench/sim-throughput.js [--seconds 5] [--clients 3] [--outstanding 8]
//
// Measured: after a 1 s (simulated) warm-up that lets V8 optimise the hot paths, the cluster
// runs in 1 simulated-second chunks until `--seconds` of wall-clock time have passed. Reported
// per wall-clock second: message deliveries, events (deliveries + ticks + actions) and client
// commands committed; plus the simulated throughput and the heap in use at the end (the run
// keeps the whole history and every replica's applied log, as the checkers need).

import type { Message, NodeConfig, NodeOutput, PaxosNode, Role } from "@paxos/core";
import { majority } from "@paxos/quorum-system";
import { Simulation } from "../src/simulation.js";

function arg(name: string, fallback: number): number {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

const wallSeconds = arg("seconds", 5);
const clients = Math.floor(arg("clients", 3));
const outstanding = Math.floor(arg("outstanding", 8));
const lean = process.argv.includes("--lean");

const SERVER: readonly Role[] = ["replica", "leader", "acceptor"];
const servers = ["n1", "n2", "n3", "n4", "n5"];
const sim = new Simulation({
  nodes: [
    ...servers.map((id) => ({ id, roles: SERVER })),
    ...Array.from({ length: clients }, (_, i) => ({
      id: `c${i + 1}`,
      roles: ["client"] as Role[],
    })),
  ],
  quorum: majority(servers),
  seed: 1,
  network: { link: { latency: { kind: "constant", ms: 1 }, jitterMs: 0.2 } },
  workload: { outstandingPerClient: outstanding, keyCount: 1_000, valueBytes: 16 },
  recordReplicaEvents: !lean,
});

sim.runUntil(1_000); // warm-up
const start = {
  cpu: process.cpuUsage(),
  wall: performance.now(),
  sim: sim.now,
  delivered: sim.counters.delivered,
  events: sim.events,
  ops: sim.stats().opsCompleted,
};
while ((performance.now() - start.wall) / 1_000 < wallSeconds) sim.runFor(1_000);
const wall = (performance.now() - start.wall) / 1_000;
const cpuUsed = process.cpuUsage(start.cpu);
// CPU time of this process: on a shared machine it is the steadier figure
const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
const simSeconds = (sim.now - start.sim) / 1_000;
const ops = sim.stats(start.sim, sim.now).opsCompleted;
const delivered = sim.counters.delivered - start.delivered;
const events = sim.events - start.events;
const heapMb = process.memoryUsage().heapUsed / 2 ** 20;

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
console.log(
  `5 servers (majority), ${clients} clients x ${outstanding} outstanding, 1 ms +/- 0.2 ms links, no faults`,
);
console.log(
  `measured ${wall.toFixed(2)} s wall (${cpu.toFixed(2)} s CPU, GC threads included) for ` +
    `${simSeconds.toFixed(0)} simulated s, after a 1 s warm-up${lean ? "; replica events not recorded" : ""}`,
);
console.log(`  deliveries / wall s   ${fmt(delivered / wall)}`);
console.log(`  deliveries / CPU s    ${fmt(delivered / cpu)}`);
console.log(`  events / wall s       ${fmt(events / wall)}`);
console.log(`  commands / wall s     ${fmt(ops / wall)}`);
console.log(`  commands / sim s      ${fmt(ops / simSeconds)}`);
console.log(`  sim s per wall s      ${(simSeconds / wall).toFixed(2)}`);
console.log(
  `  heap used             ${heapMb.toFixed(0)} MB (history of ${fmt(sim.history.length)} ops kept)`,
);
console.log(`  trace hash            ${sim.traceHash()}`);

// The simulator's own cost: the same 5 servers as trivial nodes that bounce every message
// straight back to its sender (each starts 40 messages: 200 in flight; no ticks, no
// persistence). Everything the simulator does per delivery (heap, network sampling with
// jitter, partition check, trace hash, dispatch, drain) is paid; the engine's work is not.
{
  const ping: Message = {
    type: "p2b",
    ballot: { round: 1, leader: "n1" },
    slot: 0,
    accepted: true,
  };
  const bounce = (config: NodeConfig): PaxosNode => {
    const me = servers.indexOf(config.id);
    // the simulation drains a new node at once: these are its first sends
    let out: NodeOutput = {
      persists: [],
      sends: Array.from({ length: 40 }, (_, i) => ({
        to: servers[(me + 1 + (i % 4)) % 5]!,
        message: ping,
      })),
      events: [],
      sendsBeforePersist: 40,
    };
    const node = {
      id: config.id,
      receive(from: string, message: Message) {
        out.sends.push({ to: from, message });
        return true;
      },
      tick() {},
      nextWakeAt: () => Number.POSITIVE_INFINITY,
      drain() {
        const o = out;
        out = { persists: [], sends: [], events: [], sendsBeforePersist: 0 };
        return o;
      },
    };
    return node as unknown as PaxosNode;
  };
  const raw = new Simulation({
    nodes: servers.map((id) => ({ id, roles: SERVER })),
    quorum: majority(servers),
    seed: 1,
    network: { link: { latency: { kind: "constant", ms: 1 }, jitterMs: 0.2 } },
    createNode: bounce,
  });
  raw.runUntil(1_000); // warm-up
  const d0 = raw.counters.delivered;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  raw.runUntil(11_000);
  const w = (performance.now() - t0) / 1_000;
  const c = process.cpuUsage(c0);
  const n = raw.counters.delivered - d0;
  console.log(
    `simulator alone (trivial nodes bouncing 200 messages): ${fmt(n / w)} deliveries / wall s, ` +
      `${fmt(n / ((c.user + c.system) / 1e6))} / CPU s`,
  );
}

// `pnpm bench:cluster` (a benchmark, not a test): the engine on real processes over loopback.
//
//   node packages/transport-ws/dist/bench/bench-cluster.js [options]
//     --nodes 3              acceptors (colocated: every node is replica+leader+acceptor)
//     --layout colocated     or "separate": one replica+leader node and --nodes acceptor nodes
//     --quorum majority      or "flexible:4/2" (phase-1/phase-2 sizes) or "grid:2x3"
//     --thrifty              phase 2 to a minimal phase-2 quorum only
//     --outstanding 1,10,100,1000   closed-loop requests in flight, one level after the other
//     --value-bytes 64       size of each put's value
//     --max-batch 64         commands per slot at most (the cluster file's replica.maxBatch)
//     --storage memory       or "file" (written, not synced) or "fsync"
//     --clients 1            client connections (the outstanding requests are spread over them)
//     --seconds 5 --warmup 1 per level
//     --wire-seconds 2       raw `ws` message rate between two processes (0: skip)
//     --json out.json        also write the figures as JSON
//     --node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"   node options for every node process
//
// Per level: a line per second, then a summary: throughput, latency p50/p99/p99.9 (request to
// reply, hdr-histogram), commands per slot and messages and bytes per command (from the
// nodes' counters; messages and bytes are those the nodes send, clients' requests excluded),
// and CPU microseconds per committed command summed over every process (the nodes, from
// /proc/<pid>/stat, and this process, which runs the clients). With fsync storage also syncs
// per second per node and commands per sync. The wire ceiling runs first, in the same run:
// one process streams small messages to another over one `ws` connection.

import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { QuorumSpec } from "@paxos/quorum-system";
import * as hdr from "hdr-histogram-js";
import WebSocket from "ws";
import { commandArgs } from "../src/cli/argv.js";
import { connect, type PaxosClient } from "../src/client.js";
import type { NodeStatus } from "../src/control-protocol.js";
import { colocated, LocalCluster } from "../test/harness.js";
import { type CpuTime, cpuMicros, processCpu } from "./process-stats.js";

const { values } = parseArgs({
  args: commandArgs(),
  options: {
    nodes: { type: "string", default: "3" },
    layout: { type: "string", default: "colocated" },
    quorum: { type: "string", default: "majority" },
    thrifty: { type: "boolean", default: false },
    outstanding: { type: "string", default: "1,10,100,1000" },
    "value-bytes": { type: "string", default: "64" },
    storage: { type: "string", default: "memory" },
    clients: { type: "string", default: "1" },
    seconds: { type: "string", default: "5" },
    warmup: { type: "string", default: "1" },
    "wire-seconds": { type: "string", default: "2" },
    keys: { type: "string", default: "1000" },
    json: { type: "string" },
    "node-args": { type: "string", default: "" },
    "max-batch": { type: "string" },
    "log-level": { type: "string", default: "warn" },
  },
});

function fail(message: string): never {
  process.stderr.write(`bench:cluster: ${message}\n`);
  process.exit(2);
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    fail(`--${name} must be a positive integer, got "${text}"`);
  return n;
}

function quorumOf(text: string): QuorumSpec {
  if (text === "majority") return { kind: "majority" };
  const f = /^flexible:(\d+)\/(\d+)$/.exec(text);
  if (f) return { kind: "flexible", phase1: Number(f[1]), phase2: Number(f[2]) };
  const g = /^grid:(\d+)x(\d+)$/.exec(text);
  if (g) return { kind: "grid", rows: Number(g[1]), columns: Number(g[2]) };
  return fail(`--quorum: expected majority, flexible:P1/P2 or grid:RxC, got "${text}"`);
}

const nodeCount = positiveInt("nodes", values.nodes);
const layout = values.layout;
if (layout !== "colocated" && layout !== "separate") fail(`--layout: colocated or separate`);
const quorum = quorumOf(values.quorum);
const levels = values.outstanding.split(",").map((x) => positiveInt("outstanding", x));
const valueBytes = positiveInt("value-bytes", values["value-bytes"]);
const storage = values.storage;
if (storage !== "memory" && storage !== "file" && storage !== "fsync") {
  fail(`--storage: memory, file or fsync, got "${storage}"`);
}
const clientCount = positiveInt("clients", values.clients);
const seconds = positiveInt("seconds", values.seconds);
const warmupSeconds = Number(values.warmup);
const wireSeconds = Number(values["wire-seconds"]);
const keyCount = positiveInt("keys", values.keys);
const value = "v".repeat(valueBytes);

const nodes =
  layout === "colocated"
    ? colocated(...Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`))
    : [
        { id: "r1", roles: ["replica", "leader"] as const },
        ...Array.from({ length: nodeCount }, (_, i) => ({
          id: `a${i + 1}`,
          roles: ["acceptor"] as const,
        })),
      ];

function selfCpu(): CpuTime {
  return process.cpuUsage();
}
function selfCpuMicros(): number {
  const u = selfCpu();
  return u.user + u.system;
}

const fmt = (x: number, digits = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "-";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- the wire's ceiling ----------------------------------------------------------------------

interface Wire {
  messagesPerSec: number;
  cpuMicrosPerMessage: number;
  messageBytes: number;
}

/** Streams messages of a request's size from this process to a sink process for `secs`. */
async function measureWire(secs: number): Promise<Wire> {
  const sinkPath = fileURLToPath(new URL("./ws-sink.js", import.meta.url));
  const sink = spawn(process.execPath, [sinkPath], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let text = "";
      sink.stdout.on("data", (d) => {
        text += d;
        const m = /PORT (\d+)/.exec(text);
        if (m) resolve(Number(m[1]));
      });
      sink.on("exit", (code) => reject(new Error(`ws sink exited (${code})`)));
    });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    // one of our request messages as the client sends it, as a standalone frame
    const message = JSON.stringify({
      t: "msgs",
      v: 1,
      from: "c-0123abcd",
      msgs: [
        {
          type: "request",
          command: {
            clientId: "c-0123abcd",
            seq: 123456,
            ackedBelow: 123400,
            op: { type: "put", key: "k123", value },
          },
        },
      ],
    });
    const cpu0 = cpuMicros(sink.pid!) + selfCpuMicros();
    const end = performance.now() + secs * 1000;
    let sent = 0;
    while (performance.now() < end) {
      for (let i = 0; i < 256; i++) ws.send(message);
      sent += 256;
      // let the socket drain: never more than ~1 MB queued
      while (ws.bufferedAmount > 1 << 20) await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    }
    const reply = await new Promise<string>((resolve) => {
      ws.once("message", (d) => resolve(String(d)));
      ws.send("end");
    });
    const cpu = cpuMicros(sink.pid!) + selfCpuMicros() - cpu0;
    ws.terminate();
    const [count, first, last] = reply.split(" ").map(Number) as [number, number, number];
    void sent;
    return {
      messagesPerSec: (count - 1) / ((last - first) / 1000),
      cpuMicrosPerMessage: cpu / count,
      messageBytes: message.length,
    };
  } finally {
    if (sink.exitCode === null) sink.kill("SIGKILL");
  }
}

// ---- the cluster -----------------------------------------------------------------------------

interface Snapshot {
  atMs: number;
  cpuMicros: number;
  /** the part of cpuMicros spent in the kernel (sockets, loopback TCP, fsync) */
  systemCpuMicros: number;
  slots: number;
  commands: number;
  messages: number;
  bytes: number;
  frames: number;
  syncs: number;
  /** wall milliseconds each node's event loop was running, since it started */
  loopActiveMsBy: Map<string, number>;
  /** CPU microseconds per process: the nodes by id, and "clients" (this process) */
  cpuBy: Map<string, number>;
  /** the kernel's part of cpuBy */
  systemBy: Map<string, number>;
}

interface LevelResult {
  outstanding: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  commandsPerSlot: number;
  messagesPerCommand: number;
  bytesPerCommand: number;
  framesPerCommand: number;
  cpuMicrosPerCommand: number;
  /** the kernel's share of cpuMicrosPerCommand */
  systemCpuShare: number;
  /** CPU microseconds per command of each process */
  cpuMicrosPerCommandBy: Record<string, number>;
  /** the kernel's share of each process's CPU time */
  systemShareBy: Record<string, number>;
  /** the share of the wall clock each node's event loop was running */
  loopBusyBy: Record<string, number>;
  cpuCores: number;
  syncsPerSecPerNode: number | null;
  commandsPerSync: number | null;
  vsWire: number | null;
}

const cluster = await LocalCluster.start({
  nodes,
  quorum,
  logLevel: values["log-level"] as "warn",
  extra: {
    storage,
    leader: { thrifty: values.thrifty },
    ...(values["max-batch"] === undefined
      ? {}
      : { replica: { maxBatch: Number(values["max-batch"]) } }),
  },
  nodeArgs: values["node-args"].split(" ").filter((a) => a !== ""),
});
const pids = new Map<string, number>();
const statusOf = async (id: string): Promise<NodeStatus> => cluster.status(id);
for (const id of cluster.ids) pids.set(id, (await statusOf(id)).pid);
const replicaIds = nodes.filter((n) => n.roles.includes("replica")).map((n) => n.id);
const syncingIds = nodes.filter((n) => n.roles.includes("acceptor")).map((n) => n.id);

async function snapshot(): Promise<Snapshot> {
  const statuses = await Promise.all(cluster.ids.map((id) => statusOf(id)));
  const cpuBy = new Map<string, number>([["clients", selfCpuMicros()]]);
  const systemBy = new Map<string, number>([["clients", selfCpu().system]]);
  for (const [id, pid] of pids) {
    const t = processCpu(pid);
    cpuBy.set(id, t.user + t.system);
    systemBy.set(id, t.system);
  }
  let systemCpu = 0;
  for (const us of systemBy.values()) systemCpu += us;
  let cpu = 0;
  for (const us of cpuBy.values()) cpu += us;
  let slots = 0;
  let commands = 0;
  let messages = 0;
  let bytes = 0;
  let frames = 0;
  let syncs = 0;
  const loopActiveMsBy = new Map<string, number>([
    ["clients", performance.eventLoopUtilization().active],
  ]);
  statuses.forEach((s, i) => {
    const id = cluster.ids[i]!;
    const c = s.counters;
    messages += c.messagesOut ?? 0;
    bytes += c.bytesOut ?? 0;
    frames += c.framesOut ?? 0;
    if (syncingIds.includes(id)) syncs += c.syncs ?? 0;
    loopActiveMsBy.set(id, c.loopActiveMs ?? 0);
    if (replicaIds.includes(id) && (c.commandsApplied ?? 0) > commands) {
      commands = c.commandsApplied ?? 0;
      slots = c.slotsApplied ?? 0;
    }
  });
  return {
    atMs: performance.now(),
    cpuMicros: cpu,
    systemCpuMicros: systemCpu,
    systemBy,
    slots,
    commands,
    messages,
    bytes,
    frames,
    syncs,
    loopActiveMsBy,
    cpuBy,
  };
}

const clients: PaxosClient[] = [];
for (let i = 0; i < clientCount; i++) {
  clients.push(await connect(cluster.clusterPath, { timeoutMs: Number.POSITIVE_INFINITY }));
}

const results: LevelResult[] = [];
let wire: Wire | null = null;
try {
  await clients[0]!.put("warm", "up");
  const quorumText =
    quorum.kind === "flexible"
      ? `flexible ${quorum.phase1}/${quorum.phase2}`
      : quorum.kind === "grid"
        ? `grid ${quorum.rows}x${quorum.columns}`
        : "majority";
  console.log(
    `bench:cluster: ${layout === "colocated" ? `${nodeCount} nodes (replica+leader+acceptor)` : `1 replica+leader, ${nodeCount} acceptors`}, ` +
      `${quorumText}${values.thrifty ? " thrifty" : ""}, storage ${storage}, ${clientCount} client connection(s) in one process, ` +
      `${valueBytes}-byte puts over ${keyCount} keys, ${seconds} s per level after ${warmupSeconds} s warm-up`,
  );
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}, node ${process.version}`,
  );
  if (wireSeconds > 0) {
    wire = await measureWire(wireSeconds);
    console.log(
      `wire ceiling: ${fmt(wire.messagesPerSec)} ws messages/s of ${wire.messageBytes} bytes, one connection between two processes ` +
        `(${fmt(wire.cpuMicrosPerMessage, 1)} CPU us per message, both processes)`,
    );
  }

  for (const outstanding of levels) {
    let stop = false;
    let recording = false;
    const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
    const second = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
    let next = 0;
    let inSecond = 0;
    const worker = async (client: PaxosClient) => {
      while (!stop) {
        const key = `k${next++ % keyCount}`;
        const start = performance.now();
        await client.put(key, value);
        if (recording && !stop) {
          const us = Math.max(1, Math.round((performance.now() - start) * 1000));
          histogram.recordValue(us);
          second.recordValue(us);
          inSecond++;
        }
      }
    };
    const workers = Array.from({ length: outstanding }, (_, i) =>
      worker(clients[i % clients.length]!),
    );
    await sleep(warmupSeconds * 1000);
    recording = true;
    const s0 = await snapshot();
    let last = s0;
    for (let t = 1; t <= seconds; t++) {
      await sleep(1000);
      const s = await snapshot();
      const dt = (s.atMs - last.atMs) / 1000;
      const cmds = s.commands - last.commands;
      console.log(
        `  [${String(outstanding).padStart(4)} outstanding] ${String(t).padStart(2)} s  ${fmt(inSecond / dt).padStart(7)} ops/s  ` +
          `p50 ${fmt(second.getValueAtPercentile(50) / 1000, 2)} ms  p99 ${fmt(second.getValueAtPercentile(99) / 1000, 2)} ms  ` +
          `${fmt(cmds / Math.max(1, s.slots - last.slots), 1)} cmd/slot  ` +
          `${fmt((s.cpuMicros - last.cpuMicros) / Math.max(1, cmds), 1)} CPU us/cmd  ` +
          `CPU ${fmt((100 * (s.cpuMicros - last.cpuMicros)) / 1e6 / dt)}%`,
      );
      second.reset();
      inSecond = 0;
      last = s;
    }
    recording = false;
    stop = true;
    const s1 = last;
    await Promise.all(workers);
    const elapsed = (s1.atMs - s0.atMs) / 1000;
    const commands = s1.commands - s0.commands;
    const syncs = s1.syncs - s0.syncs;
    const opsPerSec = histogram.totalCount / elapsed;
    results.push({
      outstanding,
      opsPerSec,
      p50Ms: histogram.getValueAtPercentile(50) / 1000,
      p99Ms: histogram.getValueAtPercentile(99) / 1000,
      p999Ms: histogram.getValueAtPercentile(99.9) / 1000,
      commandsPerSlot: commands / Math.max(1, s1.slots - s0.slots),
      messagesPerCommand: (s1.messages - s0.messages) / Math.max(1, commands),
      bytesPerCommand: (s1.bytes - s0.bytes) / Math.max(1, commands),
      framesPerCommand: (s1.frames - s0.frames) / Math.max(1, commands),
      cpuMicrosPerCommandBy: Object.fromEntries(
        [...s1.cpuBy].map(([who, us]) => [
          who,
          Math.round((us - (s0.cpuBy.get(who) ?? 0)) / Math.max(1, commands)),
        ]),
      ),
      systemShareBy: Object.fromEntries(
        [...s1.systemBy].map(([who, us]) => [
          who,
          (us - (s0.systemBy.get(who) ?? 0)) /
            Math.max(1, (s1.cpuBy.get(who) ?? 0) - (s0.cpuBy.get(who) ?? 0)),
        ]),
      ),
      loopBusyBy: Object.fromEntries(
        [...s1.loopActiveMsBy].map(([who, ms]) => [
          who,
          (ms - (s0.loopActiveMsBy.get(who) ?? 0)) / (s1.atMs - s0.atMs),
        ]),
      ),
      cpuMicrosPerCommand: (s1.cpuMicros - s0.cpuMicros) / Math.max(1, commands),
      systemCpuShare:
        (s1.systemCpuMicros - s0.systemCpuMicros) / Math.max(1, s1.cpuMicros - s0.cpuMicros),
      cpuCores: (s1.cpuMicros - s0.cpuMicros) / 1e6 / elapsed,
      syncsPerSecPerNode: storage === "fsync" ? syncs / syncingIds.length / elapsed : null,
      commandsPerSync:
        storage === "fsync" && syncs > 0 ? commands / (syncs / syncingIds.length) : null,
      vsWire: wire === null ? null : opsPerSec / wire.messagesPerSec,
    });
    histogram.destroy();
    second.destroy();
  }

  console.log("");
  console.log(
    "outstanding |    ops/s | p50 ms | p99 ms | p99.9 ms | cmd/slot | msg/cmd | bytes/cmd | CPU us/cmd | cores" +
      (storage === "fsync" ? " | syncs/s/node | cmd/sync" : "") +
      (wire === null ? "" : " | vs wire"),
  );
  for (const r of results) {
    console.log(
      `${String(r.outstanding).padStart(11)} | ${fmt(r.opsPerSec).padStart(8)} | ${fmt(r.p50Ms, 2).padStart(6)} | ` +
        `${fmt(r.p99Ms, 2).padStart(6)} | ${fmt(r.p999Ms, 2).padStart(8)} | ${fmt(r.commandsPerSlot, 1).padStart(8)} | ` +
        `${fmt(r.messagesPerCommand, 2).padStart(7)} | ${fmt(r.bytesPerCommand).padStart(9)} | ` +
        `${fmt(r.cpuMicrosPerCommand, 1).padStart(10)} | ${fmt(r.cpuCores, 2).padStart(5)}` +
        (storage === "fsync"
          ? ` | ${fmt(r.syncsPerSecPerNode ?? Number.NaN).padStart(12)} | ${fmt(r.commandsPerSync ?? Number.NaN, 1).padStart(8)}`
          : "") +
        (r.vsWire === null ? "" : ` | ${fmt(r.vsWire, 3).padStart(7)}`),
    );
  }
  for (const r of results) {
    console.log(
      `  ${r.outstanding} outstanding: ${fmt(r.framesPerCommand, 3)} frames/cmd sent by the nodes; CPU us/cmd by process: ` +
        Object.entries(r.cpuMicrosPerCommandBy)
          .map(([who, us]) => `${who} ${us} (${fmt(100 * (r.systemShareBy[who] ?? 0))}% kernel)`)
          .join(", ") +
        `; ${fmt(100 * r.systemCpuShare)}% of all in the kernel; event loop busy ` +
        Object.entries(r.loopBusyBy)
          .map(([who, share]) => `${who} ${fmt(100 * share)}%`)
          .join(", "),
    );
  }
  const agreed = await cluster.waitForAgreement(1, 30_000);
  console.log(`replicas agree: ${agreed.appliedBelow} slots applied, digest ${agreed.digest}`);
  if (values.json !== undefined) {
    writeFileSync(
      values.json,
      `${JSON.stringify(
        {
          options: values,
          loadavg: loadavg(),
          wire,
          levels: results,
        },
        null,
        2,
      )}\n`,
    );
  }
} finally {
  for (const c of clients) await c.close();
  await cluster.stop();
}

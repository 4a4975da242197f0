// `pnpm bench:ceiling` (a benchmark, not a test): what Node and `ws` allow on this machine for
// the engine's message pattern, with no engine in it. It bounds what any engine written this
// way can reach here, and so tells a goal that the engine can meet from one that the machine
// rules out.
//
//   node packages/transport-ws/dist/bench/pipeline-ceiling.js [options]
//     --acceptors 3          processes that vote; the first is also the leader (colocated, as
//                            bench:cluster's n1), the leader waits for a majority
//     --outstanding 1,10,100,1000   closed-loop requests in flight, one level after the other
//     --value-bytes 64 --seconds 5 --warmup 1
//
// The pattern is bench:cluster's with 3 colocated nodes: this process is the client and sends
// the requests of a turn in one frame to the leader; the leader puts every request waiting at
// the end of its turn into one batch, sends it to each other acceptor in one frame, keeps it
// itself, and on a majority of acknowledgements applies the batch to a map and answers the
// client in one frame. Every message is JSON over one `ws` connection per pair, as the
// engine's. What it leaves out is all the engine does besides: ballots, ordering, duplicates,
// retries, validation, the history. Per level: ops/s, p50 latency and CPU microseconds per
// operation over every process (user and kernel, from /proc).

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import WebSocket, { WebSocketServer } from "ws";
import { commandArgs } from "../src/cli/argv.js";
import { processCpu } from "./process-stats.js";

const { values } = parseArgs({
  args: commandArgs(),
  options: {
    role: { type: "string", default: "client" },
    acceptors: { type: "string", default: "3" },
    outstanding: { type: "string", default: "1,10,100,1000" },
    "value-bytes": { type: "string", default: "64" },
    seconds: { type: "string", default: "5" },
    warmup: { type: "string", default: "1" },
    peers: { type: "string", default: "" },
  },
});

function positiveInt(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name}: expected a positive integer, got ${text}`);
  return n;
}

function atLeast(name: string, text: string | undefined, least: number): number {
  const n = Number(text);
  if (!(n >= least))
    throw new Error(`--${name}: expected a number of at least ${least}, got ${text}`);
  return n;
}

/** Listens on a free loopback port and prints it ("PORT n") for the parent. */
function listen(onConnection: (ws: WebSocket) => void): void {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  wss.on("listening", () => {
    const address = wss.address();
    if (typeof address === "object" && address !== null)
      process.stdout.write(`PORT ${address.port}\n`);
  });
  wss.on("connection", onConnection);
}

/** An acceptor: keeps the last batches it was sent (bounded) and acknowledges each. */
function acceptor(): void {
  const accepted = new Map<number, unknown>();
  listen((ws) =>
    ws.on("message", (data) => {
      const p2a = JSON.parse(String(data)) as { slot: number; ballot: number; batch: unknown };
      accepted.set(p2a.slot, p2a.batch);
      accepted.delete(p2a.slot - 1024);
      ws.send(JSON.stringify({ slot: p2a.slot, ballot: p2a.ballot }));
    }),
  );
}

type Request = [seq: number, key: string, value: string];

/** The leader: an acceptor too, batching a turn's requests into one slot. */
function leader(peerPorts: number[]): void {
  const peers = peerPorts.map(
    (port) => new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false }),
  );
  const needed = Math.floor((peers.length + 1) / 2); // acks besides its own for a majority
  const accepted = new Map<number, Request[]>();
  const acks = new Map<number, number>();
  const store = new Map<string, string>();
  let client: WebSocket | undefined;
  let waiting: Request[] = [];
  let turnScheduled = false;
  let slot = 0;
  const endTurn = () => {
    turnScheduled = false;
    if (waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    const s = slot++;
    accepted.set(s, batch);
    accepted.delete(s - 1024);
    acks.set(s, 0);
    const frame = JSON.stringify({ slot: s, ballot: 1, batch });
    for (const p of peers) p.send(frame);
    if (needed === 0) decide(s);
  };
  const decide = (s: number) => {
    acks.delete(s);
    const batch = accepted.get(s) ?? [];
    const replies: [number, string][] = [];
    for (const [seq, key, value] of batch) {
      store.set(key, value);
      replies.push([seq, "ok"]);
    }
    client?.send(JSON.stringify(replies));
  };
  for (const p of peers) {
    p.on("message", (data) => {
      const p2b = JSON.parse(String(data)) as { slot: number };
      const n = acks.get(p2b.slot);
      if (n === undefined) return; // decided already
      if (n + 1 >= needed) decide(p2b.slot);
      else acks.set(p2b.slot, n + 1);
    });
  }
  listen((ws) => {
    client = ws;
    ws.on("message", (data) => {
      for (const r of JSON.parse(String(data)) as Request[]) waiting.push(r);
      if (!turnScheduled) {
        turnScheduled = true;
        setImmediate(endTurn);
      }
    });
  });
}

function start(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout!.on("data", (d) => {
      text += d;
      const m = /PORT (\d+)/.exec(text);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on("exit", (code) => reject(new Error(`${args.join(" ")} exited (${code})`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (x: number, digits = 0) =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function client(): Promise<void> {
  const acceptorCount = positiveInt("acceptors", values.acceptors);
  const levels = (values.outstanding ?? "").split(",").map((s) => positiveInt("outstanding", s));
  const valueBytes = atLeast("value-bytes", values["value-bytes"], 0);
  const seconds = atLeast("seconds", values.seconds, 0.1);
  const warmupS = atLeast("warmup", values.warmup, 0);
  const children: ChildProcess[] = [];
  try {
    const others = await Promise.all(
      Array.from({ length: acceptorCount - 1 }, () => start(["--role", "acceptor"])),
    );
    children.push(...others.map((o) => o.child));
    const lead = await start(["--role", "leader", "--peers", others.map((o) => o.port).join(",")]);
    children.push(lead.child);
    const ws = new WebSocket(`ws://127.0.0.1:${lead.port}/`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const pad = "v".repeat(valueBytes);
    const sentAt = new Map<number, number>();
    let seq = 0;
    let completed = 0;
    let target = 0;
    let queued: Request[] = [];
    let sendScheduled = false;
    let latencies: number[] = [];
    let recording = false;
    const flush = () => {
      sendScheduled = false;
      ws.send(JSON.stringify(queued));
      queued = [];
    };
    const issue = () => {
      const s = seq++;
      const v = `c.${s}`;
      queued.push([s, `k${s % 1000}`, v + pad.slice(v.length)]);
      sentAt.set(s, performance.now());
      if (!sendScheduled) {
        sendScheduled = true;
        setImmediate(flush);
      }
    };
    ws.on("message", (data) => {
      const now = performance.now();
      for (const [s] of JSON.parse(String(data)) as [number, string][]) {
        const t = sentAt.get(s);
        sentAt.delete(s);
        completed++;
        if (recording && t !== undefined) latencies.push(now - t);
        if (sentAt.size < target) issue();
      }
    });
    const pids = [process.pid, ...children.map((c) => c.pid!)];
    const cpuOf = () =>
      pids.reduce((sum, pid) => {
        const t = pid === process.pid ? process.cpuUsage() : processCpu(pid);
        return sum + t.user + t.system;
      }, 0);
    console.log(
      `pipeline ceiling: a client, a leader that is also an acceptor and ${acceptorCount - 1} more acceptors, ` +
        `JSON over ws, ${valueBytes}-byte values, no engine`,
    );
    console.log(" outstanding |     ops/s | p50 ms | CPU us/op (all processes)");
    for (const level of levels) {
      target = level;
      while (sentAt.size < target) issue();
      await sleep(warmupS * 1000);
      latencies = [];
      recording = true;
      const c0 = completed;
      const cpu0 = cpuOf();
      const t0 = performance.now();
      await sleep(seconds * 1000);
      const ops = completed - c0;
      const elapsedS = (performance.now() - t0) / 1000;
      const cpu = cpuOf() - cpu0;
      recording = false;
      latencies.sort((a, b) => a - b);
      const p50 = latencies[Math.max(0, Math.ceil(latencies.length / 2) - 1)] ?? Number.NaN;
      console.log(
        `${String(level).padStart(12)} | ${fmt(ops / elapsedS).padStart(9)} | ${fmt(p50, 2).padStart(6)} | ${fmt(cpu / ops, 1)}`,
      );
      // drain this level's requests before the next
      target = 0;
      while (sentAt.size > 0) await sleep(10);
    }
    ws.terminate();
  } finally {
    for (const c of children) c.kill("SIGKILL");
  }
}

if (values.role === "acceptor") acceptor();
else if (values.role === "leader")
  leader((values.peers ?? "").split(",").filter(Boolean).map(Number));
else
  client().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );

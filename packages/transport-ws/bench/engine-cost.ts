// The engine's own cost per command, without sockets, event loop or scheduler (not a test):
// three nodes (each replica+leader+acceptor, majority) and one client run in this one process,
// and every message between them goes through what a real host does to it (encodeMessage, one
// frame per destination per turn, packFrames, decodeFrame, checkDataFrame) before the
// receiver's engine sees it. Each process's share is timed apart, so the figures say where a
// command's CPU goes, and they do not move with the machine's load the way bench:cluster's do
// (one thread, and a turn takes microseconds, not a scheduler's quantum).
//
//   node packages/transport-ws/dist/bench/engine-cost.js [--commands 300000] [--outstanding 100]
//        [--value-bytes 64] [--rounds 3] [--cpu-prof via node's own flag]

import { parseArgs } from "node:util";
import { PaxosNode } from "@paxos/core";
import { majority } from "@paxos/quorum-system";
import { commandArgs } from "../src/cli/argv.js";
import { DEFAULT_MAX_FRAME_BYTES, FRAME_ENVELOPE_BYTES } from "../src/cluster-file.js";
import { decodeFrame } from "../src/codec.js";
import { packFrames } from "../src/frame-packer.js";
import { LogDigest } from "../src/log-digest.js";
import { checkDataFrame } from "../src/validate.js";

const { values } = parseArgs({
  args: commandArgs(),
  options: {
    commands: { type: "string", default: "300000" },
    outstanding: { type: "string", default: "100" },
    "value-bytes": { type: "string", default: "64" },
    keys: { type: "string", default: "1000" },
    rounds: { type: "string", default: "3" },
  },
});
const commandCount = Number(values.commands);
const outstanding = Number(values.outstanding);
const value = "v".repeat(Number(values["value-bytes"]));
const keyCount = Number(values.keys);
const rounds = Number(values.rounds);
const FRAME_BUDGET_BYTES = DEFAULT_MAX_FRAME_BYTES - FRAME_ENVELOPE_BYTES;

interface Process {
  readonly id: string;
  readonly node: PaxosNode;
  readonly digest: LogDigest | undefined;
  /** frames waiting to be read, with their sender */
  inbox: { from: string; bytes: Buffer }[];
  cpuMs: number;
  framesIn: number;
  bytesIn: number;
}

interface RoundResult {
  /** CPU microseconds per command, by process */
  readonly perCommandUs: Record<string, number>;
  readonly framesPerCommand: number;
  readonly bytesPerCommand: number;
}

function run(): RoundResult {
  const ids = ["n1", "n2", "n3"];
  const clientId = `c-${"ab12".repeat(8)}`;
  let now = 0;
  const cluster = { leaders: ids, replicas: ids, quorum: majority(ids) };
  const procs = new Map<string, Process>();
  for (const id of ids) {
    procs.set(id, {
      id,
      node: new PaxosNode(
        { id, roles: ["replica", "leader", "acceptor"], cluster },
        { now, rng: { next: () => (id === "n1" ? 0 : 0.9) }, recovered: [] },
      ),
      digest: new LogDigest(),
      inbox: [],
      cpuMs: 0,
      framesIn: 0,
      bytesIn: 0,
    });
  }
  const client: Process = {
    id: clientId,
    node: new PaxosNode(
      {
        id: clientId,
        roles: ["client"],
        cluster: { replicas: ids, leaders: [], quorum: cluster.quorum },
        clientId,
      },
      { now, rng: { next: () => 0.5 } },
    ),
    digest: undefined,
    inbox: [],
    cpuMs: 0,
    framesIn: 0,
    bytesIn: 0,
  };
  procs.set(clientId, client);

  let submitted = 0;
  let completed = 0;
  const submit = () => {
    const key = `k${submitted % keyCount}`;
    client.node.submit({ type: "put", key, value }, now);
    submitted++;
  };

  /** One host turn of `p`: read its inbox, drain, send a frame per destination. */
  const turn = (p: Process): boolean => {
    const t0 = performance.now();
    const inbox = p.inbox;
    p.inbox = [];
    for (const { from, bytes } of inbox) {
      const frame = decodeFrame(bytes) as Record<string, unknown>;
      const check = checkDataFrame(frame, from, p.id);
      if (!check.ok) throw new Error(`${p.id}: bad frame from ${from}: ${check.reason}`);
      for (const m of check.msgs) p.node.receive(from, m, now);
    }
    const out = p.node.drain();
    const frames = packFrames(p.id, out.sends, FRAME_BUDGET_BYTES);
    for (const e of out.events) {
      if (e.type === "slotApplied") p.digest?.apply(e.slot, e.value);
      else if (e.type === "completed") completed++;
    }
    p.cpuMs += performance.now() - t0;
    for (const { to, frame } of frames) {
      const dest = procs.get(to);
      if (dest === undefined) continue;
      dest.inbox.push({ from: p.id, bytes: frame });
      dest.framesIn++;
      dest.bytesIn += frame.length;
    }
    return frames.length > 0 || inbox.length > 0;
  };

  // elect n1: tick until it leads
  for (let i = 0; i < 2000 && !procs.get("n1")!.node.leader!.isActive; i++) {
    now += 5;
    for (const id of ids) procs.get(id)!.node.tick(now);
    for (const p of procs.values()) turn(p);
  }
  if (!procs.get("n1")!.node.leader!.isActive) throw new Error("n1 did not become leader");
  for (const p of procs.values()) p.cpuMs = 0;

  const completedAtStart = completed;
  while (completed - completedAtStart < commandCount) {
    // the closed loop: a new operation for every answer (the client's work, so its time)
    const t0 = performance.now();
    while (submitted - completed < outstanding) submit();
    client.cpuMs += performance.now() - t0;
    now += 0.05;
    let moved = false;
    for (const p of procs.values()) moved = turn(p) || moved;
    if (!moved) {
      now += 10;
      for (const p of procs.values()) p.node.tick(now);
    }
  }
  const perCommandUs: Record<string, number> = {};
  let frames = 0;
  let bytes = 0;
  for (const p of procs.values()) {
    perCommandUs[p === client ? "client" : p.id] = (p.cpuMs * 1000) / commandCount;
    frames += p.framesIn;
    bytes += p.bytesIn;
  }
  return {
    perCommandUs,
    framesPerCommand: frames / commandCount,
    bytesPerCommand: bytes / commandCount,
  };
}

console.log(
  `engine-cost: 3 nodes (replica+leader+acceptor, majority) and 1 client in one process, ${outstanding} outstanding, ` +
    `${values["value-bytes"]}-byte puts over ${keyCount} keys, ${commandCount.toLocaleString("en-US")} commands a round`,
);
for (let r = 0; r < rounds; r++) {
  const result = run();
  const parts = Object.entries(result.perCommandUs).map(([who, us]) => `${who} ${us.toFixed(2)}`);
  const total = Object.values(result.perCommandUs).reduce((a, b) => a + b, 0);
  console.log(
    `round ${r + 1}: CPU us/cmd ${total.toFixed(2)} (${parts.join(", ")}); ` +
      `${result.framesPerCommand.toFixed(3)} frames/cmd, ${result.bytesPerCommand.toFixed(0)} bytes/cmd`,
  );
}

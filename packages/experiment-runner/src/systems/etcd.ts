// etcd (Raft), from Debian's etcd-server package or a binary a user names: one member per
// acceptor of the variant, each a process with its own data dir on loopback, driven by our own
// load generator over its gRPC API (linearizable reads: serializable off). Its history
// is recorded in our format and checked like ours. etcd fsyncs its write-ahead log before it
// answers a write, so compare it with our engine with fsync on.

import { execFile } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CpuWindow } from "../modes/process-cpu.js";
import { type Child, freePorts, spawnChild, stopChild } from "../modes/processes.js";
import { EnvironmentError } from "../run/types.js";
import { findOnPath } from "./c-build.js";
import { runLoadgen } from "./loadgen-process.js";
import { refusesLoopback } from "./loopback.js";
import { waitUntil } from "./readiness.js";
import type { ResolvedSystem, SystemAdapter } from "./types.js";

type EtcdEntry = Extract<ResolvedSystem, { system: "etcd" }>;

const found = new Map<string, { binary: string; version: string }>();

function version(binary: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(binary, ["--version"], { timeout: 30_000 }, (e, stdout) => {
      resolve(e ? "unknown" : (/etcd Version: (\S+)/.exec(stdout)?.[1] ?? "unknown"));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json()) as { health?: unknown };
    return res.ok && body.health === "true";
  } catch {
    return false;
  }
}

/** The environment for etcd: none of the caller's ETCD_* settings, which would override flags. */
function etcdEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ETCD_")));
}

export const etcd: SystemAdapter = {
  kind: "etcd",
  name: "etcd",
  latencyMeasures:
    "client-visible: from our load generator sending a gRPC request to a member to the answer, after Raft committed it (fsynced on a majority) and the member applied it",
  history: true,
  refusesConfig: refusesLoopback,
  refusesVariant: (v) => {
    if (v.kind !== "majority")
      return `it runs Raft, whose quorums are majorities (this variant is ${v.kind})`;
    if (v.thrifty) return "Raft sends its log to every follower: it has no thrifty mode";
    return null;
  },
  prepare: async (system, announce) => {
    const s = system as EtcdEntry;
    const binary = s.binary ?? process.env.PAXOS_LAB_ETCD ?? findOnPath("etcd");
    if (!binary) {
      throw new EnvironmentError(
        "etcd not found: install Debian's etcd-server package (apt-get install etcd-server), or name the executable in the system's \"binary\" or in $PAXOS_LAB_ETCD",
      );
    }
    const v = await version(binary);
    if (v === "unknown") announce(`warning: ${binary} --version did not answer as etcd does`);
    found.set(s.label, { binary, version: v });
  },
  start: async (ctx) => {
    const s = ctx.system as EtcdEntry;
    const bin = found.get(s.label);
    if (!bin) throw new Error("etcd: start before prepare");
    const n = ctx.acceptors.length;
    const logs = join(ctx.dir, "logs");
    const data = join(ctx.dir, "data");
    mkdirSync(logs, { recursive: true });
    mkdirSync(data, { recursive: true });
    const ports = await freePorts(2 * n);
    const names = ctx.acceptors.map((_, i) => `m${i + 1}`);
    const clientUrl = (i: number) => `http://127.0.0.1:${ports[i]}`;
    const peerUrl = (i: number) => `http://127.0.0.1:${ports[n + i]}`;
    const initial = names.map((m, i) => `${m}=${peerUrl(i)}`).join(",");
    const token = `paxos-lab-${process.pid}-${ctx.seed}-${Date.now()}`;
    const children: { child: Child; log: string }[] = [];
    const stop = async () => {
      await Promise.all(children.map((c) => stopChild(c.child, 3_000)));
      rmSync(data, { recursive: true, force: true });
    };
    try {
      names.forEach((m, i) => {
        const log = join(logs, `${m}.log`);
        const args = [
          "--name",
          m,
          "--data-dir",
          join(data, m),
          "--listen-client-urls",
          clientUrl(i),
          "--advertise-client-urls",
          clientUrl(i),
          "--listen-peer-urls",
          peerUrl(i),
          "--initial-advertise-peer-urls",
          peerUrl(i),
          "--initial-cluster",
          initial,
          "--initial-cluster-token",
          token,
          "--initial-cluster-state",
          "new",
          "--logger",
          "zap",
          "--log-outputs",
          "stderr",
        ];
        children.push({ child: spawnChild(`etcd ${m}`, bin.binary, args, log, etcdEnv()), log });
      });
      // ready: every member answers /health with a leader elected
      await waitUntil(
        `every etcd member is healthy`,
        async () => (await Promise.all(names.map((_, i) => healthy(clientUrl(i))))).every((x) => x),
        children,
      );
    } catch (e) {
      await stop();
      throw e;
    }
    const endpoints = names.map((_, i) => clientUrl(i));
    const extra: Record<string, unknown> = {
      etcd_version: bin.version,
      etcd_binary: bin.binary,
      endpoints,
      logs: "logs/",
    };
    return {
      extra,
      drive: async (d) => {
        const members = new CpuWindow(() =>
          children.flatMap((c) => (c.child.process.pid === undefined ? [] : [c.child.process.pid])),
        );
        const run = await runLoadgen({ etcd: { endpoints } }, d, members);
        Object.assign(extra, run.extra);
        return { kind: "history", history: run.history };
      },
      stop,
    };
  },
};

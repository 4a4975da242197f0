// The load generator of local mode, run as its own process so it does not share an event loop
// with the runner (or the nodes): `node loadgen.js <spec.json>`. It connects one client of the
// @paxos/transport-ws library per workload client, or one per replica that the workload
// clients share (shareConnections), or for etcd one client of its gRPC API per member, which
// the workload clients of that member share. It issues the config's workload
// (closed or open loop) and writes every operation to an NDJSON history file, under the
// workload client's id and seq whatever client carried it.
//
// Protocol with the parent, one line each on stdout:
//   CLIENTS <n> <m>      the n workload clients are connected, through m clients of the
//                        system's API: ours, library clients (fewer than n when they share one
//                        per replica); etcd, one per member (its gRPC channel)
//   START <epochMs>      the clients are connected and the run's clock starts (t = 0)
//   PROGRESS <ms> <ops>  now and then while running
//   LOAD <cpuUs> <ops> <ms> <busy>  the workload is over: this process's CPU time (user +
//                        system) since START, the operations answered, the wall-clock ms, and
//                        the share of that time its event loop was busy, in thousandths
//   FINAL <keys> <read>  the final reads (if asked): keys read back, reads that returned
//   DONE <ops>           the history file is written; the process exits 0
// Anything else (errors) goes to stderr.

import { createWriteStream, readFileSync } from "node:fs";
import type { Operation, Result } from "@paxos/core";
import { OperationGenerator } from "@paxos/simulator";
import { connect, loadCluster, type PaxosClient } from "@paxos/transport-ws";
import type { ResolvedConfig } from "./config/types.js";
import { HistoryColumns } from "./history-columns.js";
import { EtcdClient } from "./systems/etcd-client.js";
import { EtcdChannel } from "./systems/etcd-grpc.js";
import { openLoopArrivals, seededStream } from "./workload.js";

export interface LoadgenSpec {
  /** our engine's cluster file */
  clusterFile?: string;
  /** or etcd's members (client urls): workload client i talks to member i mod n */
  etcd?: { endpoints: string[] };
  /** workload client ids (c1, c2, ...) */
  clients: string[];
  workload: ResolvedConfig["workload"];
  seed: number;
  historyFile: string;
  /** how long to wait for answers still outstanding when the run ends */
  graceMs: number;
  /**
   * our engine: the workload clients share one client (one connection) per replica instead of
   * each connecting on its own; their operations keep their own ids and seqs in the history
   */
  shareConnections?: boolean;
  /**
   * after the workload, read back every key it touched (each a get in the history) and wait
   * this long at most for the answers; no final reads when absent
   */
  finalReadsMs?: number;
}

const now = () => performance.timeOrigin + performance.now();

type LoadClient = Pick<PaxosClient, "execute" | "close">;

const timeoutMsOf = (spec: LoadgenSpec) => spec.workload.durationMs + spec.graceMs + 5_000;

/** A workload client's id in the history (and in its written values). */
const workloadId = (spec: LoadgenSpec, id: string) => `${id}:${spec.seed}`;

/** The client each workload client sends through, in the order of spec.clients. */
async function openClients(
  spec: LoadgenSpec,
  etcd: EtcdChannel[] | undefined,
): Promise<LoadClient[]> {
  const timeoutMs = timeoutMsOf(spec);
  if (etcd) {
    // one client per member's channel: the workload clients of a member share it
    const perMember = etcd.map((channel) => new EtcdClient(channel));
    return spec.clients.map((_, i) => perMember[i % perMember.length]!);
  }
  const file = spec.clusterFile;
  if (!file) throw new Error("the spec names neither a cluster file nor etcd");
  const options = { timeoutMs, connectTimeoutMs: 10_000 };
  if (!spec.shareConnections) {
    return Promise.all(
      spec.clients.map((id) => connect(file, { ...options, clientId: workloadId(spec, id) })),
    );
  }
  // One client per replica, staying on it while it answers: workload client i sends through
  // replica i mod n's, as etcd's workload clients share one channel per member.
  const cluster = loadCluster(file);
  const replicas = cluster.layout.replicas.slice(0, spec.clients.length);
  const pool = await Promise.all(
    replicas.map((replica, k) =>
      connect(cluster, {
        ...options,
        clientId: `shared${k}:${spec.seed}`,
        followLeader: false,
        homeReplica: replica,
      }),
    ),
  );
  return spec.clients.map((_, i) => pool[i % pool.length]!);
}

async function main(): Promise<void> {
  const specPath = process.argv[2];
  if (!specPath) throw new Error("usage: loadgen <spec.json>");
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as LoadgenSpec;
  const w = spec.workload;
  const etcd = spec.etcd?.endpoints.map((e) => new EtcdChannel(e, timeoutMsOf(spec)));
  await Promise.all((etcd ?? []).map((c) => c.connected()));
  const clients = await openClients(spec, etcd);
  process.stdout.write(`CLIENTS ${clients.length} ${new Set(clients).size}\n`);
  const ids = spec.clients.map((id) => workloadId(spec, id));
  /** operations in flight per workload client (the open loop's cap) */
  const inflightBy = spec.clients.map(() => 0);
  const history = new HistoryColumns(ids);
  const t0 = now();
  const elapsed = () => now() - t0;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  process.stdout.write(`START ${t0}\n`);
  let completed = 0;
  // Operations in flight, counted rather than kept in a set of promises (a set and a `finally`
  // per operation were a third of this process's work per operation at 100 in flight).
  let inflight = 0;
  let drained: (() => void) | undefined;
  const settled = () => {
    inflight--;
    if (inflight === 0) drained?.();
  };

  /** Workload client i's next operation, through its client; `then` once it has ended. */
  const issue = (i: number, g: OperationGenerator, seq: number, then?: () => void): void => {
    const op: Operation = g.next(seq);
    const h = history.invoked(i, seq, op, elapsed());
    inflight++;
    inflightBy[i]!++;
    clients[i]!.execute(op).then(
      (result: Result) => {
        history.answered(h, result, elapsed());
        completed++;
        g.observe(op, result);
        inflightBy[i]!--;
        settled();
        then?.();
      },
      () => {
        // timed out or closed: the operation stays unfinished in the history
        inflightBy[i]!--;
        settled();
        then?.();
      },
    );
  };

  const seqs = spec.clients.map(() => 0);
  const nextSeq = (i: number): number => {
    const s = seqs[i] ?? 0;
    seqs[i] = s + 1;
    return s;
  };

  const ticker = setInterval(() => {
    process.stdout.write(`PROGRESS ${Math.round(elapsed())} ${completed}\n`);
  }, 200);

  const loops: Promise<void>[] = [];
  spec.clients.forEach((id, i) => {
    const g = new OperationGenerator(w, ids[i]!, seededStream(spec.seed, `workload/${id}`));
    if (w.clients.type === "closed") {
      const slots = w.clients.outstanding;
      loops.push(
        new Promise<void>((resolve) => {
          // Each of the client's slots issues its next operation when the last one ends: a
          // callback rather than an async loop, which cost two more promises per operation.
          let running = slots;
          const next = () => {
            if (elapsed() < w.durationMs) issue(i, g, nextSeq(i), next);
            else if (--running === 0) resolve();
          };
          for (let k = 0; k < slots; k++) next();
        }),
      );
    } else {
      const rate = w.clients.ratePerSec / spec.clients.length / 1000; // per ms
      const cap = w.clients.maxOutstanding;
      loops.push(
        new Promise<void>((resolve) => {
          openLoopArrivals({
            rng: seededStream(spec.seed, `arrivals/${id}`),
            ratePerMs: rate,
            durationMs: w.durationMs,
            now: elapsed,
            at: (ms, fn) => setTimeout(fn, Math.max(0, ms - elapsed())),
            arrive: () => {
              if (inflightBy[i]! < cap) issue(i, g, nextSeq(i));
            },
            done: resolve,
          });
        }),
      );
    }
  });
  // Closed loops finish their last operation; open loops stop arriving at the end.
  const deadline = new Promise<void>((resolve) =>
    setTimeout(resolve, Math.max(0, w.durationMs + spec.graceMs - elapsed())),
  );
  await Promise.race([Promise.all(loops), deadline]);
  const allSettled = new Promise<void>((resolve) => {
    if (inflight === 0) resolve();
    else drained = resolve;
  });
  await Promise.race([allSettled, deadline]);
  const cpu = process.cpuUsage(cpu0);
  const busy = Math.round(1000 * performance.eventLoopUtilization(elu0).utilization);
  process.stdout.write(
    `LOAD ${cpu.user + cpu.system} ${completed} ${Math.round(elapsed())} ${busy}\n`,
  );
  if (spec.finalReadsMs !== undefined) {
    // Read back every key the workload touched, spread over the clients.
    const keys = history.keys();
    let read = 0;
    const reads = keys.map((key, k) => {
      const i = k % clients.length;
      const client = clients[i]!;
      const op: Operation = { type: "get", key };
      const h = history.invoked(i, nextSeq(i), op, elapsed());
      return client.execute(op).then(
        (result: Result) => {
          history.answered(h, result, elapsed());
          read++;
        },
        () => undefined,
      );
    });
    await Promise.race([
      Promise.all(reads),
      new Promise<void>((resolve) => setTimeout(resolve, spec.finalReadsMs)),
    ]);
    process.stdout.write(`FINAL ${keys.length} ${read}\n`);
  }
  clearInterval(ticker);
  await Promise.all([...new Set(clients)].map((c) => c.close()));
  for (const channel of etcd ?? []) channel.close();
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(spec.historyFile);
    out.on("error", reject);
    for (const h of history.records()) out.write(`${JSON.stringify(h)}\n`);
    out.end(resolve);
  });
  process.stdout.write(`DONE ${completed}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`loadgen: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);

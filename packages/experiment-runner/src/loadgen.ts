// The load generator of local mode, run as its own process so it does not share an event loop
// with the runner (or the nodes): `node loadgen.js <spec.json>`. It connects one client of the
// @paxos/transport-ws library per workload client (or, for etcd, one client of its gRPC API,
// the clients of a member sharing one connection to it), issues the config's workload (closed or open loop), and writes every operation to
// an NDJSON history file.
//
// Protocol with the parent, one line each on stdout:
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
import { connect, type PaxosClient } from "@paxos/transport-ws";
import type { ResolvedConfig } from "./config/types.js";
import type { HistoryRecord } from "./run/types.js";
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
   * after the workload, read back every key it touched (each a get in the history) and wait
   * this long at most for the answers; no final reads when absent
   */
  finalReadsMs?: number;
}

const now = () => performance.timeOrigin + performance.now();

type LoadClient = Pick<PaxosClient, "clientId" | "outstanding" | "execute" | "close">;

const timeoutMsOf = (spec: LoadgenSpec) => spec.workload.durationMs + spec.graceMs + 5_000;

function openClient(
  spec: LoadgenSpec,
  etcd: EtcdChannel[] | undefined,
  id: string,
  i: number,
): Promise<LoadClient> {
  const clientId = `${id}:${spec.seed}`;
  const timeoutMs = timeoutMsOf(spec);
  if (etcd) return Promise.resolve(new EtcdClient(clientId, etcd[i % etcd.length]!));
  if (!spec.clusterFile) throw new Error("the spec names neither a cluster file nor etcd");
  return connect(spec.clusterFile, { clientId, timeoutMs, connectTimeoutMs: 10_000 });
}

async function main(): Promise<void> {
  const specPath = process.argv[2];
  if (!specPath) throw new Error("usage: loadgen <spec.json>");
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as LoadgenSpec;
  const w = spec.workload;
  const etcd = spec.etcd?.endpoints.map((e) => new EtcdChannel(e, timeoutMsOf(spec)));
  await Promise.all((etcd ?? []).map((c) => c.connected()));
  const clients = await Promise.all(spec.clients.map((c, i) => openClient(spec, etcd, c, i)));
  const history: HistoryRecord[] = [];
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

  const issue = (
    client: LoadClient,
    id: string,
    g: OperationGenerator,
    seq: number,
  ): Promise<void> => {
    const op: Operation = g.next(seq);
    const record: HistoryRecord = {
      clientId: client.clientId,
      seq,
      op,
      result: null,
      invokedAt: elapsed(),
      returnedAt: null,
    };
    history.push(record);
    inflight++;
    return client.execute(op).then(
      (result: Result) => {
        record.result = result;
        record.returnedAt = elapsed();
        completed++;
        g.observe(op, result);
        settled();
      },
      () => {
        // timed out or closed: the operation stays unfinished in the history
        void id;
        settled();
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
  clients.forEach((client, i) => {
    const id = spec.clients[i]!;
    const g = new OperationGenerator(w, client.clientId, seededStream(spec.seed, `workload/${id}`));
    if (w.clients.type === "closed") {
      for (let k = 0; k < w.clients.outstanding; k++) {
        loops.push(
          (async () => {
            while (elapsed() < w.durationMs) await issue(client, id, g, nextSeq(i));
          })(),
        );
      }
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
              if (client.outstanding < cap) void issue(client, id, g, nextSeq(i));
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
    const keys = [...new Set(history.map((h) => h.op.key))].sort();
    let read = 0;
    const reads = keys.map((key, k) => {
      const i = k % clients.length;
      const client = clients[i]!;
      const op: Operation = { type: "get", key };
      const record: HistoryRecord = {
        clientId: client.clientId,
        seq: nextSeq(i),
        op,
        result: null,
        invokedAt: elapsed(),
        returnedAt: null,
      };
      history.push(record);
      return client.execute(op).then(
        (result: Result) => {
          record.result = result;
          record.returnedAt = elapsed();
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
  await Promise.all(clients.map((c) => c.close()));
  for (const channel of etcd ?? []) channel.close();
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(spec.historyFile);
    out.on("error", reject);
    for (const h of history) out.write(`${JSON.stringify(h)}\n`);
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

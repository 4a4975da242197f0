// Cluster benchmark (not a test): a 3-node cluster (each replica+leader+acceptor, majority)
// on loopback, driven by one closed-loop client of the client library with 1, 16 and 128
// requests outstanding, 64-byte values; prints throughput and p50/p99 latency for each.
//
//   npx tsc -b packages/transport-ws && node packages/transport-ws/dist/bench/cluster-throughput.js
//   options: --seconds 5 (per level) --warmup 1 --outstanding 1,16,128 --no-fsync

import { parseArgs } from "node:util";
import { quantile } from "@paxos/core";
import { connect } from "../src/client.js";
import { LocalCluster } from "../test/harness.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    warmup: { type: "string", default: "1" },
    outstanding: { type: "string", default: "1,16,128" },
    "no-fsync": { type: "boolean", default: false },
    keys: { type: "string", default: "1000" },
    "log-level": { type: "string", default: "warn" },
    /** the replicas' proposal window (core's default: 64) */
    window: { type: "string" },
  },
});
const seconds = Number(values.seconds);
const warmupSeconds = Number(values.warmup);
const levels = values.outstanding.split(",").map(Number);
const keyCount = Number(values.keys);
const value = "v".repeat(64);

const cluster = await LocalCluster.start({
  nodes: ["n1", "n2", "n3"].map((id) => ({
    id,
    roles: ["replica", "leader", "acceptor"] as const,
  })),
  quorum: { kind: "majority" },
  logLevel: values["log-level"] as "warn",
  storage: values["no-fsync"] ? "file" : "fsync",
  ...(values.window === undefined ? {} : { extra: { replica: { window: Number(values.window) } } }),
});
const client = await connect(cluster.clusterPath, { timeoutMs: 60_000 });
try {
  await client.put("warm", "up");
  console.log(
    `3 nodes (replica+leader+acceptor, majority) on loopback, fsync ${values["no-fsync"] ? "off" : "on"}, ` +
      `64-byte puts over ${keyCount} keys, ${seconds} s per level after ${warmupSeconds} s warm-up, ` +
      `replica window ${values.window ?? "64 (default)"}`,
  );
  console.log("outstanding | ops/s    | p50 ms | p99 ms | ops");
  for (const outstanding of levels) {
    let recording = false;
    let stop = false;
    const latencies: number[] = [];
    let next = 0;
    const worker = async () => {
      while (!stop) {
        const key = `k${next++ % keyCount}`;
        const start = performance.now();
        await client.put(key, value);
        if (recording && !stop) latencies.push(performance.now() - start);
      }
    };
    const workers = Array.from({ length: outstanding }, worker);
    await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
    recording = true;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    stop = true;
    const elapsed = (performance.now() - t0) / 1000;
    const count = latencies.length;
    await Promise.all(workers);
    const sorted = Float64Array.from(latencies).sort();
    console.log(
      `${String(outstanding).padStart(11)} | ${(count / elapsed).toFixed(0).padStart(8)} | ${quantile(sorted, 0.5).toFixed(2).padStart(6)} | ${quantile(sorted, 0.99).toFixed(2).padStart(6)} | ${count}`,
    );
  }
  for (const id of cluster.ids)
    console.log(id, JSON.stringify((await cluster.status(id)).counters));
  const agreed = await cluster.waitForAgreement(1, 30_000);
  console.log(`replicas agree: ${agreed.appliedBelow} slots applied, digest ${agreed.digest}`);
} finally {
  await client.close();
  await cluster.stop();
}

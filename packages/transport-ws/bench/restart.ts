// Restart after a long history (a benchmark, not a test): a 3-node cluster (each
// replica+leader+acceptor, majority, fsync) takes 20,000 puts of 1 KB (distinct keys) from a
// closed-loop client, then all three nodes get SIGTERM and are started again on their data
// dirs, and we time until a put succeeds. Before bounded state this took minutes (a p1b of
// the whole history, dropped for size, retried forever); the target is < 5 s.
//
//   pnpm bench:restart [--puts 20000] [--outstanding 64] [--value-bytes 1024]

import { parseArgs } from "node:util";
import { commandArgs } from "../src/cli/argv.js";
import { connect } from "../src/client.js";
import { colocated, LocalCluster } from "../test/harness.js";
import { dirBytes, mib, rssBytes } from "./process-stats.js";

const { values } = parseArgs({
  args: commandArgs(),
  options: {
    puts: { type: "string", default: "20000" },
    outstanding: { type: "string", default: "64" },
    "value-bytes": { type: "string", default: "1024" },
    /** core Timing overrides as JSON, to test a hypothesis (e.g. '{"p1aRetryMs":1000}') */
    timing: { type: "string" },
  },
});
const puts = Number(values.puts);
const outstanding = Number(values.outstanding);
const value = "v".repeat(Number(values["value-bytes"]));

const cluster = await LocalCluster.start({
  nodes: colocated("n1", "n2", "n3"),
  quorum: { kind: "majority" },
  logLevel: "info",
  ...(values.timing === undefined ? {} : { extra: { timing: JSON.parse(values.timing) } }),
});
let exitCode = 0;
try {
  const client = await connect(cluster.clusterPath, { timeoutMs: 120_000 });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: outstanding }, async () => {
      while (next < puts) await client.put(`k${next++}`, value);
    }),
  );
  const loadMs = performance.now() - t0;
  await client.close();
  const before = cluster.ids.map(
    (id) =>
      `${id} ${mib(rssBytes(cluster.pidOf(id)!))} MiB RSS, data ${mib(dirBytes(cluster.dataDir(id)))} MiB`,
  );
  console.log(
    `${puts} puts of ${value.length} B (distinct keys, ${outstanding} outstanding) in ${(loadMs / 1000).toFixed(1)} s ` +
      `(${Math.round(puts / (loadMs / 1000))} ops/s); ${before.join("; ")}`,
  );

  await Promise.all(cluster.ids.map((id) => cluster.kill(id, "SIGTERM")));
  const restartAt = performance.now();
  await Promise.all(cluster.ids.map((id) => cluster.spawn(id)));
  const listeningMs = performance.now() - restartAt;
  const after = await connect(cluster.clusterPath, { timeoutMs: 120_000 });
  const served = await after.put("after-restart", value).then(
    () => true,
    () => false,
  );
  const firstPutMs = served ? performance.now() - restartAt : Number.POSITIVE_INFINITY;
  const check = served ? await after.get(`k${puts - 1}`) : undefined;
  await after.close();
  const recovered = cluster.ids.map((id) => {
    const line = cluster.logLines(id).findLast((l) => l.msg === "node started");
    return `${id} ${line?.recoveredRecords} records, snapshot at ${line?.snapshotSlot}`;
  });
  console.log(
    `restart: all three listening after ${Math.round(listeningMs)} ms; ${recovered.join("; ")}`,
  );
  console.log(
    (served
      ? `first put after the restart succeeded ${Math.round(firstPutMs)} ms after the restart began `
      : "no put succeeded within 120 s of the restart ") +
      `(target < 5000 ms): ${firstPutMs < 5000 ? "PASS" : "FAIL"}; last key ${!served ? "not read" : check === value ? "read back intact" : "read back WRONG"}`,
  );
  const dropped = cluster.ids.flatMap((id) =>
    cluster.logLines(id).filter((l) => String(l.msg).includes("larger than maxFrameBytes")),
  );
  console.log(`frames dropped for size: ${dropped.length}`);
  if (firstPutMs >= 5000 || check !== value || dropped.length > 0) exitCode = 1;
} finally {
  await cluster.stop();
}
process.exit(exitCode);

// The checker's performance test-bench: a 100,000-operation history over 1,000 keys (concurrent
// clients with several operations in flight, exponential latencies, a few unknown outcomes),
// with uniform and zipfian keys, checked for linearizability; then the same history with one
// stale read planted in it (the search must fail and shrink). Prints the figures.
//
//   npx tsc -b analysis && node analysis/dist/bench/linearizability.js [operations] [keys]

import { checkLinearizability } from "../src/linearizability.js";
import { generateHistory } from "./generate.js";

const operations = Number(process.argv[2] ?? 100_000);
const keys = Number(process.argv[3] ?? 1_000);

function run(label: string, zipf: number | undefined): void {
  const t0 = performance.now();
  const h = generateHistory({
    operations,
    keys,
    clients: 32,
    outstanding: 1,
    ...(zipf === undefined ? {} : { zipf }),
    meanLatencyMs: 5,
    unknownRate: 0.002,
    seed: 42,
  });
  const genMs = performance.now() - t0;
  const r = checkLinearizability(h, { timeBudgetMs: 120_000 });
  const s = r.stats;
  process.stdout.write(
    `${label}: ${s.operations} ops, ${s.keys} keys (largest ${s.maxKeyOperations} ops), ` +
      `${s.unknownOutcome} unknown outcomes: ${r.verdict} in ${(s.elapsedMs / 1000).toFixed(2)} s ` +
      `(${Math.round(s.operations / (s.elapsedMs / 1000)).toLocaleString("en")} ops/s, ` +
      `${s.steps.toLocaleString("en")} search steps; generated in ${(genMs / 1000).toFixed(2)} s)\n`,
  );
  if (r.verdict !== "linearizable") {
    process.stdout.write(`  UNEXPECTED: ${r.verdict}\n`);
    process.exitCode = 1;
    return;
  }
  // plant a stale read on the busiest key, in the middle of the run
  const counts = new Map<string, number>();
  for (const o of h) counts.set(o.op.key, (counts.get(o.op.key) ?? 0) + 1);
  const busiest = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  const onKey = h.filter((o) => o.op.key === busiest && o.returnedAt !== null);
  const writes = onKey.filter((o) => o.op.type === "put");
  const old = writes[Math.floor(writes.length / 2)]!;
  const later = writes.filter((w) => w.invokedAt > old.returnedAt! + 1);
  const after = later[later.length > 3 ? 3 : 0]!;
  const t = after.returnedAt! + 1;
  const value = old.op.type === "put" ? old.op.value : "";
  const bad = [
    ...h,
    {
      clientId: "planted",
      op: { type: "get" as const, key: busiest },
      result: { type: "get" as const, value },
      invokedAt: t,
      returnedAt: t + 0.5,
    },
  ];
  const r2 = checkLinearizability(bad, { timeBudgetMs: 120_000 });
  process.stdout.write(
    `  + a planted stale read on ${busiest} (${counts.get(busiest)} ops): ${r2.verdict} in ` +
      `${(r2.stats.elapsedMs / 1000).toFixed(2)} s` +
      (r2.verdict === "not linearizable"
        ? `, slice of ${r2.slice.length} ops (${r2.minimal ? "1-minimal" : "shrink budget ran out"})\n`
        : "\n"),
  );
  if (r2.verdict !== "not linearizable") process.exitCode = 1;
}

process.stdout.write(
  `linearizability check, Node ${process.version}, ${operations.toLocaleString("en")} operations over ${keys} keys\n`,
);
run("uniform keys", undefined);
run("zipfian keys (s=0.99)", 0.99);

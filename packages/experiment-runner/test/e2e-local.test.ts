// End to end in local mode: real paxos-node processes on loopback (free ports chosen now),
// the load generator as its own process, a leader crash by SIGKILL and its restart; the same
// output format as sim mode, node logs kept, and nothing left running afterwards.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { liveChildren } from "../src/modes/processes.js";
import { cli, removeDir, tempDir, writeConfig } from "./helpers.js";

test("a short local experiment: real processes, a leader crash, checks pass, all torn down", async () => {
  const dir = tempDir();
  try {
    const file = writeConfig(dir, {
      name: "e2e-local",
      mode: "local",
      cluster: { acceptors: 3 },
      quorums: [{ kind: "flexible", phase1: 2, phase2: 2, label: "fp 2/2" }],
      network: { default: { latency: { dist: "constant", ms: 0.5 } } },
      // the workload's clients share one connection per replica: 4 over 3
      systems: [{ system: "paxos-lab", label: "fp 2/2", clientsShareConnections: true }],
      workload: {
        clients: { type: "closed", count: 4, outstanding: 1 },
        durationMs: 3000,
        warmupMs: 800,
        cooldownMs: 200,
      },
      faults: [
        { atMs: 1500, action: "crash", node: "@leader" },
        { atMs: 2200, action: "restart", node: "@leader" },
      ],
    });
    const out = join(dir, "results");
    const r = await cli(["run", file, "--out", out]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /fp 2\/2\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+\S+\s+\S+\s+(\d+)\/\1 ok/);
    assert.match(r.stdout, /wall-clock time/);
    const run = join(realpathSync(join(out, "latest")), "01-fp-2-2", "rep-0");
    const summary = JSON.parse(readFileSync(join(run, "summary.json"), "utf8"));
    assert.is(summary.mode, "local");
    assert.is(summary.time, "wall-clock");
    // how many operations fit in 3 s of wall clock depends on the machine (30 at load 29 on 2
    // cores): the test asks for progress, and that every one of them was checked
    assert.ok(summary.ops.completed > 0, `completed ${summary.ops.completed}`);
    assert.match(summary.faults[0].what, /crash n\d \(the leader\)/);
    assert.match(summary.faults[1].what, /restart n\d/);
    for (const name of ["agreement", "converged", "validity", "at-most-once", "linearizability"]) {
      assert.ok(summary.checks[name].passed, name);
    }
    // same files as sim mode, plus the logs
    for (const f of [
      "history.ndjson",
      "latency.csv",
      "throughput.csv",
      "events.json",
      "cluster.json",
      "checks.json",
    ]) {
      assert.ok(existsSync(join(run, f)), f);
    }
    const logs = readdirSync(join(run, "logs"));
    for (const f of ["n1.log", "n2.log", "n3.log", "loadgen.log"]) assert.ok(logs.includes(f), f);
    assert.match(readFileSync(join(run, "logs", "n1.log"), "utf8"), /node started/);
    assert.match(readFileSync(join(run, "logs", "loadgen.log"), "utf8"), /^CLIENTS 4 3$/m);
    assert.is(summary.extra.workload_clients, 4);
    assert.is(summary.extra.api_clients, 3, "4 workload clients over one client per replica");
    const ids = new Set(
      readFileSync(join(run, "history.ndjson"), "utf8")
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l).clientId),
    );
    assert.equal([...ids].sort(), ["c1:1", "c2:1", "c3:1", "c4:1"], "each under its own id");
    assert.not.ok(existsSync(join(run, "data")), "durable state is removed after the run");
    assert.is(liveChildren(), 0, "no child process left");
    // what the workload cost each side, per answered operation (the system's CPU from /proc)
    assert.ok(summary.extra.loadgen_cpu_us_per_op > 0, JSON.stringify(summary.extra));
    assert.ok(summary.extra.loadgen_busy > 0 && summary.extra.loadgen_busy <= 1);
    if (existsSync("/proc/self/stat")) assert.ok(summary.extra.system_cpu_us_per_op > 0);
    const csv = readFileSync(join(realpathSync(join(out, "latest")), "results.csv"), "utf8");
    assert.match(
      csv.split("\n")[0]!,
      /,cpu\.system_us_per_op,cpu\.loadgen_us_per_op,cpu\.loadgen_busy,/,
    );
    const ports: number[] = summary.extra.ports;
    assert.is(ports.length, 3);
    for (const port of ports) assert.ok(await portIsFree(port), `port ${port} was released`);
  } finally {
    removeDir(dir);
  }
});

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("Ctrl-C during a local run tears every process down and exits 130", async () => {
  const dir = tempDir();
  const cliPath = fileURLToPath(new URL("../src/cli.js", import.meta.url));
  const file = writeConfig(dir, {
    name: "interrupt",
    mode: "local",
    cluster: { acceptors: 3 },
    quorums: [{ kind: "majority" }],
    workload: { durationMs: 30000, warmupMs: 1000, cooldownMs: 100 },
  });
  const out = join(dir, "results");
  const child = spawn(process.execPath, [cliPath, "run", file, "--out", out], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    // wait until the load generator has started (the cluster is up), then interrupt: ready
    // when loadgen.log says START, failed when the run exits first; no clock involved
    let exitedEarly: number | null | undefined;
    child.on("close", (c) => {
      exitedEarly = c;
    });
    let clusterFile = "";
    while (exitedEarly === undefined) {
      await new Promise((r) => setTimeout(r, 200));
      const latest = join(out, "latest", "01-majority-n-3", "rep-0");
      if (
        existsSync(join(latest, "logs", "loadgen.log")) &&
        readFileSync(join(latest, "logs", "loadgen.log"), "utf8").includes("START")
      ) {
        clusterFile = join(latest, "cluster.json");
        break;
      }
    }
    assert.ok(clusterFile, `the run exited (${exitedEarly}) before the cluster started: ${stderr}`);
    const ports = (JSON.parse(readFileSync(clusterFile, "utf8")).nodes as { port: number }[]).map(
      (n) => n.port,
    );
    const pids = pidsMatching(dir);
    assert.is(pids.length, 4, "three nodes and the load generator");
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    assert.is(code, 130, stderr);
    for (const pid of pids) assert.not.ok(alive(pid), `node process ${pid} is gone`);
    for (const port of ports) assert.ok(await portIsFree(port), `port ${port} was released`);
  } finally {
    child.kill("SIGKILL");
    // if the test failed half-way, do not leave this test's processes behind
    for (const pid of pidsMatching(dir)) process.kill(pid, "SIGKILL");
    removeDir(dir);
  }
});

/** Processes whose command line mentions `text` (here: this test's temporary folder). */
function pidsMatching(text: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmd.includes(text) && !cmd.includes("/cli.js")) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

test.run();

// End to end in netns mode (root, ip, tc, nft; skipped without, saying why): a 3-node cluster
// whose nodes (and clients) are hosts with their own addresses commits, survives a SIGKILLed leader and its
// restart, passes every check, says in env.json who shaped which part of the links, and
// leaves no namespace or link behind; a SIGTERM in the middle of a run tears it all down too.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { netnsPath, netnsUnavailable } from "../src/netns/preflight.js";
import { cli, removeDir, tempDir, writeConfig } from "./helpers.js";

const skip = netnsUnavailable();
const env = { ...process.env, PATH: netnsPath() };

/** the namespaces and links a runner of pid `pid` made that the kernel still shows */
function leftovers(pid: number): string[] {
  const prefix = `pl${pid.toString(36)}-`;
  const lines = [
    ...execFileSync("ip", ["netns", "list"], { env }).toString().split("\n"),
    ...execFileSync("ip", ["-o", "link", "show"], { env }).toString().split("\n"),
  ];
  return lines.filter((l) => l.includes(prefix));
}

const config = (durationMs: number) => ({
  name: "e2e-netns",
  mode: "netns",
  cluster: { acceptors: 3 },
  quorums: [{ kind: "majority", label: "majority" }],
  network: { default: { latency: { dist: "constant", ms: 1 } }, uplinkMbps: 50 },
  workload: {
    clients: { type: "closed", count: 2, outstanding: 2 },
    durationMs,
    warmupMs: 500,
    cooldownMs: 200,
  },
  faults: [
    { atMs: 1000, action: "crash", node: "@leader" },
    { atMs: 1800, action: "restart", node: "@leader" },
  ],
});

if (skip !== undefined) {
  test(`netns end to end: skipped (${skip})`, () => undefined);
} else {
  test("a netns run: hosts commit, survive a killed leader, pass the checks, leave nothing", async () => {
    const dir = tempDir();
    try {
      const out = join(dir, "results");
      const r = await cli(["run", writeConfig(dir, config(2500)), "--out", out, "--no-report"]);
      assert.is(r.code, 0, r.stdout + r.stderr);
      const results = realpathSync(join(out, "latest"));
      const summary = JSON.parse(
        readFileSync(join(results, "01-majority", "rep-0", "summary.json"), "utf8"),
      );
      assert.is(summary.mode, "netns");
      assert.ok(summary.ops.completed > 0, `completed ${summary.ops.completed}`);
      assert.match(summary.faults[0].what, /crash n\d \(the leader\)/);
      assert.match(summary.faults[1].what, /restart n\d/);
      for (const name of ["agreement", "converged", "validity", "linearizability"]) {
        assert.ok(summary.checks[name].passed, name);
      }
      const hosts = summary.extra.netns.hosts as Record<string, { address: string }>;
      assert.equal(Object.keys(hosts).sort(), ["@clients", "n1", "n2", "n3"]);
      assert.is(new Set(Object.values(hosts).map((h) => h.address)).size, 4, "one address each");
      const file = JSON.parse(
        readFileSync(join(results, "01-majority", "rep-0", "cluster.json"), "utf8"),
      );
      assert.not.ok(
        file.nodes.some((n: { host: string }) => n.host.startsWith("127.")),
        "nothing on loopback",
      );
      const envJson = JSON.parse(readFileSync(join(results, "env.json"), "utf8"));
      assert.is(envJson.links_shaped_by.bandwidth, "kernel (htb)");
      assert.equal(leftovers(process.pid), []);
    } finally {
      removeDir(dir);
    }
  });

  test("a SIGTERM in the middle of a netns run tears everything down and exits 130", async () => {
    const dir = tempDir();
    try {
      const bin = join(fileURLToPath(new URL("../src/cli.js", import.meta.url)));
      const child = spawn(
        process.execPath,
        [bin, "run", writeConfig(dir, config(60_000)), "--out", join(dir, "r"), "--no-report"],
        { env, stdio: ["ignore", "ignore", "pipe"] },
      );
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      let done = false;
      void exited.then(() => {
        done = true;
      });
      // once the testbed is up (its namespaces exist), the signal
      const start = performance.now();
      while (leftovers(child.pid!).length < 3 && !done) {
        if (performance.now() - start > 120_000) throw new Error("the testbed never came up");
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.not.ok(done, `the run ended before the signal: ${stderr}`);
      child.kill("SIGTERM");
      assert.is(await exited, 130, stderr);
      assert.equal(leftovers(child.pid!), []);
    } finally {
      removeDir(dir);
    }
  });
}

test.run();

// The netns testbed against the kernel (root, ip, tc and nft; skipped without, saying why):
// a cut stops traffic between two hosts both ways and a heal restores it; an htb-shaped
// 10 Mbit/s uplink caps what a host sends within 10%; tear-down leaves no namespace, link or
// rule behind, also after the runner is SIGKILLed and `paxos-lab netns clean` runs.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Child, spawnChild, stopChild, waitForLine } from "../src/modes/processes.js";
import { netnsPath, netnsUnavailable } from "../src/netns/preflight.js";
import { Testbed } from "../src/netns/testbed.js";
import { cli, removeDir, tempDir } from "./helpers.js";

const skip = netnsUnavailable();
const HANG_MS = 60_000;
const here = fileURLToPath(new URL(".", import.meta.url));
const tools = join(here, "netns-tools.js");
const env = { ...process.env, PATH: netnsPath() };

function sh(argv: string[]): string {
  return execFileSync(argv[0]!, argv.slice(1), { env }).toString();
}

/** Everything of a testbed the kernel still shows (namespaces, links, nftables tables). */
function leftovers(prefix: string, table: string): string[] {
  return [
    ...sh(["ip", "netns", "list"]).split("\n"),
    ...sh(["ip", "-o", "link", "show"]).split("\n"),
    ...sh(["nft", "list", "tables"]).split("\n"),
  ].filter((l) => l.includes(prefix) || l.includes(table));
}

function tool(bed: Testbed, host: string, args: string[], dir: string, name: string): Child {
  const argv = bed.command(host, [process.execPath, tools, ...args]);
  return spawnChild(name, argv[0]!, argv.slice(1), join(dir, `${name}.log`), env);
}

/** One udp-send from `from` to `to`: "SENT" or "ERR <code>". */
async function udpSend(bed: Testbed, from: string, to: string, text: string, dir: string) {
  const c = tool(bed, from, ["udp-send", bed.host(to).address, "7101", text], dir, `send-${text}`);
  return waitForLine(c, /^(SENT|ERR)/, HANG_MS);
}

/** the packets host `id`'s input rule dropped so far */
function inputDrops(bed: Testbed, id: string): number {
  const out = sh(bed.command(id, ["nft", "list", "chain", "inet", bed.names.table, "input"]));
  return Number(/counter packets (\d+)/.exec(out)?.[1] ?? 0);
}

if (skip !== undefined) {
  test(`netns kernel tests: skipped (${skip})`, () => undefined);
} else {
  test("a kernel partition stops traffic between two hosts both ways; a heal restores it", async () => {
    const dir = tempDir("netns-cut-");
    const bed = await Testbed.create({ hosts: ["a", "b"] });
    const children: Child[] = [];
    try {
      const got = { a: [] as string[], b: [] as string[] };
      for (const h of ["a", "b"] as const) {
        const l = tool(bed, h, ["udp-listen", "7101"], dir, `listen-${h}`);
        children.push(l);
        l.onLine((line) => {
          if (line.startsWith("GOT ")) got[h].push(line.slice(4));
        });
        await waitForLine(l, /^READY/, HANG_MS);
      }
      const arrived = async (h: "a" | "b", text: string) => {
        const start = performance.now();
        while (!got[h].includes(text)) {
          if (performance.now() - start > HANG_MS) throw new Error(`${text} never reached ${h}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      assert.is(await udpSend(bed, "a", "b", "before", dir), "SENT");
      await arrived("b", "before");

      await bed.cut("a", ["b"]);
      // a -> b: the kernel refuses at once (a's output rule drops it)
      assert.is(await udpSend(bed, "a", "b", "cut-ab", dir), "ERR EPERM");
      // b -> a: it leaves b and a's input rule drops it: wait until the rule counted it
      const drops = inputDrops(bed, "a");
      assert.is(await udpSend(bed, "b", "a", "cut-ba", dir), "SENT");
      const start = performance.now();
      while (inputDrops(bed, "a") === drops) {
        if (performance.now() - start > HANG_MS) throw new Error("a's input rule dropped nothing");
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.not.ok(got.a.includes("cut-ba"), "a received b's datagram through the cut");

      await bed.heal("a");
      assert.is(await udpSend(bed, "a", "b", "healed-ab", dir), "SENT");
      assert.is(await udpSend(bed, "b", "a", "healed-ba", dir), "SENT");
      await arrived("b", "healed-ab");
      await arrived("a", "healed-ba");
    } finally {
      await Promise.all(children.map((c) => stopChild(c, 500)));
      await bed.destroy();
      removeDir(dir);
    }
    assert.equal(leftovers(bed.prefix, bed.names.table), [], "tear-down left something");
  });

  test("an htb-shaped 10 Mbit/s uplink caps a host's send rate within 10%", async () => {
    const dir = tempDir("netns-htb-");
    const bed = await Testbed.create({ hosts: ["a", "b"] });
    const children: Child[] = [];
    try {
      await bed.shape("a", { uplinkMbps: 10, default: {}, peers: [] });
      const sink = tool(bed, "b", ["tcp-sink", "7102"], dir, "sink");
      children.push(sink);
      await waitForLine(sink, /^READY/, HANG_MS);
      // what a's veth carries (the bridge side receives exactly what the host sends), from
      // the first MiB (past htb's initial burst) to the fourth
      const rx = `/sys/class/net/${bed.host("a").veth}/statistics/rx_bytes`;
      const samples: { bytes: number; ms: number }[] = [];
      sink.onLine((line) => {
        if (line === "MB 1" || line === "MB 4") {
          samples.push({ bytes: Number(readFileSync(rx, "utf8")), ms: performance.now() });
        }
      });
      children.push(
        tool(bed, "a", ["tcp-blast", bed.host("b").address, "7102", "5"], dir, "blast"),
      );
      await waitForLine(sink, /^MB 4$/, HANG_MS);
      const [first, last] = samples as [(typeof samples)[0], (typeof samples)[0]];
      const mbps = ((last.bytes - first.bytes) * 8) / ((last.ms - first.ms) * 1000);
      process.stdout.write(`  measured uplink: ${mbps.toFixed(2)} Mbit/s (htb rate 10)\n`);
      assert.ok(Math.abs(mbps - 10) <= 1, `measured ${mbps.toFixed(2)} Mbit/s, not 10 +- 10%`);
    } finally {
      await Promise.all(children.map((c) => stopChild(c, 500)));
      await bed.destroy();
      removeDir(dir);
    }
    assert.equal(leftovers(bed.prefix, bed.names.table), [], "tear-down left something");
  });

  test("after a SIGKILL of the runner, `paxos-lab netns clean` removes everything it made", async () => {
    const dir = tempDir("netns-kill-");
    try {
      const owner = spawnChild(
        "netns-owner",
        process.execPath,
        [join(here, "netns-owner.js")],
        join(dir, "owner.log"),
        env,
      );
      const line = await waitForLine(owner, /^PREFIX /, HANG_MS);
      const [, prefix, table] = line.split(" ") as [string, string, string];
      owner.process.kill("SIGKILL");
      await owner.exited;
      assert.ok(leftovers(prefix, table).length >= 5, "the killed runner left its testbed behind");
      const r = await cli(["netns", "clean"]);
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`removed netns ${prefix}n0`));
      assert.equal(leftovers(prefix, table), []);
    } finally {
      removeDir(dir);
    }
  });
}

test.run();

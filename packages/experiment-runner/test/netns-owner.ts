// A runner stand-in for the SIGKILL test: builds a testbed (two hosts, a shaped uplink, a cut,
// a process running in a host), prints PREFIX <prefix> <table>, and waits to be killed.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { netnsPath } from "../src/netns/preflight.js";
import { Testbed } from "../src/netns/testbed.js";

const bed = await Testbed.create({ hosts: ["a", "b"] });
await bed.shape("a", { uplinkMbps: 10, default: {}, peers: [] });
await bed.cut("a", ["b"]);
const tools = join(fileURLToPath(new URL(".", import.meta.url)), "netns-tools.js");
const argv = bed.command("a", [process.execPath, tools, "hold"]);
const child = spawn(argv[0]!, argv.slice(1), {
  stdio: ["ignore", "pipe", "ignore"],
  env: { ...process.env, PATH: netnsPath() },
});
child.stdout.once("data", () => process.stdout.write(`PREFIX ${bed.prefix} ${bed.names.table}\n`));
setInterval(() => undefined, 1 << 30);

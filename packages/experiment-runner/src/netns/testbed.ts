// A netns testbed: one Linux network namespace per host, each with its own IPv4 address on a
// private subnet and a veth pair to one bridge (the switch), as Mininet builds it. The runner
// starts node processes inside the hosts (`ip netns exec`), shapes their uplinks with htb (and
// netem where the kernel has it), and cuts and heals links with nftables inside the hosts.
//
// Everything it makes carries its prefix (names.ts) and is removed by `destroy()`; a testbed
// that is still up when the process exits (an error, Ctrl-C, SIGTERM, process.exit) is removed
// synchronously by an exit hook, and one left by a SIGKILLed runner by `paxos-lab netns clean`.

import {
  addressOf,
  DEFAULT_POOL,
  formatCidr,
  parseCidr,
  pickSubnet,
  type Subnet,
  subnetsIn,
} from "./addresses.js";
import { cutArgs, firewallScript, healArgs } from "./firewall.js";
import { DEFAULT_BASE, type TestbedNames, testbedNames } from "./names.js";
import { inNs, run, runSync, tryRun } from "./sh.js";
import { type EgressShape, egressPlan } from "./shaping.js";
import { removeState, writeState } from "./state.js";

/** The name of the host side of every veth inside its namespace. */
export const HOST_DEV = "eth0";

export interface TestbedOptions {
  /** the hosts, by node id, in order (host i gets the i-th address after the bridge's) */
  hosts: readonly string[];
  /** name base (1-4 characters, default "pl") */
  base?: string;
  /** the subnet to use as is, e.g. "10.213.7.0/24" */
  subnet?: string;
  /** where to pick a free /24 when no subnet is given (default 10.213.0.0/16) */
  pool?: string;
  /** the bridge's name (default <prefix>br) */
  bridge?: string;
}

export interface Host {
  readonly id: string;
  readonly index: number;
  readonly ns: string;
  readonly veth: string;
  readonly address: string;
}

/** What the kernel does on this testbed, for env.json and the report. */
export interface KernelFeatures {
  /** tc's netem qdisc exists: delay, jitter and loss can be the kernel's */
  netem: boolean;
}

const live = new Set<Testbed>();
let counter = 0;
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const t of live) t.destroySync();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    // Only when nobody else handles the signal: the CLI handles SIGINT/SIGTERM itself (it stops
    // the run, whose `finally` destroys the testbed). Otherwise the default action would kill
    // the process without running exit hooks, and leave the testbed behind.
    if (process.listenerCount(signal) > 0) continue;
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      for (const t of live) t.destroySync();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Testbeds of this process that are up (for tests: 0 after a run). */
export function liveTestbeds(): number {
  return live.size;
}

export class Testbed {
  readonly hosts = new Map<string, Host>();
  private destroyed = false;

  private constructor(
    readonly names: TestbedNames,
    readonly subnet: Subnet,
    readonly bridge: string,
    readonly bridgeAddress: string,
    readonly features: KernelFeatures,
  ) {}

  get prefix(): string {
    return this.names.prefix;
  }

  /** Builds the testbed; on any failure removes what it made and rethrows. */
  static async create(opts: TestbedOptions): Promise<Testbed> {
    const names = testbedNames(opts.base ?? DEFAULT_BASE, process.pid, counter++);
    let subnet: Subnet;
    if (opts.subnet !== undefined) subnet = parseCidr(opts.subnet);
    else {
      const used = subnetsIn(
        `${await run(["ip", "-o", "-4", "addr", "show"])}\n${await run(["ip", "-4", "route", "show", "table", "all"])}`,
      );
      subnet = pickSubnet(parseCidr(opts.pool ?? DEFAULT_POOL), used, process.pid * 7 + counter);
    }
    // the bridge is the testbed's first address; this also checks the subnet has room for all
    const bridgeAddress = addressOf(subnet, -1);
    addressOf(subnet, opts.hosts.length - 1);
    const t = new Testbed(names, subnet, opts.bridge ?? names.bridge, bridgeAddress, {
      netem: false,
    });
    hookExit();
    live.add(t);
    // what it is about to make, written first, so that `netns clean` finds all of it
    writeState({
      prefix: names.prefix,
      ownerPid: process.pid,
      namespaces: opts.hosts.map((_, i) => names.ns(i)),
      links: [t.bridge, ...opts.hosts.map((_, i) => names.veth(i))],
    });
    try {
      await t.build(opts.hosts);
    } catch (e) {
      await t.destroy();
      throw e;
    }
    return t;
  }

  private async build(ids: readonly string[]): Promise<void> {
    const { names, bridge, subnet } = this;
    await run(["ip", "link", "add", bridge, "type", "bridge"]);
    await run(["ip", "addr", "add", `${this.bridgeAddress}/${subnet.bits}`, "dev", bridge]);
    await run(["ip", "link", "set", bridge, "up"]);
    for (const [index, id] of ids.entries()) {
      const host: Host = {
        id,
        index,
        ns: names.ns(index),
        veth: names.veth(index),
        address: addressOf(subnet, index),
      };
      this.hosts.set(id, host);
      await run(["ip", "netns", "add", host.ns]);
      await run([
        "ip",
        "link",
        "add",
        host.veth,
        "type",
        "veth",
        "peer",
        "name",
        HOST_DEV,
        "netns",
        host.ns,
      ]);
      await run(["ip", "link", "set", host.veth, "master", bridge, "up"]);
      await run([
        "ip",
        "-n",
        host.ns,
        "addr",
        "add",
        `${host.address}/${subnet.bits}`,
        "dev",
        HOST_DEV,
      ]);
      await run(["ip", "-n", host.ns, "link", "set", HOST_DEV, "up"]);
      await run(["ip", "-n", host.ns, "link", "set", "lo", "up"]);
      await run(inNs(host.ns, ["nft", "-f", "-"]), firewallScript(names.table));
    }
    const first = this.hosts.values().next().value as Host | undefined;
    if (first !== undefined) {
      // netem is a module this kernel may not have: try it on the first host's loopback
      const probe = inNs(first.ns, [
        "tc",
        "qdisc",
        "add",
        "dev",
        "lo",
        "root",
        "netem",
        "delay",
        "1ms",
      ]);
      this.features.netem = await tryRun(probe);
      if (this.features.netem)
        await tryRun(inNs(first.ns, ["tc", "qdisc", "del", "dev", "lo", "root"]));
    }
  }

  host(id: string): Host {
    const h = this.hosts.get(id);
    if (h === undefined)
      throw new Error(`netns testbed ${this.prefix}: no host ${JSON.stringify(id)}`);
    return h;
  }

  /** argv that runs `argv` on host `id` */
  command(id: string, argv: readonly string[]): string[] {
    return inNs(this.host(id).ns, argv);
  }

  /** Replaces host `id`'s egress shaping (uplink rate, per-peer rates, netem where it exists). */
  async shape(id: string, shape: EgressShape): Promise<void> {
    const h = this.host(id);
    if (!this.features.netem && (shape.default.netem || shape.peers.some((p) => p.netem))) {
      throw new Error(
        `netns testbed ${this.prefix}: this kernel has no netem; delay and loss belong to the transport`,
      );
    }
    const plan = egressPlan(HOST_DEV, shape);
    await tryRun(inNs(h.ns, plan.reset));
    for (const argv of plan.apply) await run(inNs(h.ns, argv));
  }

  /** Drops every packet between host `id` and `peers` (both directions, on `id`'s side). */
  async cut(id: string, peers: readonly string[]): Promise<void> {
    if (peers.length === 0) return;
    const addresses = peers.map((p) => this.host(p).address);
    await run(inNs(this.host(id).ns, cutArgs(this.names.table, addresses)));
  }

  /** Restores every link of host `id`. */
  async heal(id: string): Promise<void> {
    await run(inNs(this.host(id).ns, healArgs(this.names.table)));
  }

  /** What this testbed made, for env.json. */
  describe(): Record<string, unknown> {
    return {
      prefix: this.prefix,
      bridge: this.bridge,
      subnet: formatCidr(this.subnet),
      bridgeAddress: this.bridgeAddress,
      hosts: Object.fromEntries(
        [...this.hosts.values()].map((h) => [h.id, { ns: h.ns, address: h.address }]),
      ),
      netem: this.features.netem,
    };
  }

  /** Kills what still runs in the hosts, removes links, bridge and namespaces. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    for (const h of this.hosts.values()) {
      const pids = await run(["ip", "netns", "pids", h.ns]).catch(() => "");
      for (const pid of pids.split(/\s+/).filter((p) => p !== "")) killQuietly(Number(pid));
      await tryRun(["ip", "link", "del", h.veth]);
      await tryRun(["ip", "netns", "del", h.ns]);
    }
    await tryRun(["ip", "link", "del", this.bridge]);
    removeState(this.prefix);
    this.destroyed = true;
    live.delete(this);
  }

  /** The same, synchronously (exit hooks). */
  destroySync(): void {
    if (this.destroyed) return;
    for (const h of this.hosts.values()) {
      for (const pid of (runSync(["ip", "netns", "pids", h.ns]) ?? "")
        .split(/\s+/)
        .filter((p) => p !== "")) {
        killQuietly(Number(pid));
      }
      runSync(["ip", "link", "del", h.veth]);
      runSync(["ip", "netns", "del", h.ns]);
    }
    runSync(["ip", "link", "del", this.bridge]);
    removeState(this.prefix);
    this.destroyed = true;
    live.delete(this);
  }
}

function killQuietly(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

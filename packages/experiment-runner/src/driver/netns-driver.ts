// netns mode's world, as Mininet builds one: every node a host in its own network namespace
// with its own address on a bridge (netns/testbed.ts), its process run inside it (`ip netns
// exec`), the cluster file listing the real addresses; rates shaped by htb on each host's veth,
// delay and loss by netem where the kernel has it (else by the transport), partitions by
// nftables inside the hosts (a restarted process finds its cuts still in force: the kernel
// keeps them). Tear-down removes every namespace, link and rule (the testbed's exit hook does
// it too when the runner dies of a signal; `paxos-lab netns clean` after a SIGKILL).

import type { ClusterFile, LinkSpec } from "@paxos/transport-ws";
import type { LinkSpec as ConfigLink } from "../config/types.js";
import { netnsPath } from "../netns/preflight.js";
import { Testbed } from "../netns/testbed.js";
import { clusterFileFor, effectiveLinks } from "./links.js";
import { egressOf, linkDivision, transportPart } from "./netns-shape.js";
import { ProcessDriver } from "./process-driver.js";

/** Every host has an address of its own, so every node listens on the same port. */
export const NODE_PORT = 7000;
/**
 * The clients' host: the load generator runs in a namespace of its own, with an uplink like
 * every node's, as the clients of a Mininet testbed are hosts too (a name no node id can have).
 */
export const CLIENT_HOST = "@clients";

export class NetnsDriver extends ProcessDriver {
  readonly mode = "netns" as const;
  private testbed: Testbed | undefined;
  private links = new Map<string, ConfigLink>();

  private get bed(): Testbed {
    if (this.testbed === undefined) throw new Error("the netns testbed is not built yet");
    return this.testbed;
  }

  protected async addresses(): Promise<{ host: string; port: number }[]> {
    const n = this.opts.config.netns;
    this.testbed = await Testbed.create({
      hosts: [...this.nodeIds, CLIENT_HOST],
      ...(n?.prefix === undefined ? {} : { base: n.prefix }),
      ...(n?.subnet === undefined ? {} : { subnet: n.subnet }),
      ...(n?.pool === undefined ? {} : { pool: n.pool }),
      ...(n?.bridge === undefined ? {} : { bridge: n.bridge }),
    });
    this.links = effectiveLinks(this.opts.config, this.opts.variant);
    for (const id of this.nodeIds) await this.reshape(id);
    // the clients' host: its uplink and the default link (no per-link rules: clients are not
    // in the config's links)
    const bed = this.bed;
    await bed.shape(
      CLIENT_HOST,
      egressOf(
        this.opts.config,
        CLIENT_HOST,
        new Map(),
        (p) => bed.host(p).address,
        bed.features.netem,
      ),
    );
    return this.nodeIds.map((id) => ({ host: this.bed.host(id).address, port: NODE_PORT }));
  }

  private async reshape(id: string): Promise<void> {
    const bed = this.bed;
    await bed.shape(
      id,
      egressOf(this.opts.config, id, this.links, (p) => bed.host(p).address, bed.features.netem),
    );
  }

  protected clusterFileFor(addresses: { host: string; port: number }[]): ClusterFile {
    const { config, variant, clusterId, secret } = this.opts;
    return clusterFileFor(config, variant, addresses, clusterId, secret, (l) => this.emulate(l));
  }

  protected override emulate(link: ConfigLink): LinkSpec {
    return transportPart(link, this.bed.features.netem);
  }

  protected override env(): NodeJS.ProcessEnv {
    return { ...super.env(), PATH: netnsPath() };
  }

  protected command(id: string, argv: string[]): string[] {
    return this.bed.command(id, argv);
  }

  override clientCommand(argv: string[]): string[] {
    return this.bed.command(CLIENT_HOST, argv);
  }

  protected async cutLinks(id: string, peers: readonly string[]): Promise<void> {
    await this.bed.cut(id, peers);
  }

  protected async healLinks(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.bed.heal(id);
  }

  /** the kernel keeps a host's cuts when its process restarts */
  protected override cutsToReapply(): string[] {
    return [];
  }

  override async setLink(from: string, to: string, link: ConfigLink): Promise<void> {
    const before = this.links.get(`${from}>${to}`);
    this.links.set(`${from}>${to}`, link);
    if (before?.bandwidthMbps !== link.bandwidthMbps || this.bed.features.netem) {
      await this.reshape(from);
    }
    await super.setLink(from, to, link);
  }

  override describe(): Record<string, unknown> {
    if (this.testbed === undefined) return {};
    return {
      netns: this.testbed.describe(),
      links_shaped_by: linkDivision(this.testbed.features.netem),
    };
  }

  protected override async teardown(): Promise<void> {
    await this.testbed?.destroy();
  }
}

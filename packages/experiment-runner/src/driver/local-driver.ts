// local mode's world: every node a process on this machine, on a free port of 127.0.0.1.
// Links (delay, jitter, loss, bandwidth) and partitions are the transport's own emulation,
// set through each node's control channel (a cut is told to both ends); a restarted node is
// told its cuts again.

import type { ClusterFile } from "@paxos/transport-ws";
import { freePorts } from "../modes/processes.js";
import { clusterFileFor } from "./links.js";
import { ProcessDriver } from "./process-driver.js";

export class LocalDriver extends ProcessDriver {
  readonly mode = "local" as const;

  protected async addresses(): Promise<{ host: string; port: number }[]> {
    const ports = await freePorts(this.nodeIds.length);
    return ports.map((port) => ({ host: "127.0.0.1", port }));
  }

  protected clusterFileFor(addresses: { host: string; port: number }[]): ClusterFile {
    const { config, variant, clusterId, secret } = this.opts;
    return clusterFileFor(config, variant, addresses, clusterId, secret);
  }

  protected command(_id: string, argv: string[]): string[] {
    return argv;
  }

  /** each node drops on its own side, so both ends are told */
  protected async cutLinks(id: string, peers: readonly string[]): Promise<void> {
    await Promise.all([
      this.tell(id, (c) => c.partition([...peers])),
      ...peers.map((p) => this.tell(p, (c) => c.partition([id]))),
    ]);
  }

  protected async healLinks(ids: readonly string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.tell(id, (c) => c.heal())));
  }
}

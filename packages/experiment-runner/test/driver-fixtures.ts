// The worlds of the shared driver suite: a 3-node cluster (every node acceptor, replica and
// leader; majority quorums) in the simulator, on loopback processes and in network namespaces.

import { join } from "node:path";
import { Simulation } from "@paxos/simulator";
import { connect, type PaxosClient } from "@paxos/transport-ws";
import { resolveConfig } from "../src/config/resolve.js";
import { LocalDriver } from "../src/driver/local-driver.js";
import { NetnsDriver } from "../src/driver/netns-driver.js";
import type { ProcessDriver, ProcessDriverOptions } from "../src/driver/process-driver.js";
import { SimDriver } from "../src/driver/sim-driver.js";
import { simNetwork } from "../src/driver/sim-links.js";
import type { DriverFixture } from "./driver-suite.js";
import { removeDir, tempDir } from "./helpers.js";

function experiment(mode: "sim" | "local" | "netns") {
  return resolveConfig({
    name: "driver-suite",
    mode,
    cluster: { acceptors: 3, replicas: 3, leaders: 3, colocated: true },
    quorums: [{ kind: "majority" }],
    network: { default: { latency: { dist: "constant", ms: 1 } } },
    workload: { clients: { type: "closed", count: 1, outstanding: 1 } },
  });
}

export async function simFixture(): Promise<DriverFixture> {
  const { config, variants } = experiment("sim");
  const v = variants[0]!;
  const network = simNetwork(config, v);
  const sim = new Simulation({
    nodes: [
      ...v.nodes.map((n) => ({ id: n.id, roles: n.roles })),
      ...v.clients.map((id) => ({ id, roles: ["client" as const] })),
    ],
    quorum: v.quorum,
    network: { link: network.link, overrides: network.overrides },
    seed: 7,
  });
  const driver = new SimDriver(
    sim,
    v.nodes.map((n) => n.id),
  );
  const client = v.clients[0]!;
  return {
    driver,
    put: async (key, value) => {
      const e = sim.submit(client, { type: "put", key, value });
      const giveUp = sim.now + 2_000;
      while (e.returnedAt === null && sim.now < giveUp) sim.runUntil(sim.now + 10);
      return e.returnedAt !== null;
    },
    pass: async (ms) => sim.runUntil(sim.now + ms),
    close: async () => undefined,
  };
}

export async function processFixture(mode: "local" | "netns"): Promise<DriverFixture> {
  const { config, variants } = experiment(mode);
  const dir = tempDir(`driver-${mode}-`);
  const opts: ProcessDriverOptions = {
    config,
    variant: variants[0]!,
    seed: 7,
    dir,
    clusterId: `suite-${process.pid}`,
    secret: "s".repeat(32),
  };
  const driver: ProcessDriver = mode === "local" ? new LocalDriver(opts) : new NetnsDriver(opts);
  let client: PaxosClient | undefined;
  return {
    driver,
    put: async (key, value) => {
      client ??= await connect(join(dir, "cluster.json"), {
        clientId: `suite-${process.pid}`,
        timeoutMs: 2_000,
        connectTimeoutMs: 5_000,
      });
      try {
        await client.execute({ type: "put", key, value });
        return true;
      } catch {
        return false;
      }
    },
    pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    close: async () => {
      await client?.close();
      await driver.stop();
      removeDir(dir);
    },
  };
}

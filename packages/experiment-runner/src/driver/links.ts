// The config's network for real processes: every directed link's settings (default, then
// sites, then per-link overrides), as the transport's link emulation spec, and the cluster file
// @paxos/transport-ws reads (addresses, quorum, roles, engine options, links).

import type { ClusterFile, LinkSpec } from "@paxos/transport-ws";
import type { Variant } from "../config/resolve.js";
import type { LinkSpec as ConfigLink, Latency, ResolvedConfig } from "../config/types.js";

/** The transport's link spec for a config link (their delay is base + a random part). */
export function transportLink(latency: Latency, l: Omit<ConfigLink, "latency">): LinkSpec {
  const jitter = l.jitterMs ?? 0;
  let spec: { delayMs?: number; jitterMs?: number; distribution?: LinkSpec["distribution"] };
  switch (latency.dist) {
    case "constant":
      spec =
        jitter > 0
          ? { delayMs: latency.ms, jitterMs: jitter, distribution: "uniform" }
          : { delayMs: latency.ms };
      break;
    case "uniform":
      spec = {
        delayMs: (latency.minMs + latency.maxMs) / 2,
        jitterMs: (latency.maxMs - latency.minMs) / 2 + jitter,
        distribution: "uniform",
      };
      break;
    case "normal":
      spec = { delayMs: latency.meanMs, jitterMs: latency.stddevMs, distribution: "normal" };
      break;
    case "exponential":
      spec = { delayMs: 0, jitterMs: latency.meanMs, distribution: "exponential" };
      break;
  }
  return {
    ...spec,
    ...(l.loss ? { lossRate: l.loss } : {}),
    ...(l.bandwidthMbps === undefined ? {} : { bandwidthBytesPerSec: l.bandwidthMbps * 125_000 }),
  };
}

/** Every directed node -> node link's config settings: default, then sites, then overrides. */
export function effectiveLinks(
  config: ResolvedConfig,
  variant: Variant,
  ids: readonly string[] = variant.nodes.map((n) => n.id),
): Map<string, ConfigLink> {
  const sites = config.network.sites;
  const out = new Map<string, ConfigLink>();
  for (const a of ids) {
    for (const b of ids) {
      if (a === b) continue;
      let link: ConfigLink = { ...config.network.default };
      const sa = variant.sites.get(a);
      const sb = variant.sites.get(b);
      if (sites && sa !== undefined && sb !== undefined) {
        const ms = sites.latencyMs[sites.names.indexOf(sa)]?.[sites.names.indexOf(sb)];
        if (ms !== undefined) {
          link = { ...link, latency: { dist: "constant", ms }, jitterMs: sites.jitterMs };
        }
      }
      for (const o of config.network.links) {
        if ((o.from === a && o.to === b) || (o.symmetric && o.from === b && o.to === a)) {
          const { from: _f, to: _t, symmetric: _s, ...settings } = o;
          link = { ...link, ...settings };
        }
      }
      out.set(`${a}>${b}`, link);
    }
  }
  return out;
}

export function specOf(link: ConfigLink): LinkSpec {
  return transportLink(link.latency ?? { dist: "constant", ms: 0 }, link);
}

export function clusterFileFor(
  config: ResolvedConfig,
  variant: Variant,
  addresses: readonly { host: string; port: number }[],
  clusterId: string,
  secret: string,
  /** what the transport's link emulation does of a link (netns: what the kernel does not) */
  emulate: (link: ConfigLink) => LinkSpec = specOf,
): ClusterFile {
  const links = effectiveLinks(config, variant);
  const defaultSpec = emulate(config.network.default);
  const rules: { from: string; to: string; spec: LinkSpec }[] = [];
  const defaultJson = JSON.stringify(defaultSpec);
  for (const [key, link] of links) {
    const spec = emulate(link);
    if (JSON.stringify(spec) === defaultJson) continue;
    const [from, to] = key.split(">") as [string, string];
    rules.push({ from, to, spec });
  }
  return {
    clusterId,
    secret,
    quorum: variant.spec,
    nodes: variant.nodes.map((n, i) => ({
      id: n.id,
      host: addresses[i]!.host,
      port: addresses[i]!.port,
      roles: n.roles,
    })),
    ...(Object.keys(config.engine.timing).length > 0 ? { timing: config.engine.timing } : {}),
    replica: {
      ...(config.engine.window === undefined ? {} : { window: config.engine.window }),
      ...(config.engine.maxBatch === undefined ? {} : { maxBatch: config.engine.maxBatch }),
    },
    leader: { thrifty: variant.thrifty },
    links: { default: defaultSpec, ...(rules.length > 0 ? { rules } : {}) },
    logLevel: "info",
    ...(variant.system.system.system === "paxos-lab" && variant.system.system.fsync === false
      ? { fsync: false }
      : {}),
    ...(variant.system.system.system === "paxos-lab" && variant.system.system.storage !== undefined
      ? { storage: variant.system.system.storage }
      : {}),
    ...(variant.system.system.system === "paxos-lab" &&
    variant.system.system.clientsFollowLeader === false
      ? { client: { followLeader: false } }
      : {}),
  };
}

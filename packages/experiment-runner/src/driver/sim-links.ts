// The config's links in the simulator's terms: latency distributions, jitter, loss, bandwidth,
// and the network spec of a variant (default link, sites, then explicit overrides).

import type { LatencySpec, LinkOverride, LinkSpec } from "@paxos/simulator";
import type { Variant } from "../config/resolve.js";
import type { LinkSpec as ConfigLink, Latency, ResolvedConfig } from "../config/types.js";

function latencyOf(l: Latency): LatencySpec {
  switch (l.dist) {
    case "constant":
      return { kind: "constant", ms: l.ms };
    case "uniform":
      return { kind: "uniform", minMs: l.minMs, maxMs: l.maxMs };
    case "normal":
      return { kind: "normal", meanMs: l.meanMs, stdDevMs: l.stddevMs };
    case "exponential":
      return { kind: "exponential", meanMs: l.meanMs };
  }
}

/** A config link as simulator settings (only what it sets). */
export function simLink(l: ConfigLink): Partial<LinkSpec> {
  return {
    ...(l.latency ? { latency: latencyOf(l.latency) } : {}),
    ...(l.jitterMs === undefined ? {} : { jitterMs: l.jitterMs }),
    ...(l.loss === undefined ? {} : { lossRate: l.loss }),
    ...(l.bandwidthMbps === undefined ? {} : { bandwidthBytesPerMs: bytesPerMs(l.bandwidthMbps) }),
    ...(l.duplicate === undefined ? {} : { duplicateRate: l.duplicate }),
    ...(l.reorder === undefined ? {} : { reorderRate: l.reorder }),
  };
}

/** Mbit/s as the simulator's bytes per ms. */
export const bytesPerMs = (mbps: number) => (mbps * 1_000_000) / 8 / 1000;

/** The simulator's network spec for a variant: default link, sites, then explicit overrides. */
export function simNetwork(
  config: ResolvedConfig,
  variant: Variant,
): { link: LinkSpec; overrides: LinkOverride[] } {
  const net = config.network;
  const link: LinkSpec = {
    latency: latencyOf(net.default.latency),
    jitterMs: net.default.jitterMs,
    lossRate: net.default.loss,
    ...(net.default.duplicate === undefined ? {} : { duplicateRate: net.default.duplicate }),
    ...(net.default.reorder === undefined ? {} : { reorderRate: net.default.reorder }),
    ...(net.default.bandwidthMbps === undefined
      ? {}
      : { bandwidthBytesPerMs: bytesPerMs(net.default.bandwidthMbps) }),
  };
  const overrides: LinkOverride[] = [];
  const sites = net.sites;
  if (sites) {
    const ids = [...variant.nodes.map((n) => n.id), ...variant.clients];
    for (const a of ids) {
      const sa = variant.sites.get(a);
      if (sa === undefined) continue;
      for (const b of ids) {
        const sb = variant.sites.get(b);
        if (a === b || sb === undefined) continue;
        const ms = sites.latencyMs[sites.names.indexOf(sa)]?.[sites.names.indexOf(sb)];
        if (ms === undefined) continue;
        overrides.push({
          from: a,
          to: b,
          latency: { kind: "constant", ms },
          jitterMs: sites.jitterMs,
        });
      }
    }
  }
  for (const l of net.links) {
    overrides.push({ from: l.from, to: l.to, bidirectional: l.symmetric, ...simLink(l) });
  }
  return { link, overrides };
}

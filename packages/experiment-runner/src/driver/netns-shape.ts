// What the kernel does of a netns run's links and what is left to the transport: rates
// (uplinkMbps, bandwidthMbps) are always the kernel's (htb on each host's veth); delay, jitter
// and loss are netem's where the kernel has it, else the transport's own link emulation. Pure.

import type { LinkSpec } from "@paxos/transport-ws";
import type { LinkSpec as ConfigLink, ResolvedConfig } from "../config/types.js";
import type { EgressShape, LinkShape, NetemSpec } from "../netns/shaping.js";
import { specOf } from "./links.js";

/** Who does what on the links of a netns run (env.json and the report say it). */
export interface LinkDivision {
  bandwidth: "kernel (htb)";
  delay: "kernel (netem)" | "transport link emulation";
  loss: "kernel (netem)" | "transport link emulation";
}

export function linkDivision(netem: boolean): LinkDivision {
  const where = netem ? "kernel (netem)" : "transport link emulation";
  return { bandwidth: "kernel (htb)", delay: where, loss: where };
}

/** The transport's part of a link: everything but the rate, or nothing when netem has it. */
export function transportPart(link: ConfigLink, netem: boolean): LinkSpec {
  if (netem) return {};
  const { bandwidthMbps: _rate, ...rest } = link;
  return specOf(rest);
}

/** netem's part of a link (delay, its random part, loss). */
function netemPart(link: ConfigLink): NetemSpec | undefined {
  const { bandwidthMbps: _rate, ...rest } = link;
  const t = specOf(rest);
  const spec: NetemSpec = {
    ...(t.delayMs ? { delayMs: t.delayMs } : {}),
    ...(t.jitterMs ? { jitterMs: t.jitterMs } : {}),
    ...(t.distribution === "normal" ? { distribution: "normal" as const } : {}),
    ...(t.lossRate ? { lossRate: t.lossRate } : {}),
  };
  return Object.keys(spec).length === 0 ? undefined : spec;
}

function shapeOf(link: ConfigLink, netem: boolean): LinkShape {
  const n = netem ? netemPart(link) : undefined;
  return {
    ...(link.bandwidthMbps === undefined ? {} : { rateMbps: link.bandwidthMbps }),
    ...(n === undefined ? {} : { netem: n }),
  };
}

/**
 * Host `id`'s egress: its uplink, the default link, and a class for every peer whose link
 * differs from the default (`links`: every directed link's settings, "a>b" keys).
 */
export function egressOf(
  config: ResolvedConfig,
  id: string,
  links: ReadonlyMap<string, ConfigLink>,
  addressOf: (id: string) => string,
  netem: boolean,
): EgressShape {
  const def = shapeOf(config.network.default, netem);
  const defJson = JSON.stringify(def);
  const peers: (LinkShape & { address: string })[] = [];
  for (const [key, link] of links) {
    const [from, to] = key.split(">") as [string, string];
    if (from !== id) continue;
    const s = shapeOf(link, netem);
    if (JSON.stringify(s) !== defJson) peers.push({ ...s, address: addressOf(to) });
  }
  return {
    ...(config.network.uplinkMbps === undefined ? {} : { uplinkMbps: config.network.uplinkMbps }),
    default: def,
    peers,
  };
}

// The egress shaping of one host (its namespace-side veth), as tc commands: an htb tree whose
// root class is the host's uplink, a default class for traffic to anyone without a link rule of
// its own, and one class per peer that has one (a per-link rate, or delay/loss of its own),
// picked by a u32 filter on the peer's address. Where the kernel has netem, each class gets a
// netem qdisc for delay, jitter and loss; where it has not, those stay with the transport's link
// emulation and only the rates are the kernel's.
//
// Pure: it returns argv lists for `ip netns exec <ns>`; the testbed runs them.

/** What netem does on a link (delay and its random part, loss). */
export interface NetemSpec {
  readonly delayMs?: number;
  readonly jitterMs?: number;
  /** netem's distribution tables; "uniform" is netem's default when jitter is set */
  readonly distribution?: "uniform" | "normal";
  readonly lossRate?: number;
}

export interface LinkShape {
  readonly rateMbps?: number;
  readonly netem?: NetemSpec;
}

export interface EgressShape {
  readonly uplinkMbps?: number;
  /** traffic to any peer not listed below */
  readonly default: LinkShape;
  readonly peers: readonly (LinkShape & { readonly address: string })[];
}

/** Without an uplink cap the tree still needs a root rate: more than a veth carries here. */
export const UNCAPPED_MBPS = 10_000;

const rate = (mbps: number) => `${Math.round(mbps * 1000)}kbit`;

/** netem's arguments for a spec, or undefined when it asks for nothing. */
export function netemArgs(n: NetemSpec | undefined): string[] | undefined {
  if (n === undefined) return undefined;
  const args: string[] = [];
  const delay = n.delayMs ?? 0;
  const jitter = n.jitterMs ?? 0;
  if (delay > 0 || jitter > 0) {
    args.push("delay", `${delay}ms`);
    if (jitter > 0) {
      args.push(`${jitter}ms`);
      if (n.distribution === "normal") args.push("distribution", "normal");
    }
  }
  if ((n.lossRate ?? 0) > 0) args.push("loss", `${(n.lossRate! * 100).toPrecision(6)}%`);
  return args.length === 0 ? undefined : args;
}

/** Does this shape need anything from the kernel (a rate below the uplink, or netem)? */
function needsClass(s: LinkShape): boolean {
  return s.rateMbps !== undefined || netemArgs(s.netem) !== undefined;
}

/**
 * The tc commands that put `shape` on `dev`, after removing whatever root qdisc was there
 * (the caller runs the first one ignoring "no qdisc" errors). Empty when nothing is shaped.
 */
export function egressPlan(
  dev: string,
  shape: EgressShape,
): { reset: string[]; apply: string[][] } {
  const reset = ["tc", "qdisc", "del", "dev", dev, "root"];
  const peers = shape.peers.filter(needsClass);
  if (shape.uplinkMbps === undefined && !needsClass(shape.default) && peers.length === 0) {
    return { reset, apply: [] };
  }
  const uplink = shape.uplinkMbps ?? UNCAPPED_MBPS;
  const cap = (mbps: number | undefined) => Math.min(mbps ?? uplink, uplink);
  const tc = (...args: string[]) => ["tc", ...args];
  const apply: string[][] = [
    tc("qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10"),
    tc(
      "class",
      "add",
      "dev",
      dev,
      "parent",
      "1:",
      "classid",
      "1:1",
      "htb",
      "rate",
      rate(uplink),
      "ceil",
      rate(uplink),
    ),
  ];
  const leaf = (minor: number, s: LinkShape) => {
    const r = rate(cap(s.rateMbps));
    apply.push(
      tc(
        "class",
        "add",
        "dev",
        dev,
        "parent",
        "1:1",
        "classid",
        `1:${minor}`,
        "htb",
        "rate",
        r,
        "ceil",
        r,
      ),
    );
    const netem = netemArgs(s.netem);
    if (netem !== undefined) {
      apply.push(
        tc(
          "qdisc",
          "add",
          "dev",
          dev,
          "parent",
          `1:${minor}`,
          "handle",
          `${minor}:`,
          "netem",
          ...netem,
        ),
      );
    }
  };
  leaf(10, shape.default);
  peers.forEach((p, i) => {
    const minor = 100 + i;
    leaf(minor, p);
    apply.push(
      tc(
        "filter",
        "add",
        "dev",
        dev,
        "parent",
        "1:",
        "protocol",
        "ip",
        "prio",
        "1",
        "u32",
        "match",
        "ip",
        "dst",
        `${p.address}/32`,
        "flowid",
        `1:${minor}`,
      ),
    );
  });
  return { reset, apply };
}

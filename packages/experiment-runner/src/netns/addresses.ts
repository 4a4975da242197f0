// The testbed's private IPv4 subnet: the bridge takes the first address (the runner reaches the
// nodes' control channels through it, like a management network), hosts the ones after it.
// Without an explicit subnet a free /24 is picked from a pool, starting at a place that depends
// on the runner's pid and the testbed number, skipping every /24 this machine already uses.

export const DEFAULT_POOL = "10.213.0.0/16";

export interface Subnet {
  /** network address as a 32-bit number */
  readonly base: number;
  readonly bits: number;
}

/** A subnet a testbed can use: /8 to /29 (room for the bridge and at least a few hosts). */
export function parseCidr(text: string): Subnet {
  const s = readCidr(text);
  if (s === undefined || s.bits < 8 || s.bits > 29) {
    throw new Error(
      `netns subnet ${JSON.stringify(text)}: expected an IPv4 CIDR like 10.213.0.0/24 (/8 to /29)`,
    );
  }
  return s;
}

/** Any IPv4 CIDR (a bare address is a /32), or undefined when `text` is none. */
function readCidr(text: string): Subnet | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return { base: value - (value % size), bits };
}

export function formatIp(value: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256).join(".");
}

export function formatCidr(s: Subnet): string {
  return `${formatIp(s.base)}/${s.bits}`;
}

/** usable host addresses (network and broadcast excluded) */
export function capacity(s: Subnet): number {
  return 2 ** (32 - s.bits) - 2;
}

/** the bridge's address (index -1) or host i's (0, 1, ...) */
export function addressOf(s: Subnet, host: number): string {
  if (host + 2 > capacity(s)) {
    throw new Error(
      `netns subnet ${formatCidr(s)} has room for ${capacity(s) - 1} hosts, not ${host + 1}`,
    );
  }
  return formatIp(s.base + host + 2);
}

/** Does `a` overlap `b`? */
export function overlaps(a: Subnet, b: Subnet): boolean {
  const aEnd = a.base + 2 ** (32 - a.bits);
  const bEnd = b.base + 2 ** (32 - b.bits);
  return a.base < bEnd && b.base < aEnd;
}

/**
 * A /24 of `pool` that overlaps none of `used` (the machine's addresses and routes), trying the
 * /24s in turn from `start`. Throws when the pool is full.
 */
export function pickSubnet(pool: Subnet, used: readonly Subnet[], start: number): Subnet {
  const count = pool.bits >= 24 ? 1 : 2 ** (24 - pool.bits);
  for (let k = 0; k < count; k++) {
    const candidate: Subnet = {
      base: pool.base + ((start + k) % count) * 256,
      bits: Math.max(24, pool.bits),
    };
    if (!used.some((u) => overlaps(candidate, u))) return candidate;
  }
  throw new Error(
    `netns: no free subnet left in ${formatCidr(pool)}; set another in the config's netns.pool or netns.subnet`,
  );
}

/** Subnets in `ip -o -4 addr` / `ip -4 route` output ("10.0.0.1/24", "10.1.0.0/16", "default"). */
export function subnetsIn(text: string): Subnet[] {
  const out: Subnet[] = [];
  for (const m of text.matchAll(/\b(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?\b/g)) {
    const s = readCidr(m[2] === undefined ? m[1]! : `${m[1]}/${m[2]}`);
    if (s !== undefined) out.push(s);
  }
  return out;
}

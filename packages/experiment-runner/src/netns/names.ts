// Every kernel object a testbed makes carries its run prefix, so that two runs at once never
// collide and `paxos-lab netns clean` can tell ours from anything else on the machine.
//
//   prefix  = <base><runner pid, base 36>-<testbed number>     e.g. "pl1k3f-0"
//   bridge  = <prefix>br          host-side veth = <prefix>h<i>      namespace = <prefix>n<i>
//   nftables table (inside each namespace) = <base>_<pid36>_<n>
//
// Interface names are at most 15 bytes (IFNAMSIZ - 1), which bounds the base to 4 characters.

export const DEFAULT_BASE = "pl";
const BASE_PATTERN = /^[a-z][a-z0-9]{0,3}$/;
const IFNAMSIZ = 15;

export interface TestbedNames {
  readonly base: string;
  readonly prefix: string;
  /** the pid of the runner that owns it (clean leaves a live owner's testbed alone) */
  readonly ownerPid: number;
  readonly bridge: string;
  readonly table: string;
  veth(i: number): string;
  ns(i: number): string;
}

export function checkBase(base: string): void {
  if (!BASE_PATTERN.test(base)) {
    throw new Error(
      `netns prefix ${JSON.stringify(base)}: 1 to 4 lowercase letters or digits, starting with a letter`,
    );
  }
}

export function testbedNames(base: string, ownerPid: number, index: number): TestbedNames {
  checkBase(base);
  const prefix = `${base}${ownerPid.toString(36)}-${index}`;
  const names: TestbedNames = {
    base,
    prefix,
    ownerPid,
    bridge: `${prefix}br`,
    table: `${base}_${ownerPid.toString(36)}_${index}`,
    veth: (i) => `${prefix}h${i}`,
    ns: (i) => `${prefix}n${i}`,
  };
  if (names.veth(999).length > IFNAMSIZ) {
    throw new Error(`netns prefix ${JSON.stringify(prefix)} leaves no room in a 15-byte link name`);
  }
  return names;
}

/** The owner and prefix of a name one of our testbeds made, or undefined for anything else. */
export function parseName(
  base: string,
  name: string,
): { ownerPid: number; prefix: string } | undefined {
  const m = new RegExp(`^${base}([0-9a-z]+)-(\\d+)(br|h\\d+|n\\d+)$`).exec(name);
  if (!m) return undefined;
  const ownerPid = Number.parseInt(m[1]!, 36);
  if (!Number.isSafeInteger(ownerPid) || ownerPid <= 0) return undefined;
  return { ownerPid, prefix: `${base}${m[1]}-${m[2]}` };
}

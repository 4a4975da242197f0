// What a netns run needs from the machine, checked before anything is started: root (network
// namespaces, veth, bridges, qdiscs and nftables all need CAP_NET_ADMIN), and the `ip`, `tc`
// and `nft` commands. The answer is one line that says what is missing and how to run instead.

import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Is `command` an executable on PATH (or /sbin, /usr/sbin, which sudo-less PATHs may lack)? */
export function onPath(command: string): boolean {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** Where the tools live once found, so a PATH without /usr/sbin still works. */
export function netnsPath(): string {
  const path = process.env.PATH ?? "";
  const extra = ["/usr/sbin", "/sbin"].filter((d) => !path.split(delimiter).includes(d));
  return [path, ...extra].filter((p) => p !== "").join(delimiter);
}

/**
 * Why this process cannot run a netns testbed, or undefined when it can. `uid` and `has` are
 * parameters so the message can be tested without changing the machine.
 */
export function netnsUnavailable(
  uid: number | undefined = process.getuid?.(),
  has: (command: string) => boolean = onPath,
): string | undefined {
  const instead = "run as root (e.g. sudo), or use --mode local";
  if (uid !== 0) return `netns mode needs root (network namespaces, veth, tc, nft); ${instead}`;
  const missing = ["ip", "tc", "nft"].filter((c) => !has(c));
  if (missing.length > 0) {
    const pkgs = missing.map((c) => (c === "nft" ? "nftables" : "iproute2"));
    return (
      `netns mode needs ${missing.map((c) => `\`${c}\``).join(", ")}, not found on PATH ` +
      `(install ${[...new Set(pkgs)].join(" and ")}); or use --mode local`
    );
  }
  return undefined;
}

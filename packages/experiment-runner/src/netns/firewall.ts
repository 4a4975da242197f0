// Partitions by the kernel: a table in each host's namespace with a set of cut peers and two
// rules that drop every packet to or from them. Dropping (not rejecting) is what a cut cable
// does: nothing comes back, so open connections stall until their own timeouts give up.
// The runner's control channel comes from the bridge's address, which is never cut. The rules
// count what they drop (`nft list table`), so a test can see a cut at work.

/** The nft script that creates the (empty) table of a host. */
export function firewallScript(table: string): string {
  return [
    `table inet ${table} {`,
    "  set cut { type ipv4_addr; }",
    "  chain input { type filter hook input priority 0; policy accept; ip saddr @cut counter drop; }",
    "  chain output { type filter hook output priority 0; policy accept; ip daddr @cut counter drop; }",
    "}",
    "",
  ].join("\n");
}

/** argv that cuts this host off from `addresses`. */
export function cutArgs(table: string, addresses: readonly string[]): string[] {
  return ["nft", "add", "element", "inet", table, "cut", `{ ${addresses.join(", ")} }`];
}

/** argv that restores every link of this host. */
export function healArgs(table: string): string[] {
  return ["nft", "flush", "set", "inet", table, "cut"];
}

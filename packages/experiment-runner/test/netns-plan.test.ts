// The netns testbed's pure parts: names that fit the kernel and parse back, subnets that avoid
// what the machine uses, the tc plan of a host's uplink, netem arguments, the preflight line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  addressOf,
  formatCidr,
  overlaps,
  parseCidr,
  pickSubnet,
  subnetsIn,
} from "../src/netns/addresses.js";
import { cutArgs, firewallScript, healArgs } from "../src/netns/firewall.js";
import { parseName, testbedNames } from "../src/netns/names.js";
import { netnsUnavailable } from "../src/netns/preflight.js";
import { egressPlan, netemArgs } from "../src/netns/shaping.js";

test("names carry the run prefix, fit in 15 bytes and parse back to their owner", () => {
  const n = testbedNames("pl", 4_194_304, 3);
  for (const name of [n.bridge, n.veth(0), n.veth(99), n.ns(7)]) {
    assert.ok(name.length <= 15, name);
    assert.equal(parseName("pl", name), { ownerPid: 4_194_304, prefix: n.prefix });
  }
  assert.is(parseName("pl", "eth0"), undefined);
  assert.is(parseName("pl", "docker0"), undefined);
  assert.is(parseName("px", n.bridge), undefined, "another base is not ours");
  assert.throws(() => testbedNames("Bad-", 1, 0), /1 to 4 lowercase/);
  assert.not.equal(testbedNames("pl", 10, 0).prefix, testbedNames("pl", 10, 1).prefix);
});

test("subnets: hosts after the bridge, the pool skips what is in use, bad input is named", () => {
  const s = parseCidr("10.213.7.0/24");
  assert.is(addressOf(s, -1), "10.213.7.1");
  assert.is(addressOf(s, 0), "10.213.7.2");
  assert.throws(() => addressOf(parseCidr("10.0.0.0/29"), 6), /room for 5 hosts/);
  assert.throws(() => parseCidr("10.0.0.300/24"), /expected an IPv4 CIDR/);
  assert.throws(() => parseCidr("10.0.0.0/30"), /expected an IPv4 CIDR/);
  const used = subnetsIn(
    "2: eth0    inet 10.213.0.5/24 brd 10.213.0.255 scope global eth0\n10.213.1.0/24 dev x\ndefault via 1.2.3.4",
  );
  const picked = pickSubnet(parseCidr("10.213.0.0/16"), used, 0);
  assert.is(formatCidr(picked), "10.213.2.0/24");
  assert.not.ok(used.some((u) => overlaps(u, picked)));
  assert.throws(
    () => pickSubnet(parseCidr("10.213.0.0/24"), [parseCidr("10.0.0.0/8")], 0),
    /no free subnet/,
  );
});

test("the uplink plan: an htb root at the uplink rate, a class per peer with its own link", () => {
  const none = egressPlan("eth0", { default: {}, peers: [] });
  assert.equal(none.apply, [], "nothing shaped, nothing added");
  const p = egressPlan("eth0", {
    uplinkMbps: 10,
    default: {},
    peers: [
      { address: "10.0.0.3", rateMbps: 2 },
      { address: "10.0.0.4" },
      { address: "10.0.0.5", rateMbps: 50 },
    ],
  });
  const lines = p.apply.map((a) => a.join(" "));
  assert.ok(lines[0]!.includes("root handle 1: htb default 10"), lines[0]);
  assert.ok(lines.some((l) => l.includes("classid 1:1 htb rate 10000kbit ceil 10000kbit")));
  assert.ok(lines.some((l) => l.includes("classid 1:100 htb rate 2000kbit")));
  assert.ok(
    lines.some((l) => l.includes("classid 1:101 htb rate 10000kbit")),
    "a per-link rate above the uplink is capped by it",
  );
  assert.ok(lines.some((l) => l.includes("match ip dst 10.0.0.3/32 flowid 1:100")));
  assert.not.ok(
    lines.some((l) => l.includes("10.0.0.4")),
    "a peer with nothing of its own",
  );
  assert.equal(p.reset, ["tc", "qdisc", "del", "dev", "eth0", "root"]);
});

test("netem arguments: delay, jitter with its distribution, loss in percent", () => {
  assert.is(netemArgs({}), undefined);
  assert.equal(netemArgs({ delayMs: 5, jitterMs: 0.5, distribution: "normal", lossRate: 0.01 }), [
    "delay",
    "5ms",
    "0.5ms",
    "distribution",
    "normal",
    "loss",
    "1.00000%",
  ]);
  const p = egressPlan("eth0", { default: { netem: { delayMs: 5 } }, peers: [] });
  assert.ok(p.apply.some((a) => a.join(" ").endsWith("parent 1:10 handle 10: netem delay 5ms")));
});

test("partitions: a set of cut peers dropped both ways; heal empties it", () => {
  const script = firewallScript("pl_x_0");
  assert.match(script, /ip saddr @cut counter drop/);
  assert.match(script, /ip daddr @cut counter drop/);
  assert.equal(cutArgs("pl_x_0", ["10.0.0.2", "10.0.0.3"]).slice(-1), ["{ 10.0.0.2, 10.0.0.3 }"]);
  assert.equal(healArgs("pl_x_0"), ["nft", "flush", "set", "inet", "pl_x_0", "cut"]);
});

test("preflight: one line that says what is missing and how to run instead", () => {
  assert.is(
    netnsUnavailable(0, () => true),
    undefined,
  );
  assert.match(netnsUnavailable(1000, () => true)!, /needs root.*--mode local/);
  const line = netnsUnavailable(0, (c) => c !== "nft")!;
  assert.match(line, /`nft`.*install nftables.*--mode local/);
  assert.not.match(line, /\n/);
});

test.run();

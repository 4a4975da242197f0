import { test } from "uvu";
import * as assert from "uvu/assert";
import { estimateWireBytes } from "../src/message-size.js";
import { Network, type NetworkSpec } from "../src/network.js";
import { SimRng } from "../src/rng.js";

const ids = ["a", "b", "c", "d"];
const net = (spec?: NetworkSpec, seed = 1) => new Network(ids, spec, SimRng.fromSeed(seed));

function fates(n: Network, from: string, to: string, count: number) {
  let lost = 0;
  let duplicated = 0;
  const delays: number[] = [];
  for (let i = 0; i < count; i++) {
    const copies = n.route(n.indexOf(from), n.indexOf(to));
    if (copies === 0) lost++;
    if (copies === 2) duplicated++;
    for (let c = 0; c < copies; c++) delays.push(n.delays[c]!);
  }
  return { lost, duplicated, delays };
}

test("a default network delivers every message once after 1 ms", () => {
  const f = fates(net(), "a", "b", 1000);
  assert.is(f.lost, 0);
  assert.is(f.duplicated, 0);
  assert.ok(f.delays.every((d) => d === 1));
});

test("a link with a bandwidth cap sends one message at a time: later ones queue", () => {
  const n = net({ link: { latency: { kind: "constant", ms: 2 }, bandwidthBytesPerMs: 10 } });
  const m = { type: "p1a", ballot: { round: 1, leader: "a" }, fromSlot: 0 } as const;
  const bytes = estimateWireBytes(m);
  const delays: number[] = [];
  for (let i = 0; i < 3; i++) {
    n.route(0, 1, 5, m);
    delays.push(n.delays[0]!);
  }
  assert.equal(
    delays,
    [1, 2, 3].map((k) => 2 + (k * bytes) / 10),
    "each waits for those ahead of it to be sent",
  );
  n.route(0, 2, 5, m);
  assert.is(n.delays[0], 2 + bytes / 10, "other links have their own queue");
  n.route(0, 1, 1_000, m);
  assert.is(n.delays[0], 2 + bytes / 10, "an idle link sends at once");
});

test("a node's uplink is shared by all its links: a broadcast leaves one message at a time", () => {
  const n = net({ link: { latency: { kind: "constant", ms: 2 } }, uplinkBytesPerMs: { a: 10 } });
  const m = { type: "p1a", ballot: { round: 1, leader: "a" }, fromSlot: 0 } as const;
  const bytes = estimateWireBytes(m);
  const delays: number[] = [];
  for (const to of ["b", "c", "d"]) {
    n.route(n.indexOf("a"), n.indexOf(to), 0, m);
    delays.push(n.delays[0]!);
  }
  assert.equal(
    delays,
    [1, 2, 3].map((k) => 2 + (k * bytes) / 10),
  );
  n.route(n.indexOf("b"), n.indexOf("a"), 0, m);
  assert.is(n.delays[0], 2, "b has no uplink cap");
  assert.throws(
    () => net({ link: { latency: { kind: "constant", ms: 1 } }, uplinkBytesPerMs: { z: 1 } }),
    /unknown node "z"/,
  );
  assert.throws(
    () => net({ link: { latency: { kind: "constant", ms: 1 } }, uplinkBytesPerMs: -1 }),
    /uplinkBytesPerMs must be a number >= 0/,
  );
});

test("loss and duplication happen at their configured rates", () => {
  const n = net({
    link: { latency: { kind: "constant", ms: 2 }, lossRate: 0.3, duplicateRate: 0.2 },
  });
  const count = 20_000;
  const f = fates(n, "a", "b", count);
  assert.ok(Math.abs(f.lost / count - 0.3) < 0.015, `loss ${f.lost / count}`);
  // duplication applies to messages that were not lost
  assert.ok(Math.abs(f.duplicated / (count - f.lost) - 0.2) < 0.015, `dup ${f.duplicated}`);
  assert.is(f.delays.length, count - f.lost + f.duplicated);
});

test("reordering adds an extra delay in [0, reorderDelayMs) to that share of messages", () => {
  const n = net({
    link: { latency: { kind: "constant", ms: 1 }, reorderRate: 0.25, reorderDelayMs: 8 },
  });
  const f = fates(n, "a", "b", 20_000);
  const late = f.delays.filter((d) => d > 1);
  assert.ok(f.delays.every((d) => d >= 1 && d < 9));
  assert.ok(Math.abs(late.length / 20_000 - 0.25) < 0.015, `reordered ${late.length}`);
});

test("per-link overrides, one-way or both ways, on top of the default", () => {
  const n = net({
    link: { latency: { kind: "constant", ms: 1 } },
    overrides: [{ from: "a", to: "b", latency: { kind: "constant", ms: 50 }, bidirectional: true }],
  });
  n.setLink("c", "d", { lossRate: 1 });
  assert.ok(fates(n, "a", "b", 10).delays.every((d) => d === 50));
  assert.ok(fates(n, "b", "a", 10).delays.every((d) => d === 50));
  assert.ok(fates(n, "a", "c", 10).delays.every((d) => d === 1));
  assert.is(fates(n, "c", "d", 10).lost, 10);
  assert.is(fates(n, "d", "c", 10).lost, 0);
  // changing the default keeps overrides on top
  n.setDefaultLink({ latency: { kind: "constant", ms: 7 } });
  assert.ok(fates(n, "a", "c", 10).delays.every((d) => d === 7));
  assert.ok(fates(n, "a", "b", 10).delays.every((d) => d === 50));
  assert.is(fates(n, "c", "d", 10).lost, 10);
  assert.equal(n.link("c", "d").latency, { kind: "constant", ms: 7 });
});

test("partition: groups cannot talk across, both ways; unlisted nodes keep every link", () => {
  const n = net();
  n.partition([["a", "b"], ["c"]]);
  assert.ok(n.partitioned);
  assert.not.ok(n.isBlocked("a", "b"));
  assert.ok(n.isBlocked("a", "c") && n.isBlocked("c", "a") && n.isBlocked("b", "c"));
  for (const x of ["a", "b", "c"]) assert.ok(!n.isBlocked("d", x) && !n.isBlocked(x, "d"));
  assert.is(fates(n, "a", "c", 5).lost, 5);
  assert.is(fates(n, "a", "b", 5).lost, 0);
  n.heal();
  assert.not.ok(n.partitioned);
  assert.not.ok(n.isBlocked("a", "c"));
  assert.throws(() => n.partition([["a"], ["a", "b"]]), /"a" is in two groups/);
  assert.throws(() => n.partition([["a"], ["zz"]]), /unknown node "zz"/);
});

test("isolate cuts every link of one node; cuts accumulate until heal; one-way blocks", () => {
  const n = net();
  n.isolate("b");
  for (const x of ["a", "c", "d"]) assert.ok(n.isBlocked("b", x) && n.isBlocked(x, "b"));
  assert.not.ok(n.isBlocked("a", "c"));
  n.partition([["a"], ["c"]]);
  assert.ok(n.isBlocked("a", "c") && n.isBlocked("b", "a"));
  n.heal();
  n.block("a", "d");
  assert.ok(n.isBlocked("a", "d"));
  assert.not.ok(n.isBlocked("d", "a"));
  n.unblock("a", "d");
  assert.not.ok(n.partitioned);
});

test("bad settings are refused with the field named", () => {
  assert.throws(
    () => net({ link: { latency: { kind: "constant", ms: 1 }, lossRate: 1.5 } }),
    /network\.link\.lossRate must be a probability/,
  );
  assert.throws(
    () => net({ link: { latency: { kind: "uniform", minMs: 3, maxMs: 1 } } }),
    /network\.link\.latency: maxMs/,
  );
  assert.throws(
    () =>
      net({
        link: { latency: { kind: "constant", ms: 1 } },
        overrides: [{ from: "a", to: "b", duplicateRate: -1 }],
      }),
    /network\.overrides\[0\]\.duplicateRate/,
  );
  assert.throws(
    () => net({ link: { latency: { kind: "constant", ms: 1 }, lossrate: 0.1 } as never }),
    /unknown link setting "lossrate"/,
  );
  assert.throws(() => new Network(["a", "a"], undefined, SimRng.fromSeed(1)), /duplicate node id/);
});

test("the same seed gives the same fates", () => {
  const spec: NetworkSpec = {
    link: {
      latency: { kind: "exponential", meanMs: 3 },
      jitterMs: 1,
      lossRate: 0.1,
      duplicateRate: 0.1,
      reorderRate: 0.1,
    },
  };
  assert.equal(fates(net(spec, 5), "a", "b", 500), fates(net(spec, 5), "a", "b", 500));
  assert.not.equal(fates(net(spec, 5), "a", "b", 500), fates(net(spec, 6), "a", "b", 500));
});

test.run();

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  ClusterFileError,
  initialLinkSpec,
  loadCluster,
  nodeUrl,
  parseCluster,
} from "../src/cluster-file.js";

const configs = new URL("../../../../configs/", import.meta.url).pathname;
const SECRET = "0123456789abcdef-secret";

function base(): Record<string, unknown> {
  return {
    clusterId: "t",
    secret: SECRET,
    quorum: { kind: "majority" },
    nodes: [
      { id: "n1", host: "127.0.0.1", port: 7001, roles: ["replica", "leader", "acceptor"] },
      { id: "n2", host: "127.0.0.1", port: 7002, roles: ["replica", "leader", "acceptor"] },
      { id: "n3", host: "127.0.0.1", port: 7003, roles: ["replica", "leader", "acceptor"] },
    ],
  };
}

/** The ClusterFileError message for a document, or fails. */
function errorOf(doc: unknown, env: Record<string, string> = {}): string {
  try {
    parseCluster(doc, { env });
  } catch (error) {
    assert.instance(error, ClusterFileError);
    return (error as Error).message;
  }
  assert.unreachable("expected a ClusterFileError");
  return "";
}

test("the example cluster files are valid", () => {
  const three = loadCluster(join(configs, "cluster-3.json"), { env: {} });
  assert.equal(three.layout.replicas, ["n1", "n2", "n3"]);
  assert.is(three.layout.quorum.describe(), "majority(n=3, quorum=2)");
  const five = loadCluster(join(configs, "cluster-5-flexible.json"), { env: {} });
  assert.equal(five.layout.leaders, ["r1", "r2"]);
  assert.equal(five.layout.quorum.acceptors, ["a1", "a2", "a3", "a4", "a5"]);
  assert.is(five.layout.quorum.describe(), "flexible(n=5, phase1=4, phase2=2)");
  assert.ok(five.layout.quorum.isPhase2Quorum(["a4", "a5"]));
  assert.not.ok(five.layout.quorum.isPhase1Quorum(["a1", "a2", "a3"]));
});

test("a minimal file: defaults and derived layout", () => {
  const c = parseCluster(base(), { env: {} });
  assert.is(c.secret, SECRET);
  assert.is(c.maxFrameBytes, 16 * 1024 * 1024);
  assert.is(nodeUrl(c.nodesById.get("n2")!), "ws://127.0.0.1:7002/");
  assert.is(nodeUrl({ host: "::1", port: 9 }), "ws://[::1]:9/");
});

test("unknown keys are refused with their JSON path and value", () => {
  const doc = base();
  (doc.nodes as Record<string, unknown>[])[1]!.prot = 7;
  assert.match(errorOf(doc), "/nodes/1/prot: unknown key (value 7)");
  assert.match(
    errorOf({ ...base(), timing: { heartbeatMs: 5 } }),
    "/timing/heartbeatMs: unknown key (value 5)",
  );
  assert.match(
    errorOf({ ...base(), links: { default: { delay: 5 } } }),
    "/links/default/delay: unknown key",
  );
});

test("bad values are refused with path and value", () => {
  const doc = base();
  (doc.nodes as Record<string, unknown>[])[2]!.port = 70000;
  assert.match(errorOf(doc), "/nodes/2/port: must be <= 65535 (got 70000)");
  const roles = base();
  (roles.nodes as Record<string, unknown>[])[0]!.roles = ["replica", "learner"];
  assert.match(
    errorOf(roles),
    '/nodes/0/roles/1: must be equal to one of the allowed values: one of "replica"',
  );
  assert.match(errorOf(roles), '(got "learner")');
  assert.match(
    errorOf({ ...base(), secret: "short" }),
    '/secret: must NOT have fewer than 16 characters (got "short")',
  );
  assert.match(
    errorOf({ ...base(), timing: { leaderTimeoutMs: -1 } }),
    "/timing/leaderTimeoutMs: must be > 0 (got -1)",
  );
  assert.match(
    errorOf({ ...base(), links: { default: { lossRate: 2 } } }),
    "/links/default/lossRate: must be <= 1 (got 2)",
  );
  const { clusterId: _, ...noId } = base();
  assert.match(errorOf(noId), "/clusterId: required key is missing");
  assert.match(errorOf([]), "/: must be object");
});

test("all problems are reported at once", () => {
  const doc = { ...base(), logLevel: "loud", fsync: "yes" };
  const message = errorOf(doc);
  assert.match(message, "/logLevel");
  assert.match(message, "/fsync");
});

test("checks beyond the schema: duplicates, roles, link rules, quorum", () => {
  const dup = base();
  (dup.nodes as Record<string, unknown>[])[1]!.id = "n1";
  assert.match(errorOf(dup), '/nodes/1/id: duplicate node id "n1"');
  const same = base();
  (same.nodes as Record<string, unknown>[])[1]!.port = 7001;
  assert.match(errorOf(same), '/nodes/1/port: "127.0.0.1:7001" is also the address of node "n1"');
  const noAcceptor = base();
  for (const n of noAcceptor.nodes as Record<string, unknown>[]) n.roles = ["replica", "leader"];
  assert.match(errorOf(noAcceptor), 'no node has the "acceptor" role');
  assert.match(
    errorOf({ ...base(), links: { rules: [{ to: "n7", spec: {} }] } }),
    '/links/rules/0/to: unknown node id "n7"',
  );
  assert.match(
    errorOf({ ...base(), quorum: { kind: "flexible", phase1: 1, phase2: 1 } }),
    "/quorum: flexible(n=3, phase1=1, phase2=1) is unsafe",
  );
  assert.match(
    errorOf({ ...base(), quorum: { kind: "majority", size: 2 } }),
    '/quorum: majority spec: unknown field "size"',
  );
  assert.match(
    errorOf({ ...base(), quorum: { kind: "paxos" } }),
    "/quorum/kind: must be equal to one of the allowed values",
  );
});

test("the secret: PAXOS_CLUSTER_SECRET overrides the file; too short is refused", () => {
  assert.is(
    parseCluster(base(), { env: { PAXOS_CLUSTER_SECRET: "from-the-environment!" } }).secret,
    "from-the-environment!",
  );
  const { secret: _, ...noSecret } = base();
  assert.is(parseCluster(noSecret, { env: {} }).secret, undefined);
  assert.is(parseCluster(noSecret, { env: { PAXOS_CLUSTER_SECRET: "" } }).secret, undefined);
  assert.match(
    errorOf(base(), { PAXOS_CLUSTER_SECRET: "tiny" }),
    "$PAXOS_CLUSTER_SECRET: the secret must have at least 16",
  );
});

test("link rules: default, then matching rules in order (later wins)", () => {
  const links = {
    default: { delayMs: 1 },
    rules: [
      { to: "n3", spec: { delayMs: 30 } },
      { from: "n2", to: "n3", spec: { lossRate: 0.5 } },
    ],
  };
  assert.equal(initialLinkSpec(links, "n1", "n2"), { delayMs: 1 });
  assert.equal(initialLinkSpec(links, "n1", "n3"), { delayMs: 30 });
  assert.equal(initialLinkSpec(links, "n2", "n3"), { lossRate: 0.5 });
  assert.is(initialLinkSpec(undefined, "n1", "n2"), undefined);
});

test("loadCluster names the file in its errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "cluster-file-"));
  try {
    const path = join(dir, "c.json");
    writeFileSync(path, "{ not json");
    assert.throws(
      () => loadCluster(path),
      (e: Error) =>
        e instanceof ClusterFileError && e.message.startsWith(`${path}: not valid JSON`),
    );
    writeFileSync(path, JSON.stringify({ ...base(), nodes: [] }));
    assert.throws(
      () => loadCluster(path),
      (e: Error) =>
        e.message.includes(`${path}: invalid cluster file`) &&
        e.message.includes("/nodes: must NOT have fewer than 1 items"),
    );
    assert.throws(() => loadCluster(join(dir, "missing.json")), /cannot read cluster file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

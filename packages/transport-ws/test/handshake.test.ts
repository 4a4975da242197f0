import { test } from "uvu";
import * as assert from "uvu/assert";
import { WIRE_VERSION } from "../src/codec.js";
import {
  type Challenge,
  checkHello,
  helloAuth,
  makeHello,
  newNonce,
  type ServerContext,
  tokensEqual,
  welcomeProof,
} from "../src/handshake.js";

const SECRET = "s3cret-s3cret-s3cret";
const serverNonce = newNonce();
const ctx: ServerContext = {
  clusterId: "prod",
  selfId: "n1",
  nodeIds: new Set(["n1", "n2", "n3"]),
  secret: SECRET,
  clientAuth: false,
  nonce: serverNonce,
};
const challenge: Challenge = {
  t: "challenge",
  v: WIRE_VERSION,
  clusterId: "prod",
  nodeId: "n1",
  nonce: serverNonce,
};

function hello(
  kind: "node" | "client" | "control",
  id: string,
  secret: string | undefined,
  clusterId = "prod",
) {
  return makeHello(challenge, { clusterId, kind, id, secret }, newNonce()) as unknown as Record<
    string,
    unknown
  >;
}

function refusedWith(result: ReturnType<typeof checkHello>, fragment: string): void {
  assert.ok(!result.ok, "expected a refusal");
  if (!result.ok) assert.ok(result.reason.includes(fragment), result.reason);
}

test("a node with the right secret is accepted", () => {
  const r = checkHello(hello("node", "n2", SECRET), ctx);
  assert.ok(r.ok);
  if (r.ok) assert.equal([r.kind, r.id], ["node", "n2"]);
});

test("wrong secret, unknown node id, other cluster id: refused with the reason", () => {
  refusedWith(checkHello(hello("node", "n2", "another-secret-entirely"), ctx), "bad auth token");
  refusedWith(checkHello(hello("node", "n9", SECRET), ctx), 'unknown node id "n9"');
  refusedWith(
    checkHello(hello("node", "n2", SECRET, "staging"), ctx),
    'wrong cluster id "staging"',
  );
  refusedWith(checkHello(hello("node", "n1", SECRET), ctx), "this node's own id");
  refusedWith(checkHello(hello("node", "n2", undefined), ctx), "presented no auth token");
});

test("a token is bound to the server's nonce, the id and the kind (no replay)", () => {
  const h = hello("node", "n2", SECRET);
  refusedWith(checkHello(h, { ...ctx, nonce: newNonce() }), "bad auth token");
  refusedWith(checkHello({ ...h, id: "n3" }, ctx), "bad auth token");
  refusedWith(checkHello({ ...h, kind: "control", id: "n2x" }, ctx), "bad auth token");
});

test("clients: no token needed unless clientAuth; ids of nodes are not theirs to take", () => {
  assert.ok(checkHello(hello("client", "c-1", undefined), ctx).ok);
  refusedWith(
    checkHello(hello("client", "c-1", undefined), { ...ctx, clientAuth: true }),
    "presented no auth token",
  );
  refusedWith(
    checkHello(hello("client", "c-1", "wrong-secret-wrong"), { ...ctx, clientAuth: true }),
    "bad auth token",
  );
  assert.ok(checkHello(hello("client", "c-1", SECRET), { ...ctx, clientAuth: true }).ok);
  refusedWith(checkHello(hello("client", "n2", undefined), ctx), "is the id of a node");
});

test("the control channel always needs the secret", () => {
  refusedWith(checkHello(hello("control", "runner", undefined), ctx), "presented no auth token");
  assert.ok(checkHello(hello("control", "runner", SECRET), ctx).ok);
});

test("malformed hellos are refused", () => {
  const h = hello("node", "n2", SECRET);
  refusedWith(
    checkHello({ ...h, v: WIRE_VERSION + 1 }, ctx),
    `protocol version ${WIRE_VERSION + 1} unsupported`,
  );
  refusedWith(checkHello({ ...h, t: "msgs" }, ctx), "expected a hello");
  refusedWith(checkHello({ ...h, extra: 1 }, ctx), 'unexpected key "extra"');
  refusedWith(checkHello({ ...h, kind: "admin" }, ctx), "unknown peer kind");
  refusedWith(checkHello({ ...h, nonce: "zz" }, ctx), "malformed nonce");
  refusedWith(checkHello({ ...h, kind: "client", id: "bad id!" }, ctx), "malformed id");
  refusedWith(checkHello({ ...h, auth: 42 }, ctx), "bad auth token");
});

test("tokens: HMAC-SHA256 hex, compared in constant time; the welcome proves the server", () => {
  const token = helloAuth(SECRET, "prod", "node", "n2", serverNonce);
  assert.match(token, /^[0-9a-f]{64}$/);
  assert.ok(tokensEqual(token, token));
  assert.not.ok(tokensEqual(token, token.slice(1)));
  assert.not.ok(tokensEqual(token, undefined));
  const dialerNonce = newNonce();
  assert.is.not(
    welcomeProof(SECRET, "prod", "n1", dialerNonce),
    welcomeProof("other-secret-other", "prod", "n1", dialerNonce),
  );
  assert.is.not(
    welcomeProof(SECRET, "prod", "n1", dialerNonce),
    helloAuth(SECRET, "prod", "node", "n1", dialerNonce),
  );
});

test.run();

// An operation nobody answers is rejected after timeoutMs, oldest first, each with its own
// seq in the message, and one that is answered in time is not: the client keeps one timer for
// the earliest deadline rather than one per operation.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, OperationTimeoutError, type PaxosClient } from "../src/client.js";
import { colocated, LocalCluster } from "./harness.js";

let cluster: LocalCluster | undefined;
let client: PaxosClient | undefined;

test.after(async () => {
  await client?.close();
  await cluster?.stop();
});

test("unanswered operations time out oldest first; answered ones do not", async () => {
  cluster = await LocalCluster.start({
    nodes: colocated("n1", "n2", "n3"),
    quorum: { kind: "majority" },
  });
  const timeoutMs = 300;
  client = await connect(cluster.clusterPath, { timeoutMs: 60_000 });
  await client.put("warm", "up"); // answered: the cluster works
  const quick = await connect(cluster.clusterPath, { timeoutMs });
  await quick.put("a", "1");
  // no quorum of acceptors left: nothing more is chosen
  await cluster.kill("n2");
  await cluster.kill("n3");
  const outcomes: string[] = [];
  const started = performance.now();
  const ops = ["x", "y", "z"].map((key) =>
    quick.put(key, "v").then(
      () => outcomes.push(`${key} answered`),
      (error: Error) => {
        assert.instance(error, OperationTimeoutError);
        assert.match(error.message, `"${key}"`);
        outcomes.push(`${key} timed out`);
      },
    ),
  );
  // a failure bound, not a pass condition: were timeouts broken, fail rather than hang
  let guard: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(ops),
    new Promise((_, reject) => {
      guard = setTimeout(() => reject(new Error("no timeout fired within 60 s")), 60_000);
    }),
  ]);
  clearTimeout(guard);
  assert.equal(outcomes, ["x timed out", "y timed out", "z timed out"]);
  assert.ok(performance.now() - started >= timeoutMs, "not before the deadline");
  assert.is(quick.outstanding, 0);
  await quick.close();
});

test.run();

// paxos-client --cluster c.json put KEY VALUE | get KEY | delete KEY | cas KEY EXPECTED NEW | status
//
// One operation through the client library, printed on stdout; or, with `status`, every node's
// roles, leadership, applied slot and links through the control channel. Exit codes (the
// README's table): 0 done; 1 not done (a cas that found another value, no replica reachable,
// no node answered `status`); 2 unknown outcome (not answered in time: a write may still be
// applied); 64 bad usage; 65 a cluster file that is missing, unreadable or malformed.

import { parseArgs } from "node:util";
import type { Operation, Result } from "@paxos/core";
import { ConnectError, connect, OperationRefusedError, OperationTimeoutError } from "../client.js";
import { type Cluster, ClusterFileError, loadCluster } from "../cluster-file.js";
import { commandArgs } from "./argv.js";
import {
  clusterStatus,
  formatTable,
  type StatusTarget,
  statusRows,
  statusTargets,
} from "./cluster-status.js";

export const EXIT = { ok: 0, notDone: 1, unknown: 2, usage: 64, badInput: 65 } as const;

const USAGE = `usage: paxos-client (--cluster FILE | --addresses HOST:PORT,...) [options] COMMAND

commands:
  get KEY                    prints the value, or (nil)
  put KEY VALUE
  delete KEY                 prints deleted or absent
  cas KEY EXPECTED NEW       sets KEY to NEW if it holds EXPECTED
  cas --expect-absent KEY NEW   ... if KEY is absent
  status                     per node: roles, leader and ballot, applied slot, peers up
                             (the control channel: needs the cluster secret)

options:
  --secret S          the cluster secret (default: file or PAXOS_CLUSTER_SECRET); needed when the
                      cluster requires client auth, and for status
  --timeout-ms N      give up after N ms (default 10000)
  --json              print the raw result as JSON

exit codes: 0 done, 1 not done (cas refused, nothing reachable), 2 unknown outcome (timed out:
a write may still be applied), 64 bad usage, 65 bad cluster file`;

function die(message: string, code: number = EXIT.usage): never {
  process.stderr.write(`paxos-client: ${message}\n`);
  process.exit(code);
}

function parseOperation(args: readonly string[], expectAbsent: boolean): Operation {
  const [command, key, a, b] = args;
  const arity = (n: number) => {
    if (args.length !== n) die(`${command} takes ${n - 1} argument(s)\n${USAGE}`);
  };
  if (key === undefined) die(`missing command or key\n${USAGE}`);
  switch (command) {
    case "get":
      arity(2);
      return { type: "get", key };
    case "put":
      arity(3);
      return { type: "put", key, value: a! };
    case "delete":
    case "del":
      arity(2);
      return { type: "delete", key };
    case "cas":
      if (expectAbsent) {
        arity(3);
        return { type: "cas", key, expected: null, value: a! };
      }
      arity(4);
      return { type: "cas", key, expected: a!, value: b! };
    default:
      return die(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  }
}

function render(result: Result): string {
  switch (result.type) {
    case "get":
      return result.value ?? "(nil)";
    case "put":
      return "OK";
    case "delete":
      return result.existed ? "deleted" : "absent";
    case "cas":
      return result.ok ? "OK" : `failed (current value: ${result.value ?? "(nil)"})`;
  }
}

function loadClusterOrDie(path: string): Cluster {
  try {
    return loadCluster(path);
  } catch (error) {
    if (error instanceof ClusterFileError) die(error.message, EXIT.badInput);
    throw error;
  }
}

async function status(
  cluster: Cluster | undefined,
  addresses: readonly string[],
  opts: { secret: string | undefined; timeoutMs: number; json: boolean },
): Promise<number> {
  const secret = opts.secret ?? cluster?.secret ?? process.env.PAXOS_CLUSTER_SECRET;
  if (secret === undefined) {
    die("status reads the control channel, which needs the cluster secret: --secret S", EXIT.usage);
  }
  const targets: StatusTarget[] =
    cluster !== undefined
      ? statusTargets(cluster)
      : addresses.map((a) => ({ name: a, url: /^wss?:\/\//.test(a) ? a : `ws://${a}/` }));
  const answers = await clusterStatus(targets, {
    secret,
    ...(cluster === undefined ? {} : { clusterId: cluster.file.clusterId }),
    timeoutMs: opts.timeoutMs,
  });
  process.stdout.write(
    `${opts.json ? JSON.stringify(answers, null, 2) : formatTable(statusRows(answers))}\n`,
  );
  return answers.some((a) => "status" in a) ? EXIT.ok : EXIT.notDone;
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: commandArgs(),
      options: {
        cluster: { type: "string" },
        addresses: { type: "string" },
        secret: { type: "string" },
        "timeout-ms": { type: "string" },
        "expect-absent": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    die(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const isStatus = positionals[0] === "status";
  if (isStatus && positionals.length !== 1) die(`status takes no argument\n${USAGE}`);
  const op = isStatus ? undefined : parseOperation(positionals, values["expect-absent"] === true);
  const rawTimeout = values["timeout-ms"];
  const timeoutMs = Number(rawTimeout ?? 10_000);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    die(
      `--timeout-ms must be a positive number of milliseconds, got ${JSON.stringify(rawTimeout)}`,
    );
  }
  if (typeof values.cluster !== "string" && typeof values.addresses !== "string") {
    die(`--cluster or --addresses is required\n${USAGE}`);
  }
  const cluster = typeof values.cluster === "string" ? loadClusterOrDie(values.cluster) : undefined;
  const addresses =
    typeof values.addresses === "string" ? values.addresses.split(",").filter((a) => a !== "") : [];
  if (cluster === undefined && addresses.length === 0) die("--addresses names no address");
  const secret = typeof values.secret === "string" ? values.secret : undefined;
  if (op === undefined) {
    return status(cluster, addresses, { secret, timeoutMs, json: values.json === true });
  }

  let client: Awaited<ReturnType<typeof connect>>;
  try {
    client = await connect(cluster ?? addresses, {
      timeoutMs,
      connectTimeoutMs: timeoutMs,
      ...(secret === undefined ? {} : { secret }),
    });
  } catch (error) {
    if (error instanceof ConnectError) die(`${error.message}; nothing was sent`, EXIT.notDone);
    throw error;
  }
  try {
    const result = await client.execute(op);
    process.stdout.write(`${values.json === true ? JSON.stringify(result) : render(result)}\n`);
    return result.type === "cas" && !result.ok ? EXIT.notDone : EXIT.ok;
  } catch (error) {
    const message =
      error instanceof OperationRefusedError
        ? `${op.type} ${JSON.stringify(op.key)} refused: ${error.message}${
            error.maybeApplied ? " (it may have been applied before: outcome unknown)" : ""
          }`
        : (error as Error).message;
    process.stderr.write(`paxos-client: ${message}\n`);
    const unknown =
      error instanceof OperationTimeoutError ||
      (error instanceof OperationRefusedError && error.maybeApplied);
    return unknown ? EXIT.unknown : EXIT.notDone;
  } finally {
    await client.close();
  }
}

process.exitCode = await main();

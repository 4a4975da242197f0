// paxos-client --cluster c.json put KEY VALUE | get KEY | delete KEY | cas KEY EXPECTED NEW
//
// One operation through the client library, printed on stdout; exit 0 on success, 1 when the
// operation failed or timed out, 2 on bad usage.

import { parseArgs } from "node:util";
import type { Operation, Result } from "@paxos/core";
import { connect, OperationRefusedError } from "../client.js";

const USAGE = `usage: paxos-client (--cluster FILE | --addresses HOST:PORT,...) [options] COMMAND

commands:
  get KEY                    prints the value, or (nil)
  put KEY VALUE
  delete KEY                 prints deleted or absent
  cas KEY EXPECTED NEW       sets KEY to NEW if it holds EXPECTED
  cas --expect-absent KEY NEW   ... if KEY is absent

options:
  --secret S          the cluster secret (default: file or PAXOS_CLUSTER_SECRET); needed when the
                      cluster requires client auth
  --timeout-ms N      give up after N ms (default 10000)
  --json              print the raw result as JSON`;

function die(message: string, code = 2): never {
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

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
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
    return;
  }
  const op = parseOperation(positionals, values["expect-absent"] === true);
  const timeoutMs = Number(values["timeout-ms"] ?? 10_000);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) die("--timeout-ms must be a positive number");
  const target =
    typeof values.cluster === "string"
      ? values.cluster
      : typeof values.addresses === "string"
        ? values.addresses.split(",").filter((a) => a !== "")
        : die(`--cluster or --addresses is required\n${USAGE}`);
  let client: Awaited<ReturnType<typeof connect>>;
  try {
    client = await connect(target, {
      timeoutMs,
      connectTimeoutMs: timeoutMs,
      ...(typeof values.secret === "string" ? { secret: values.secret } : {}),
    });
  } catch (error) {
    die((error as Error).message, 1);
  }
  try {
    const result = await client.execute(op);
    process.stdout.write(`${values.json === true ? JSON.stringify(result) : render(result)}\n`);
    if (result.type === "cas" && !result.ok) process.exitCode = 1;
  } catch (error) {
    const message =
      error instanceof OperationRefusedError
        ? `${op.type} ${JSON.stringify(op.key)} refused: ${error.message}${
            error.maybeApplied ? " (it may have been applied before: outcome unknown)" : ""
          }`
        : (error as Error).message;
    process.stderr.write(`paxos-client: ${message}\n`);
    process.exitCode = 1;
  } finally {
    await client.close();
  }
}

await main();

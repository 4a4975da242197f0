// paxos-node --cluster cluster.json --id n1 [--data-dir DIR] [--log-file FILE]
//            [--log-level info] [--storage fsync|file|memory] [--seed N]
//
// Runs one node of the cluster file until SIGINT/SIGTERM, then closes its sockets, syncs its
// durable log, flushes its log file and exits 0. Other exit codes (the README's table): 1 the
// node failed to start or to stop cleanly, 64 bad usage, 65 a cluster file that is missing,
// unreadable or malformed, or that has no node of this id; 70 an uncaught error.

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ClusterFileError, type LogLevel, loadCluster, nodeUrl } from "../cluster-file.js";
import { fileLogger } from "../logger.js";
import { NodeHost } from "../node-host.js";
import { DataDirError } from "../storage/data-dir.js";
import { CorruptDataError } from "../storage/entry.js";
import { STORAGE_MODES, type StorageMode } from "../storage/node-storage.js";
import { commandArgs } from "./argv.js";

const USAGE = `usage: paxos-node --cluster FILE --id ID [--data-dir DIR] [--log-file FILE]
                  [--log-level trace|debug|info|warn|error|fatal|silent]
                  [--storage fsync|file|memory] [--seed N]

  --cluster    the cluster file (JSON; see packages/transport-ws/README.md)
  --id         which node of the file this process is
  --data-dir   durable state lives here (default .paxos-data/<clusterId>/<id>)
  --log-file   JSON-lines log (default <data-dir>/node.log)
  --log-level  default: the cluster file's logLevel, else info
  --storage    overrides the cluster file's storage: fsync (default: synced before sending),
               file (written, not synced: benchmarks), memory (no disk: benchmarks)
  --seed       the engine's randomness (election jitter) and the client role's id come from
               this seed, so a run replays; give every start of a node its own (default:
               random)
  The cluster secret comes from the file or from PAXOS_CLUSTER_SECRET.`;

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);

const EXIT = { failed: 1, usage: 64, badInput: 65, software: 70 } as const;

function die(message: string, code: number = EXIT.usage): never {
  process.stderr.write(`paxos-node: ${message}\n`);
  process.exit(code);
}

/** The one line a start-up failure a user can fix deserves, or undefined for a bug. */
function startFailure(
  error: NodeJS.ErrnoException,
  self: { readonly host: string; readonly port: number },
): string | undefined {
  if (error instanceof DataDirError || error instanceof CorruptDataError) return error.message;
  // the engine refusing the cluster file's limits (limits.maxMessageBytes, maxBatchBytes)
  if (error instanceof RangeError) return error.message;
  if (error.code === "EADDRINUSE") {
    return `${self.host}:${self.port} is already in use (another paxos-node of this cluster, or another program, listens there)`;
  }
  if (error.code === "EADDRNOTAVAIL") return `${self.host} is not an address of this machine`;
  if (error.code === "EACCES" || error.code === "EPERM" || error.code === "EROFS") {
    return `permission denied: ${error.message}`;
  }
  if (error.code === "ENOSPC") return `no space left on the device: ${error.message}`;
  return undefined;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: commandArgs(),
      options: {
        cluster: { type: "string" },
        id: { type: "string" },
        "data-dir": { type: "string" },
        "log-file": { type: "string" },
        "log-level": { type: "string" },
        storage: { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    die(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const clusterPath = values.cluster as string | undefined;
  const id = values.id as string | undefined;
  if (clusterPath === undefined || id === undefined)
    die(`--cluster and --id are required\n${USAGE}`);

  let cluster: ReturnType<typeof loadCluster>;
  try {
    cluster = loadCluster(clusterPath);
  } catch (error) {
    if (error instanceof ClusterFileError) die(error.message, EXIT.badInput);
    throw error;
  }
  const self = cluster.nodesById.get(id);
  if (self === undefined) {
    die(
      `node id ${JSON.stringify(id)} is not in ${clusterPath} (nodes: ${[...cluster.nodesById.keys()].join(", ")})`,
      EXIT.badInput,
    );
  }
  const storage = values.storage as string | undefined;
  if (storage !== undefined && !(STORAGE_MODES as readonly string[]).includes(storage))
    die(`--storage ${JSON.stringify(storage)} is not one of ${STORAGE_MODES.join(", ")}`);
  const seedText = values.seed as string | undefined;
  if (seedText !== undefined && !/^\d{1,15}$/.test(seedText))
    die(`--seed ${JSON.stringify(seedText)} is not a non-negative integer`);
  const level = (values["log-level"] as string | undefined) ?? cluster.file.logLevel ?? "info";
  if (!LEVELS.has(level))
    die(`--log-level ${JSON.stringify(level)} is not one of ${[...LEVELS].join(", ")}`);
  const dataDir = resolve(
    (values["data-dir"] as string | undefined) ?? `.paxos-data/${cluster.file.clusterId}/${id}`,
  );
  const logFile = resolve((values["log-file"] as string | undefined) ?? `${dataDir}/node.log`);
  const logs = fileLogger(logFile, level as LogLevel, {
    node: id,
    cluster: cluster.file.clusterId,
  });
  const { logger } = logs;
  await logs.ready.catch((error: Error) => die(error.message, 1));

  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error.stack ?? String(error) }, "uncaught exception, exiting");
    logs.close();
    process.stderr.write(`paxos-node ${id}: ${error.stack ?? String(error)}\n`);
    process.exit(EXIT.software);
  });

  let host: NodeHost;
  try {
    host = await NodeHost.start({
      cluster,
      id,
      dataDir,
      logger,
      ...(storage === undefined ? {} : { storage: storage as StorageMode }),
      ...(seedText === undefined ? {} : { seed: Number(seedText) }),
    });
  } catch (error) {
    // Refusals (someone else's or a corrupt data dir, a port in use) are one line for a human;
    // anything else is a bug and keeps its stack.
    const message = startFailure(error as NodeJS.ErrnoException, self);
    logger.fatal({ err: message ?? (error as Error).stack }, "node failed to start");
    logs.close();
    die(message ?? (error as Error).stack ?? String(error), EXIT.failed);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    host.stop().then(
      () => {
        logs.close();
        process.exit(0);
      },
      (error: Error) => {
        logger.error({ err: error.message }, "error while stopping");
        logs.close();
        process.exit(EXIT.failed);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.stdout.write(
    `paxos-node ${id} listening on ${nodeUrl(self)} (data ${dataDir}, log ${logFile})\n`,
  );
}

await main();

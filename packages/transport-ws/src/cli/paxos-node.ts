// paxos-node --cluster cluster.json --id n1 [--data-dir DIR] [--log-file FILE]
//            [--log-level info] [--no-fsync]
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

const USAGE = `usage: paxos-node --cluster FILE --id ID [--data-dir DIR] [--log-file FILE]
                  [--log-level trace|debug|info|warn|error|fatal|silent] [--no-fsync]

  --cluster    the cluster file (JSON; see packages/transport-ws/README.md)
  --id         which node of the file this process is
  --data-dir   durable state lives here (default .paxos-data/<clusterId>/<id>)
  --log-file   JSON-lines log (default <data-dir>/node.log)
  --log-level  default: the cluster file's logLevel, else info
  --no-fsync   do not fdatasync the durable log (benchmarks only: unsafe on power loss)
  The cluster secret comes from the file or from PAXOS_CLUSTER_SECRET.`;

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);

const EXIT = { failed: 1, usage: 64, badInput: 65, software: 70 } as const;

function die(message: string, code: number = EXIT.usage): never {
  process.stderr.write(`paxos-node: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        cluster: { type: "string" },
        id: { type: "string" },
        "data-dir": { type: "string" },
        "log-file": { type: "string" },
        "log-level": { type: "string" },
        "no-fsync": { type: "boolean" },
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
      ...(values["no-fsync"] === true ? { fsync: false } : {}),
    });
  } catch (error) {
    logger.fatal({ err: (error as Error).message }, "node failed to start");
    logs.close();
    die((error as Error).message, EXIT.failed);
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

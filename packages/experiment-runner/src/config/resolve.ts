// From a parsed JSON value to a config the runner can trust, in four steps, one file each:
// the schema with its defaults (./validate.ts, ajv), quorum sweeps expanded and labelled
// (./sweep.ts), each variant's cluster and quorum system (./layout.ts), then the checks a schema
// cannot express (./checks.ts, and the chaos and systems sections' own). Every problem is
// collected, with its JSON path and a hint, and nothing runs unless there are none.

import { readFileSync } from "node:fs";
import { livenessOf } from "../chaos/liveness.js";
import { fillChaos, resolveSchedules } from "../chaos/resolve.js";
import { faultSchedule } from "../faults/refs.js";
import { expandSystems, fillSystems } from "../systems/resolve.js";
import {
  checkFaultList,
  checkNetwork,
  checkWorkload,
  EVERY_REF,
  LEADER_REF,
  scopeOf,
} from "./checks.js";
import { buildVariants, fillCluster, type NodeSpec, type Variant } from "./layout.js";
import { expandQuorums } from "./sweep.js";
import { ConfigError, type ConfigIssue, type ResolvedConfig } from "./types.js";
import { withSchemaDefaults } from "./validate.js";

export { EVERY_REF, faultSchedule, LEADER_REF, type NodeSpec, type Variant };

export interface Experiment {
  config: ResolvedConfig;
  variants: Variant[];
}

/** Reads, parses, validates and resolves a config file; throws ConfigError with every issue. */
export function loadConfigFile(file: string): Experiment {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(
      [
        {
          path: "",
          message: `cannot read the file: ${(e as Error).message}`,
          hint: "check the path",
        },
      ],
      file,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(
      [
        {
          path: "",
          message: `not valid JSON: ${(e as Error).message}`,
          hint: "JSON has no comments and no trailing commas; keys need double quotes",
        },
      ],
      file,
    );
  }
  try {
    return resolveConfig(value);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.issues, file);
    throw e;
  }
}

/** Validates a parsed config and fills it in; throws ConfigError with every issue found. */
export function resolveConfig(value: unknown): Experiment {
  const d = withSchemaDefaults(value);
  const issues: ConfigIssue[] = [];
  const cluster = fillCluster(d.cluster, issues);
  const { quorums, sources } = expandQuorums(d.quorums, cluster, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  const config: ResolvedConfig = {
    ...(d.$schema === undefined ? {} : { $schema: d.$schema }),
    name: d.name,
    description: d.description,
    mode: d.mode,
    ...(d.netns === undefined ? {} : { netns: d.netns }),
    seed: d.seed,
    repetitions: d.repetitions,
    cluster,
    quorums,
    engine: d.engine,
    network: d.network,
    workload: d.workload,
    faults: d.faults,
  };
  const systems = fillSystems(d.systems, issues);
  if (systems) config.systems = systems;
  const variants = expandSystems(
    config,
    buildVariants(config, sources, issues),
    issues,
    d.chaos !== undefined,
  );
  // Ids are checked against every variant's cluster, also those whose quorum was refused.
  const scopes =
    issues.length > 0 && !config.cluster.nodes && config.cluster.acceptors === undefined
      ? []
      : config.quorums.map((q) => scopeOf(config, q));
  checkNetwork(config, scopes, issues);
  checkWorkload(config, issues);
  checkFaultList(config.faults, "/faults", config, scopes, issues);
  const chaos = fillChaos(d.chaos, config, issues);
  if (chaos && d.chaos && issues.length === 0) {
    chaos.schedules = resolveSchedules(d.chaos, chaos, config, variants, issues, (s, path, v) =>
      checkFaultList(
        s.faults,
        path,
        config,
        [scopeOf(config, config.quorums[v.quorumIndex]!)],
        issues,
      ),
    );
  }
  if (chaos) config.chaos = chaos;
  const liveness = livenessOf(d.liveness, config);
  if (liveness) config.liveness = liveness;
  if (issues.length > 0) throw new ConfigError(issues);
  return { config, variants };
}

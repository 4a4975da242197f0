// Public surface of @paxos/experiment-runner: load and resolve experiment configs, run them.
export {
  clusterNodes,
  DEFAULTS,
  type Experiment,
  expandSweep,
  faultSchedule,
  LEADER_REF,
  loadConfigFile,
  type NodeSpec,
  resolveConfig,
  type Variant,
} from "./config/resolve.js";
export { CONFIG_SCHEMA } from "./config/schema.js";
export * from "./config/types.js";
export { schemaIssues } from "./config/validate.js";

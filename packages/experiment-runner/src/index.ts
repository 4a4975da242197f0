// Public surface of @paxos/experiment-runner: load and resolve experiment configs, run them.
export { clusterNodes } from "./config/layout.js";
export {
  type Experiment,
  faultSchedule,
  LEADER_REF,
  loadConfigFile,
  type NodeSpec,
  resolveConfig,
  type Variant,
} from "./config/resolve.js";
export { CONFIG_SCHEMA } from "./config/schema.js";
export { expandSweep } from "./config/sweep.js";
export * from "./config/types.js";
export { schemaIssues } from "./config/validate.js";

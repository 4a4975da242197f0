export { type Ballot, BOTTOM, ballotEquals, compareBallots, formatBallot } from "./ballot.js";
export {
  type Batch,
  type ClientOperation,
  type Command,
  commandKey,
  type Operation,
  type OperationType,
  type Result,
  sameBatch,
} from "./command.js";
export {
  type ClientOptions,
  type ClusterLayout,
  DEFAULT_CLIENT,
  DEFAULT_LEADER,
  DEFAULT_LIMITS,
  DEFAULT_REPLICA,
  DEFAULT_TIMING,
  type LeaderOptions,
  type Limits,
  type NodeConfig,
  type ReplicaOptions,
  ROLES,
  type Role,
  TIMING_KEYS,
  type Timing,
} from "./config.js";
export type { RoleContext } from "./context.js";
export type { NodeEvent, NodeOutput, PersistRecord, Rng, SnapshotRecord } from "./effects.js";
export {
  type Decided,
  type Envelope,
  MESSAGE_TYPES,
  type Message,
  type MessageOf,
  type MessageType,
  type PValue,
  type SessionSnapshot,
} from "./messages.js";
export { type NodeStart, PaxosNode } from "./node.js";
export { quantile } from "./quantile.js";
export { Acceptor } from "./roles/acceptor.js";
export { Client } from "./roles/client.js";
export { safeToForgetBelow } from "./roles/forget-rule.js";
export { Leader } from "./roles/leader.js";
export { Replica } from "./roles/replica.js";
export { generatorOfKey, keyOfSeed, mix32, seededRng } from "./seeded-rng.js";
export {
  batchBytes,
  commandBytes,
  jsonStringBytes,
  operationBytes,
} from "./size.js";
export { KeyValueStore, PUT_DONE, type StateMachine } from "./state-machine.js";

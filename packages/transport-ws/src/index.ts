// Public surface of @paxos/transport-ws: the node host, the client library, the control
// channel, the cluster file loader, and the building blocks (codec, validation, handshake,
// link emulation) for tools that want them.

export {
  type ClusterTarget,
  ConnectError,
  type ConnectOptions,
  connect,
  OperationRefusedError,
  OperationTimeoutError,
  PaxosClient,
} from "./client.js";
export {
  type Cluster,
  type ClusterFile,
  ClusterFileError,
  clusterFileSchema,
  DEFAULT_MAX_FRAME_BYTES,
  initialLinkSpec,
  type LinkRule,
  type LinksConfig,
  type LogLevel,
  loadCluster,
  type NodeEntry,
  nodeUrl,
  type ParseOptions,
  parseCluster,
  SECRET_ENV,
} from "./cluster-file.js";
export {
  DecodeError,
  decodeFrame,
  encodeDataFrame,
  encodeMessage,
  frameFromParts,
  WIRE_VERSION,
} from "./codec.js";
export { ClusterControl, ControlClient, type ControlOptions } from "./control-client.js";
export type { ControlRequest, LinkStatus, NodeStatus } from "./control-protocol.js";
export { checkHello, helloAuth, type PeerKind, welcomeProof } from "./handshake.js";
export {
  type DelayDistribution,
  LinkModel,
  LinkShaper,
  type LinkSpec,
} from "./link-emulation.js";
export { fileLogger, type Logger } from "./logger.js";
export { NodeHost, type NodeHostOptions } from "./node-host.js";
export {
  DEFAULT_COMPACT_LOG_BYTES,
  type NodeStorage,
  openStorage,
  STORAGE_MODES,
  type StorageMode,
} from "./storage/node-storage.js";
export { checkDataFrame, checkMessage } from "./validate.js";

// Public API of @paxos/simulator.

export {
  type ChaosFault,
  type ChaosScheduleOptions,
  chaosSchedule,
  EVERY,
  LEADER,
  type LinkChange,
  NEMESES,
  type Nemesis,
  SIM_ONLY_NEMESES,
} from "./chaos/schedule.js";
export {
  checkAgreement,
  checkAtMostOnce,
  checkCommitsResumed,
  checkOrder,
  checkResults,
  checkSafety,
  checkValidity,
  completedBetween,
  formatViolations,
  type Recorded,
  type ResumeBound,
  type Violation,
  type ViolationKind,
} from "./checkers.js";
export {
  type DropReason,
  type NodeSpec,
  type SimulationConfig,
  SimulationConfigError,
  validate as validateSimulationConfig,
} from "./cluster.js";
export {
  diagnoseHoleStarvation,
  diagnoseKnownStall,
  diagnoseLostDecision,
  type HoleStarvationStall,
  type LostDecisionStall,
} from "./diagnosis.js";
export { applyFaults, describeFault } from "./faults.js";
export { EventQueue } from "./heap.js";
export {
  LatencyConfigError,
  type LatencySampler,
  type LatencySpec,
  latencySampler,
  meanLatencyMs,
  validateLatency,
} from "./latency.js";
export {
  type CanCommit,
  canCommit,
  canCommitVia,
  defaultLivenessBoundMs,
  describeState,
  type LivenessLayout,
  type NetState,
  NetStateLog,
  type ProgressReport,
  type ProgressWindow,
  progressViolations,
  stabilityViolations,
} from "./liveness.js";
export { estimateWireBytes } from "./message-size.js";
export {
  DEFAULT_LINK,
  type LinkOverride,
  type LinkSpec,
  Network,
  NetworkConfigError,
  type NetworkSpec,
} from "./network.js";
export {
  type KeyDistributionSpec,
  type KeyPicker,
  keyPicker,
  OperationGenerator,
  type OperationSpec,
  type Uniform,
} from "./operations.js";
export type {
  FaultRecord,
  HistoryEntry,
  LeadershipChange,
  MessageCounters,
  ReplicaRun,
  SimulationStats,
} from "./records.js";
export { mix32, SimRng } from "./rng.js";
export {
  CHAOS_NETWORK,
  CHAOS_TIMING,
  type ChaosCaseOptions,
  type ChaosCaseResult,
  type ClusterPreset,
  isPresetName,
  PRESETS,
  type PresetName,
  runChaosCase,
  SCHEDULES,
  type ScheduleKind,
} from "./scenarios.js";
export { type Action, Simulation } from "./simulation.js";
export { type LatencySummary, summarize } from "./stats.js";
export { MESSAGE_TYPE_CODE, TraceHash } from "./trace.js";
export {
  type ClientOperations,
  DEFAULT_MIX,
  type OperationMix,
  operationSource,
  type ResolvedWorkload,
  resolveWorkload,
  WorkloadConfigError,
  type WorkloadSpec,
} from "./workload.js";

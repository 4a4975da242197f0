// Public surface of @paxos/quorum-system. Pure TypeScript, no Node APIs: it runs inside the
// sans-IO core as well as in tools.

export { QuorumConfigError, UnsafeQuorumError } from "./errors.js";
export { type ExplicitOptions, ExplicitQuorumSystem, explicit } from "./explicit.js";
export { type FlexibleOptions, FlexibleQuorumSystem, flexible } from "./flexible.js";
export { type GridOptions, type GridOrientation, GridQuorumSystem, grid } from "./grid.js";
export {
  checkIntersection,
  checkIntersectionByEnumeration,
  MAX_ENUMERATION_ACCEPTORS,
} from "./intersection.js";
export { MajorityQuorumSystem, majority } from "./majority.js";
export { fromSpec, type QuorumSpec } from "./spec.js";
export {
  describe,
  type IntersectionResult,
  type NodeId,
  type QuorumKind,
  type QuorumSystem,
  type QuorumWitness,
} from "./types.js";

// Public surface of @paxos/analysis: client histories (parse, validate, format), the
// linearizability checker of the key-value service, and the timeline of a failing slice.
export {
  formatHistory,
  formatRecord,
  HistoryError,
  type HistoryIssue,
  type HistoryOp,
  type ParseOptions,
  parseHistory,
  validateRecord,
} from "./history.js";
export {
  type CheckOptions,
  type CheckStats,
  checkLinearizability,
  DEFAULT_TIME_BUDGET_MS,
  describeOp,
  describeSliceOp,
  type LinearizabilityResult,
  type SliceOp,
} from "./linearizability.js";
export {
  CHECKS_FILE,
  type CheckRunOptions,
  checkAndRecord,
  checkRecord,
  FAILURE_SVG,
  readHistory,
  writeFailureTimeline,
} from "./report.js";
export { type TimelineOptions, timelineSvg } from "./timeline.js";

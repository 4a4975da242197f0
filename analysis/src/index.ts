// Public surface of @paxos/analysis: client histories (parse, validate, format), the
// linearizability checker of the key-value service, and the timeline of a failing slice; the
// results of `paxos-lab run` read back, their statistics, plots, report and comparisons.

export {
  type CheckCount,
  type ExperimentStats,
  experimentStats,
  type FaultStats,
  type RunStats,
  sweepPoints,
  type VariantStats,
  variantStats,
} from "./aggregate.js";
export {
  CHECKS_FILE,
  type CheckRunOptions,
  checkAndRecord,
  checkRecord,
  FAILURE_SVG,
  HISTORY_FORMATS,
  type HistoryFormat,
  readHistory,
  writeFailureTimeline,
} from "./check-record.js";
export {
  type ComparedRun,
  type Comparison,
  compareResults,
  comparisonHtml,
  comparisonMarkdown,
  type WrittenComparison,
  writeComparison,
} from "./compare.js";
export {
  CALIBRATION_DIR,
  glance,
  PLOTS_DIR,
  REPORT_HTML,
  type ReportOptions,
  renderHtml,
  renderMarkdown,
  SUMMARY_MD,
  summaryRows,
  type WrittenReport,
  withCi,
  writeReport,
} from "./experiment-report.js";
export {
  formatHistory,
  formatRecord,
  HistoryError,
  type HistoryIssue,
  type HistoryOp,
  type KvOperation,
  type KvResult,
  type ParseOptions,
  parseHistory,
  validateRecord,
} from "./history.js";
export { parseJepsenHistory, REGISTER_KEY } from "./jepsen-history.js";
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
export { type Figure, formatNumber, renderSvg } from "./plots.js";
export { parsePorcupineKvLog } from "./porcupine-history.js";
export {
  type CheckVerdict,
  type FaultEvent,
  loadResults,
  type ResultsDir,
  ResultsError,
  type RunData,
  resolveResultsDir,
  type VariantInfo,
} from "./results.js";
export type {
  CheckSummary,
  FaultEffect,
  LatencyStats,
  RunSummary,
  SystemSummary,
} from "./run-summary.js";
export {
  type CdfPoint,
  type Estimate,
  ecdf,
  estimate,
  PERCENTILES,
  type Percentiles,
  percentiles,
  type RateBin,
  throughputPerSecond,
  tQuantile,
  windowThroughput,
} from "./stats.js";
export { type TimelineOptions, timelineSvg } from "./timeline.js";

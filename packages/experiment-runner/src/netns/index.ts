// The netns testbed (issue 13): hosts as network namespaces on a bridge, kernel-shaped links,
// nftables partitions, and the clean-up of what a crashed run left.
export { addressOf, DEFAULT_POOL, formatCidr, parseCidr } from "./addresses.js";
export { type CleanReport, cleanNetns } from "./clean.js";
export { DEFAULT_BASE, parseName, testbedNames } from "./names.js";
export { netnsPath, netnsUnavailable } from "./preflight.js";
export {
  type EgressShape,
  egressPlan,
  type LinkShape,
  type NetemSpec,
  netemArgs,
} from "./shaping.js";
export {
  HOST_DEV,
  type Host,
  type KernelFeatures,
  liveTestbeds,
  Testbed,
  type TestbedOptions,
} from "./testbed.js";

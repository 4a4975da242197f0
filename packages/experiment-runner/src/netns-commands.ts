// `paxos-lab netns clean [--prefix pl] [--force]`: removes the namespaces, veths and bridges a
// crashed netns run left behind (their nftables rules and qdiscs live inside the namespaces and
// go with them). Only names with our prefix are touched, and only when their runner is gone.

import { cleanNetns, netnsUnavailable } from "./netns/index.js";

export async function cmdNetnsClean(
  flags: { prefix: string; force: boolean },
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const why = netnsUnavailable();
  if (why !== undefined) {
    err(`paxos-lab netns clean: ${why.replace(/; or use --mode local$/, "")}`);
    return 2;
  }
  let report: Awaited<ReturnType<typeof cleanNetns>>;
  try {
    report = await cleanNetns(flags.prefix, { force: flags.force });
  } catch (e) {
    err(`paxos-lab netns clean: ${(e as Error).message}`);
    return 2;
  }
  for (const r of report.removed) out(`removed ${r}`);
  for (const s of report.skipped) out(`left alone: ${s} (--force removes it anyway)`);
  if (report.removed.length === 0 && report.skipped.length === 0) {
    out(`nothing to clean: no namespace, link or bridge named ${flags.prefix}<pid>-<n>...`);
  }
  return 0;
}

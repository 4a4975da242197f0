// The checks a JSON Schema cannot express, each problem with its JSON path and a hint: ids that
// name no node of some variant, a latency matrix that is not square, a mix whose weights are all
// 0, warm-up and cool-down that leave no run, a fault schedule that restarts a node that is up.

import { simOnlyLinkIssues } from "../chaos/resolve.js";
import { EVERY_REF, LEADER_REF } from "../faults/refs.js";
import { clusterNodes } from "./layout.js";
import { range } from "./sweep.js";
import type { ConfigIssue, Fault, Latency, ResolvedConfig } from "./types.js";
import { closest } from "./validate.js";

// the node references of faults live with the fault players (a leaf both import)
export { EVERY_REF, LEADER_REF };

/** The ids a variant's cluster has, for checking references. */
export interface Scope {
  label: string;
  nodes: string[];
  clients: string[];
}

export function scopeOf(config: ResolvedConfig, q: ResolvedConfig["quorums"][number]): Scope {
  return {
    label: q.label,
    nodes: clusterNodes(config.cluster, q.acceptors).map((n) => n.id),
    clients: range(1, config.workload.clients.count).map((k) => `c${k}`),
  };
}

/** An issue when `id` names no node in some variant; `leaderOk` admits "@leader". */
function checkRef(
  id: string,
  path: string,
  variants: Scope[],
  issues: ConfigIssue[],
  opts: { leaderOk: boolean; clientsOk: boolean; everyOk?: boolean },
): void {
  if (id === EVERY_REF && opts.everyOk) return;
  if (id === LEADER_REF) {
    if (!opts.leaderOk) {
      issues.push({
        path,
        message: `"${LEADER_REF}" is only meaningful in faults`,
        hint: "static settings name nodes by id",
      });
    }
    return;
  }
  for (const v of variants) {
    const ids = opts.clientsOk ? [...v.nodes, ...v.clients] : v.nodes;
    if (!ids.includes(id)) {
      const guess = closest(id, ids);
      issues.push({
        path,
        message: `${JSON.stringify(id)} names no node${variants.length > 1 ? ` of variant ${JSON.stringify(v.label)}` : ""}`,
        hint: `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ""}nodes: ${ids.join(", ")}${opts.leaderOk ? `, or "${LEADER_REF}"` : ""}`,
      });
      return;
    }
  }
}

export function checkNetwork(
  config: ResolvedConfig,
  variants: Scope[],
  issues: ConfigIssue[],
): void {
  const net = config.network;
  checkLatency(net.default.latency, "/network/default/latency", issues);
  simOnlyLinkIssues(net.default, "/network/default", config.mode, issues);
  if (config.mode === "local" && net.uplinkMbps !== undefined) {
    issues.push({
      path: "/network/uplinkMbps",
      message: 'a node uplink is simulated only (mode is "local")',
      hint: "the transport shapes each destination on its own: use network.default.bandwidthMbps in local mode, or run with --mode sim",
    });
  }
  net.links.forEach((l, i) => {
    simOnlyLinkIssues(l, `/network/links/${i}`, config.mode, issues);
    checkRef(l.from, `/network/links/${i}/from`, variants, issues, {
      leaderOk: false,
      clientsOk: true,
    });
    checkRef(l.to, `/network/links/${i}/to`, variants, issues, {
      leaderOk: false,
      clientsOk: true,
    });
    if (l.latency) checkLatency(l.latency, `/network/links/${i}/latency`, issues);
  });
  const sites = net.sites;
  const names = sites?.names ?? [];
  if (sites) {
    if (sites.latencyMs.length !== names.length) {
      issues.push({
        path: "/network/sites/latencyMs",
        message: `the matrix has ${sites.latencyMs.length} rows for ${names.length} sites`,
        hint: "one row per site, in the order of `names`",
      });
    }
    sites.latencyMs.forEach((row, i) => {
      if (row.length !== names.length) {
        issues.push({
          path: `/network/sites/latencyMs/${i}`,
          message: `row ${i} has ${row.length} entries for ${names.length} sites`,
          hint: "the matrix is square: latencyMs[i][j] is the delay from site i to site j",
        });
      }
    });
    if (sites.placement !== "round-robin") {
      for (const [id, site] of Object.entries(sites.placement)) {
        const path = `/network/sites/placement/${id}`;
        checkRef(id, path, variants, issues, { leaderOk: false, clientsOk: true });
        if (!names.includes(site)) {
          issues.push({
            path,
            message: `site ${JSON.stringify(site)} is not in network.sites.names`,
            hint: `sites: ${names.join(", ")}`,
          });
        }
      }
    }
  }
  (config.cluster.nodes ?? []).forEach((n, i) => {
    if (n.site === undefined) return;
    if (!sites) {
      issues.push({
        path: `/cluster/nodes/${i}/site`,
        message: `node ${n.id} is placed in site ${JSON.stringify(n.site)} but network.sites is missing`,
        hint: 'define the sites: "network": {"sites": {"names": [...], "latencyMs": [[...]]}}',
      });
    } else if (!names.includes(n.site)) {
      issues.push({
        path: `/cluster/nodes/${i}/site`,
        message: `site ${JSON.stringify(n.site)} is not in network.sites.names`,
        hint: `sites: ${names.join(", ")}`,
      });
    }
  });
}

function checkLatency(l: Latency, path: string, issues: ConfigIssue[]): void {
  if (l.dist === "uniform" && l.maxMs < l.minMs) {
    issues.push({
      path: `${path}/maxMs`,
      message: `maxMs = ${l.maxMs} is below minMs = ${l.minMs}`,
      hint: "a uniform delay is drawn from [minMs, maxMs]",
    });
  }
}

export function checkWorkload(config: ResolvedConfig, issues: ConfigIssue[]): void {
  const w = config.workload;
  const { get, put, delete: del, cas } = w.mix;
  if (get + put + del + cas <= 0) {
    issues.push({
      path: "/workload/mix",
      message: "every operation weight is 0",
      hint: 'give at least one operation a positive weight, e.g. {"get": 0.5, "put": 0.5}',
    });
  }
  if (w.warmupMs + w.cooldownMs >= w.durationMs) {
    issues.push({
      path: "/workload/warmupMs",
      message: `warm-up ${w.warmupMs} ms + cool-down ${w.cooldownMs} ms leave nothing of the ${w.durationMs} ms run`,
      hint: "durationMs includes warm-up and cool-down: make it longer or them shorter",
    });
  }
  const d = w.keys.distribution;
  if (d.type === "hotKey" && d.hotKeys > w.keys.count) {
    issues.push({
      path: "/workload/keys/distribution/hotKeys",
      message: `${d.hotKeys} hot keys out of ${w.keys.count} keys`,
      hint: "hotKeys must not exceed keys.count",
    });
  }
}

/** Checks a fault list (the config's, or a chaos schedule's) whose JSON path is `base`. */
export function checkFaultList(
  faults: readonly Fault[],
  base: string,
  config: ResolvedConfig,
  variants: Scope[],
  issues: ConfigIssue[],
): void {
  const opts = { leaderOk: true, clientsOk: false };
  const order = faults.map((f, i) => ({ f, i })).sort((a, b) => a.f.atMs - b.f.atMs || a.i - b.i);
  const down: string[] = [];
  for (const { f, i } of order) {
    const path = `${base}/${i}`;
    if (f.atMs > config.workload.durationMs) {
      issues.push({
        path: `${path}/atMs`,
        message: `at ${f.atMs} ms, after the run ends (durationMs = ${config.workload.durationMs})`,
        hint: "fault times count from the start of the run, warm-up included",
      });
    }
    switch (f.action) {
      case "crash":
      case "restart": {
        checkRef(f.node, `${path}/node`, variants, issues, opts);
        const at = down.indexOf(f.node);
        if (f.action === "crash") {
          if (at >= 0 && f.node !== LEADER_REF) {
            issues.push({
              path: `${path}/node`,
              message: `${f.node} is already down at ${f.atMs} ms`,
              hint: "restart it before crashing it again",
            });
          } else down.push(f.node);
        } else if (at < 0) {
          issues.push({
            path: `${path}/node`,
            message: `restart of ${f.node}, which is not down at ${f.atMs} ms`,
            hint:
              f.node === LEADER_REF
                ? `"${LEADER_REF}" in a restart means the node an earlier crash of "${LEADER_REF}" took down`
                : "crash it earlier in the schedule",
          });
        } else down.splice(at, 1);
        break;
      }
      case "partition": {
        const seen = new Set<string>();
        for (const [j, g] of f.groups.entries()) {
          for (const [k, id] of g.entries()) {
            checkRef(id, `${path}/groups/${j}/${k}`, variants, issues, opts);
            if (seen.has(id)) {
              issues.push({
                path: `${path}/groups/${j}/${k}`,
                message: `${id} is in two groups`,
                hint: "partition groups are disjoint",
              });
            }
            seen.add(id);
          }
        }
        break;
      }
      case "isolate":
        checkRef(f.node, `${path}/node`, variants, issues, opts);
        break;
      case "heal":
        break;
      case "recover":
        down.length = 0;
        break;
      case "link":
        checkRef(f.from, `${path}/from`, variants, issues, { ...opts, everyOk: true });
        checkRef(f.to, `${path}/to`, variants, issues, { ...opts, everyOk: true });
        if (f.from === f.to && f.from !== EVERY_REF) {
          issues.push({
            path: `${path}/to`,
            message: "a link joins two different nodes",
            hint: "from and to must differ",
          });
        }
        if ((f.set === undefined) === (f.reset !== true)) {
          issues.push({
            path: f.set === undefined ? path : `${path}/reset`,
            message:
              f.set === undefined
                ? 'a link fault needs "set" (new settings) or "reset": true'
                : "a link fault either sets new settings or resets them, not both",
            hint: 'e.g. {"action": "link", "from": "n1", "to": "*", "set": {"loss": 0.1}}',
          });
        }
        if (f.set?.latency) checkLatency(f.set.latency, `${path}/set/latency`, issues);
        simOnlyLinkIssues(f.set, `${path}/set`, config.mode, issues);
        break;
    }
  }
}

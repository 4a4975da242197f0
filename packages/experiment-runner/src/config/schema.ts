// The JSON Schema of an experiment config. This object is the source of truth: `paxos-lab
// schema` prints it, configs/schema.json is a copy of it (a test keeps the two equal), and ajv
// validates every config against it in strict mode. Every object is closed
// (`additionalProperties: false`) so a typo fails loudly instead of falling back to a default.
// The `description` of a property doubles as the one-line hint printed with an error about it.

import { TIMING_KEYS } from "@paxos/core";
import type { Nemesis as SimNemesis } from "@paxos/simulator";
import { SYSTEMS_PROPERTIES } from "../systems/schema.js";

const ms = (description: string) => ({ type: "number", minimum: 0, description }) as const;

const probability = (description: string) =>
  ({ type: "number", minimum: 0, maximum: 1, description }) as const;

/** The same schema for each of `keys`: a closed set of properties with one shape. */
function eachOf<K extends string, S>(keys: readonly K[], schemaOf: (key: K) => S): Record<K, S> {
  return Object.fromEntries(keys.map((k) => [k, schemaOf(k)])) as Record<K, S>;
}

const nodeRef = {
  type: "string",
  minLength: 1,
  description:
    'a node id of the cluster (n1.., or a1.., r1.., l1.. when not colocated; clients are c1..), or "@leader" for the current leader',
} as const;

const latency = {
  type: "object",
  description:
    'one-way delay: {"dist": "constant", "ms": 5}, "uniform" (minMs, maxMs), "normal" (meanMs, stddevMs) or "exponential" (meanMs)',
  discriminator: { propertyName: "dist" },
  oneOf: [
    {
      type: "object",
      additionalProperties: false,
      required: ["dist", "ms"],
      properties: {
        dist: { const: "constant", description: "every message takes exactly `ms`" },
        ms: ms("the one-way delay in ms"),
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["dist", "minMs", "maxMs"],
      properties: {
        dist: { const: "uniform", description: "delay drawn uniformly from [minMs, maxMs]" },
        minMs: ms("smallest one-way delay in ms"),
        maxMs: ms("largest one-way delay in ms (>= minMs)"),
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["dist", "meanMs", "stddevMs"],
      properties: {
        dist: { const: "normal", description: "normal delay, clamped at 0" },
        meanMs: ms("mean one-way delay in ms"),
        stddevMs: ms("standard deviation in ms"),
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["dist", "meanMs"],
      properties: {
        dist: { const: "exponential", description: "exponentially distributed delay" },
        meanMs: ms("mean one-way delay in ms"),
      },
    },
  ],
} as const;

const linkProperties = {
  latency,
  jitterMs: ms(
    "per-message delay change drawn uniformly from [-jitterMs, +jitterMs], clamped at 0",
  ),
  loss: probability("probability that a message on this link is dropped, 0..1"),
  bandwidthMbps: {
    type: "number",
    exclusiveMinimum: 0,
    description: "link capacity in Mbit/s (messages queue behind each other); omit for unlimited",
  },
  duplicate: probability(
    "sim only: probability that a message arrives twice (TCP never duplicates: not in local mode)",
  ),
  reorder: probability(
    "sim only: probability that a message is held back by up to 10 ms, so later ones overtake it (not in local mode)",
  ),
} as const;

const linkEnd = {
  type: "string",
  minLength: 1,
  description:
    'a node id, "@leader" for the current leader, or "*" for every other node (in sim mode the simulated clients too)',
} as const;

const link = {
  type: "object",
  additionalProperties: false,
  description: "a link's behaviour: latency, jitterMs, loss, bandwidthMbps",
  properties: linkProperties,
} as const;

/** The default link: a link whose unset latency, jitter and loss have defaults. */
const defaultLink = {
  ...link,
  description: "every link's behaviour unless an override says otherwise",
  default: {},
  properties: {
    ...linkProperties,
    latency: { ...latency, default: { dist: "constant", ms: 1 } },
    jitterMs: { ...linkProperties.jitterMs, default: 0 },
    loss: { ...linkProperties.loss, default: 0 },
  },
} as const;

const variantCommon = {
  label: {
    type: "string",
    minLength: 1,
    description: "the variant's name in tables and file names (default: the quorum's description)",
  },
  acceptors: {
    type: "integer",
    minimum: 1,
    maximum: 64,
    description:
      "number of acceptors for this variant (overrides cluster.acceptors; counts form only)",
  },
  thrifty: {
    type: "boolean",
    description: "send phase 2 to a minimal quorum only (overrides engine.thrifty)",
  },
  allowUnsafe: {
    type: "boolean",
    description: "run this variant even though its phase-1 and phase-2 quorums do not intersect",
  },
} as const;

const range = (description: string) =>
  ({
    type: "object",
    additionalProperties: false,
    description,
    properties: {
      from: { type: "integer", minimum: 1, description: "first value (inclusive)" },
      to: { type: "integer", minimum: 1, description: "last value (inclusive)" },
    },
  }) as const;

const idSets = (description: string) =>
  ({
    type: "array",
    minItems: 1,
    description,
    items: { type: "array", minItems: 1, items: { type: "string", minLength: 1 } },
  }) as const;

const quorumVariant = {
  type: "object",
  description:
    'a quorum system to compare: {"kind": "majority"}, "flexible" (phase1, phase2), "grid" (rows, columns), "explicit" (phase1, phase2 sets) or "sweep"',
  discriminator: { propertyName: "kind" },
  oneOf: [
    {
      type: "object",
      additionalProperties: false,
      required: ["kind"],
      properties: {
        kind: { const: "majority", description: "any majority of the acceptors" },
        ...variantCommon,
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["kind", "phase1", "phase2"],
      properties: {
        kind: { const: "flexible", description: "quorums by size: phase1 + phase2 > n" },
        phase1: { type: "integer", minimum: 1, description: "size of every phase-1 quorum" },
        phase2: { type: "integer", minimum: 1, description: "size of every phase-2 quorum" },
        ...variantCommon,
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["kind", "rows", "columns"],
      properties: {
        kind: { const: "grid", description: "acceptors laid out row-major in a grid" },
        rows: { type: "integer", minimum: 1, description: "grid rows; rows * columns = acceptors" },
        columns: {
          type: "integer",
          minimum: 1,
          description: "grid columns; rows * columns = acceptors",
        },
        phase1: {
          enum: ["row", "column"],
          description: '"row": a full row is a phase-1 quorum (default); "column": the transpose',
        },
        ...variantCommon,
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["kind", "phase1", "phase2"],
      properties: {
        kind: { const: "explicit", description: "quorums listed set by set" },
        phase1: idSets("the phase-1 quorums, each a list of acceptor ids"),
        phase2: idSets("the phase-2 quorums, each a list of acceptor ids"),
        ...variantCommon,
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["kind"],
      properties: {
        kind: {
          const: "sweep",
          description:
            "expands into flexible variants: phase2 over a range, phase1 = n - phase2 + 1",
        },
        label: {
          type: "string",
          minLength: 1,
          description:
            'label template; {n}, {phase1} and {phase2} are replaced (default "n={n} p1={phase1} p2={phase2}")',
        },
        acceptors: {
          description:
            "acceptor count(s) to sweep: a number or {from, to} (default cluster.acceptors)",
          anyOf: [{ type: "integer", minimum: 1, maximum: 64 }, range("acceptor counts from..to")],
        },
        phase2: range("phase-2 sizes to sweep (default from 1 to floor(n/2)+1)"),
        thrifty: variantCommon.thrifty,
      },
    },
  ],
} as const;

const faultCommon = {
  atMs: ms("when the fault happens, in ms from the start of the run (warm-up included)"),
} as const;

const fault = {
  type: "object",
  description:
    'a timed fault: {"atMs": 2000, "action": "crash", "node": "@leader"}; actions: crash, restart, partition, isolate, heal, link, recover',
  discriminator: { propertyName: "action" },
  oneOf: [
    {
      type: "object",
      additionalProperties: false,
      required: ["atMs", "action", "node"],
      properties: {
        ...faultCommon,
        action: { const: "crash", description: "the node stops; what it persisted survives" },
        node: nodeRef,
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["atMs", "action", "node"],
      properties: {
        ...faultCommon,
        action: {
          const: "restart",
          description:
            'a crashed node starts again ("@leader": the node the last crash of @leader took down)',
        },
        node: nodeRef,
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["atMs", "action", "groups"],
      properties: {
        ...faultCommon,
        action: {
          const: "partition",
          description: "nodes in different groups cannot talk; nodes in no group reach everyone",
        },
        groups: {
          type: "array",
          minItems: 2,
          description: 'two or more disjoint groups of node ids, e.g. [["@leader"], ["n2", "n3"]]',
          items: { type: "array", minItems: 1, items: nodeRef },
        },
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["atMs", "action", "node"],
      properties: {
        ...faultCommon,
        action: {
          const: "isolate",
          description:
            "cuts the node off from every other node of the cluster (clients still reach it) until a heal",
        },
        node: nodeRef,
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["atMs", "action"],
      properties: {
        ...faultCommon,
        action: { const: "heal", description: "ends every partition" },
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["atMs", "action", "from", "to"],
      properties: {
        ...faultCommon,
        action: {
          const: "link",
          description:
            'changes links from now on: "set" new behaviour, or "reset" to the configured one',
        },
        from: linkEnd,
        to: linkEnd,
        symmetric: {
          type: "boolean",
          description: "also change the link to -> from",
          default: true,
        },
        set: link,
        reset: {
          type: "boolean",
          description: "true: back to the network section's settings (instead of `set`)",
        },
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["atMs", "action"],
      properties: {
        ...faultCommon,
        action: {
          const: "recover",
          description: "the end of every fault: heal, reset every link, restart every crashed node",
        },
      },
    },
  ],
} as const;

/** [min, max] of non-negative numbers */
const span = (description: string) => {
  const bound = { type: "number", minimum: 0 } as const;
  return {
    type: "array",
    description,
    items: [bound, bound],
    minItems: 2,
    additionalItems: false,
  } as const;
};

/** [min, max] of probabilities */
const probabilitySpan = (description: string) => {
  const bound = { type: "number", minimum: 0, maximum: 1 } as const;
  return { ...span(description), items: [bound, bound] } as const;
};

/**
 * The nemeses a `chaos` section mixes (the simulator's chaos generator, @paxos/simulator's
 * src/chaos/schedule.ts, plays them), with what each does.
 */
const nemesisWeights = {
  crash: "crash a random node (SIGKILL in local mode) and restart it later",
  killLeader: "crash the current leader and restart it later",
  partitionHalves: "split the nodes into two random halves (clients reach both)",
  isolateLeader: "cut the current leader off from the other nodes",
  bridge: "two halves that cannot talk, and one bridge node both halves see",
  slowLink: "slow the links of one node (to one peer or to all): latency from intensity.slowMs",
  lossyLink: "drop messages on the links of one node: loss rate from intensity.loss",
  duplicate: "sim only: duplicate messages on every link (intensity.duplicate)",
  reorder: "sim only: reorder messages on every link (intensity.reorder)",
  weather:
    "sim only: loss, duplication and reordering on every link at once (intensity.loss, .duplicate, .reorder)",
} as const satisfies Record<SimNemesis, string>;
export type Nemesis = keyof typeof nemesisWeights;
export const NEMESES = Object.keys(nemesisWeights) as readonly Nemesis[];

const chaos = {
  type: "object",
  additionalProperties: false,
  description:
    "random faults from the run's seed: rate, mix of nemeses, fault lengths, heal-by time; resolved into a concrete schedule per run",
  properties: {
    startMs: ms("no fault before this time (default: workload.warmupMs)"),
    healByMs: ms(
      "every fault is over at this time: healed, links reset, crashed nodes restarted (default: durationMs - resumeWithinMs - finalReadsWithinMs/2, at least startMs)",
    ),
    rate: {
      type: "number",
      exclusiveMinimum: 0,
      description: "faults per second on average (or give meanIntervalMs; default 1)",
    },
    meanIntervalMs: {
      type: "number",
      exclusiveMinimum: 0,
      description: "mean time between faults in ms (or give rate)",
    },
    mix: {
      type: "object",
      additionalProperties: false,
      description:
        "relative weight of each nemesis; one left out weighs 0 (no mix: every nemesis the mode can play weighs 1; duplicate and reorder are sim only)",
      properties: eachOf(
        NEMESES,
        (k) =>
          ({
            type: "number",
            minimum: 0,
            description: `weight: ${nemesisWeights[k]}`,
          }) as const,
      ),
    },
    faultDurationMs: {
      ...span("[min, max]: how long one fault lasts, drawn uniformly"),
      default: [300, 2000],
    },
    maxConcurrentCrashes: {
      type: "integer",
      minimum: 0,
      description:
        "most nodes down at once (default: as many as every variant's quorum system, leaders and replicas tolerate)",
    },
    allowUnavailable: {
      type: "boolean",
      default: false,
      description:
        "allow maxConcurrentCrashes beyond what the cluster tolerates (it then stalls until restarts)",
    },
    quietMs: ms(
      "after every moment when all faults are over, no new fault for this long, so that commits can be seen to resume (default: resumeWithinMs)",
    ),
    resumeWithinMs: ms(
      "liveness bound: operations must complete within this long after every heal (default from engine timing: 2 x (leaderTimeoutMs + electionBackoffMaxMs) + clientRetryMaxMs)",
    ),
    minOpsAfterHeal: {
      type: "integer",
      minimum: 1,
      default: 1,
      description: "operations that must complete within resumeWithinMs after every heal",
    },
    finalReads: {
      type: "boolean",
      default: true,
      description:
        "after the workload, read every key the run touched, so a lost acknowledged write shows in the history",
    },
    finalReadsWithinMs: ms("how long the final reads may take (default: resumeWithinMs)"),
    intensity: {
      type: "object",
      additionalProperties: false,
      description: "[min, max] ranges the link nemeses draw from",
      default: {},
      properties: {
        slowMs: { ...span("one-way latency of a slowed link in ms"), default: [5, 50] },
        loss: { ...probabilitySpan("loss rate of a lossy link"), default: [0.05, 0.3] },
        duplicate: { ...probabilitySpan("duplication rate"), default: [0.05, 0.3] },
        reorder: { ...probabilitySpan("reordering rate"), default: [0.1, 0.5] },
      },
    },
    schedules: {
      type: "array",
      description:
        "the resolved schedules, one per variant and seed (written into the results' config.json: a run replays from it; edit one to shrink a failure)",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["variant", "seed", "mode", "maxConcurrentCrashes", "faults"],
        properties: {
          variant: { type: "string", minLength: 1, description: "the variant's label" },
          seed: { type: "integer", minimum: 0, description: "the run's seed (seed + repetition)" },
          mode: { enum: ["sim", "local", "netns"], description: "the mode it was resolved for" },
          maxConcurrentCrashes: {
            type: "integer",
            minimum: 0,
            description: "crashed nodes at most at once",
          },
          faults: { type: "array", description: "the timed faults", items: fault },
        },
      },
    },
  },
} as const;

export const CONFIG_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://paxos-toolkit.invalid/configs/schema.json",
  title: "paxos-lab experiment config",
  description:
    "One experiment: a cluster, quorum variants compared side by side, a network, a workload and a fault schedule.",
  type: "object",
  additionalProperties: false,
  required: ["name", "cluster", "quorums"],
  properties: {
    $schema: { type: "string", description: "path to this schema, for editors" },
    name: {
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
      maxLength: 80,
      description: "short name used in the results folder: letters, digits, . _ -",
    },
    description: {
      type: "string",
      default: "",
      description: "what the experiment is about, for humans",
    },
    mode: {
      enum: ["sim", "local", "netns"],
      default: "sim",
      description:
        '"sim" (simulator, virtual time), "local" (real processes on loopback) or "netns" (real processes, each a host in its own Linux network namespace on a bridge, links shaped by the kernel; needs root)',
    },
    netns: {
      type: "object",
      additionalProperties: false,
      description:
        "netns mode only: where its hosts live (every name carries the run prefix, so runs at once do not collide)",
      properties: {
        subnet: {
          type: "string",
          description:
            "the hosts' IPv4 subnet, e.g. 10.213.7.0/24 (the bridge takes the first address); default: a free /24 of the pool",
        },
        pool: {
          type: "string",
          default: "10.213.0.0/16",
          description: "where a free /24 is picked when no subnet is given",
        },
        prefix: {
          type: "string",
          pattern: "^[a-z][a-z0-9]{0,3}$",
          default: "pl",
          description:
            "base of every namespace, link and table name (1-4 lowercase letters or digits); `paxos-lab netns clean --prefix` takes the same",
        },
        bridge: { type: "string", description: "the bridge's name (default <prefix><pid>-<n>br)" },
      },
    },
    seed: {
      type: "integer",
      minimum: 0,
      maximum: 4294967295,
      default: 1,
      description: "seed of every random choice; repetition r uses seed + r",
    },
    repetitions: {
      type: "integer",
      minimum: 1,
      maximum: 1000,
      default: 1,
      description: "how many times each variant runs",
    },
    cluster: {
      type: "object",
      additionalProperties: false,
      description:
        'either counts {"acceptors": 5, "replicas": 3, "leaders": 2, "colocated": true} or {"nodes": [{"id", "roles"}]}',
      properties: {
        acceptors: {
          type: "integer",
          minimum: 1,
          maximum: 64,
          description: "number of acceptors (counts form)",
        },
        replicas: {
          type: "integer",
          minimum: 1,
          maximum: 64,
          description: "number of replicas (counts form, default min(3, acceptors))",
        },
        leaders: {
          type: "integer",
          minimum: 1,
          maximum: 64,
          description: "number of leaders (counts form, default min(2, acceptors))",
        },
        colocated: {
          type: "boolean",
          description:
            "true: nodes n1.. each host several roles; false: a1.., r1.., l1.. (counts form, default true)",
        },
        nodes: {
          type: "array",
          minItems: 1,
          description: 'explicit nodes: [{"id": "n1", "roles": ["replica", "leader", "acceptor"]}]',
          items: {
            type: "object",
            additionalProperties: false,
            required: ["id", "roles"],
            properties: {
              id: {
                type: "string",
                pattern: "^[A-Za-z0-9][A-Za-z0-9_-]*$",
                description: "the node's id: letters, digits, _ -",
              },
              roles: {
                type: "array",
                minItems: 1,
                uniqueItems: true,
                description:
                  'any of "replica", "leader", "acceptor" (clients come from the workload)',
                items: { enum: ["replica", "leader", "acceptor"] },
              },
              site: {
                type: "string",
                minLength: 1,
                description: "the network site this node is in",
              },
            },
          },
        },
      },
    },
    quorums: {
      type: "array",
      minItems: 1,
      description: "the quorum systems compared side by side, one variant each",
      items: quorumVariant,
    },
    engine: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "engine options: thrifty, window, maxBatch, hostTurn, timing",
      properties: {
        thrifty: {
          type: "boolean",
          default: false,
          description: "send phase 2 to a minimal phase-2 quorum first (thrifty Paxos)",
        },
        window: {
          type: "integer",
          minimum: 1,
          description: "slots a replica may propose ahead of the last applied one",
        },
        maxBatch: { type: "integer", minimum: 1, description: "commands packed into one slot" },
        hostTurn: {
          type: "object",
          additionalProperties: false,
          description:
            "sim only: modelled CPU time of one host turn (fixedUs + perMessageUs per message received or sent); what reaches a busy node waits for its next turn, so batches grow under load as on real processes (default: turns take no time)",
          properties: {
            fixedUs: { type: "number", minimum: 0, description: "per turn (microseconds)" },
            perMessageUs: {
              type: "number",
              minimum: 0,
              description: "per message received or sent (microseconds)",
            },
          },
        },
        timing: {
          type: "object",
          additionalProperties: false,
          default: {},
          description: `engine timeouts in ms: ${TIMING_KEYS.join(", ")}`,
          properties: eachOf(
            TIMING_KEYS,
            (k) =>
              ({
                type: "number",
                exclusiveMinimum: 0,
                description: `${k} (ms)`,
              }) as const,
          ),
        },
      },
    },
    network: {
      type: "object",
      additionalProperties: false,
      default: {},
      description:
        "default link, per-link overrides, sites with a latency matrix, a node uplink cap",
      properties: {
        default: defaultLink,
        uplinkMbps: {
          type: "number",
          exclusiveMinimum: 0,
          description:
            "sim only: every node's total sending capacity in Mbit/s, shared by all its links (its network card); a leader's p2a to every acceptor queue behind each other, which is what thrifty phase 2 and small phase-2 quorums save",
        },
        links: {
          type: "array",
          default: [],
          description: 'per-link overrides: [{"from": "n1", "to": "n2", "latency": ...}]',
          items: {
            type: "object",
            additionalProperties: false,
            required: ["from", "to"],
            properties: {
              from: nodeRef,
              to: nodeRef,
              symmetric: {
                type: "boolean",
                default: true,
                description: "also apply to the link to -> from",
              },
              ...linkProperties,
            },
          },
        },
        sites: {
          type: "object",
          additionalProperties: false,
          required: ["names", "latencyMs"],
          description: "named sites and a one-way latency matrix between them, to model a WAN",
          properties: {
            names: {
              type: "array",
              minItems: 1,
              uniqueItems: true,
              items: { type: "string", minLength: 1 },
              description: "the site names, in the order of the matrix rows",
            },
            latencyMs: {
              type: "array",
              description:
                "square matrix: latencyMs[i][j] is the one-way delay from site i to site j",
              items: { type: "array", items: { type: "number", minimum: 0 } },
            },
            jitterMs: { ...ms("jitter (+-ms) on every inter-site message"), default: 0 },
            placement: {
              default: "round-robin",
              description:
                '"round-robin" (node k of each role goes to site k mod sites) or {"nodeId": "site"}',
              anyOf: [
                { enum: ["round-robin"] },
                {
                  type: "object",
                  additionalProperties: { type: "string", minLength: 1 },
                },
              ],
            },
          },
        },
      },
    },
    workload: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "clients, operation mix, keys, value size, duration, warm-up, cool-down",
      properties: {
        clients: {
          type: "object",
          default: { type: "closed" },
          description:
            '{"type": "closed", "count": 4, "outstanding": 1} or {"type": "open", "ratePerSec": 1000, "count": 4}',
          discriminator: { propertyName: "type" },
          oneOf: [
            {
              type: "object",
              additionalProperties: false,
              required: ["type"],
              properties: {
                type: {
                  const: "closed",
                  description: "each client keeps `outstanding` requests in flight",
                },
                count: {
                  type: "integer",
                  minimum: 1,
                  maximum: 1000,
                  default: 4,
                  description: "number of clients",
                },
                outstanding: {
                  type: "integer",
                  minimum: 1,
                  maximum: 10000,
                  default: 1,
                  description: "requests in flight per client",
                },
              },
            },
            {
              type: "object",
              additionalProperties: false,
              required: ["type", "ratePerSec"],
              properties: {
                type: {
                  const: "open",
                  description: "requests arrive at a fixed rate (Poisson), whatever the latency",
                },
                ratePerSec: {
                  type: "number",
                  exclusiveMinimum: 0,
                  description: "total arrival rate over all clients, per second",
                },
                count: {
                  type: "integer",
                  minimum: 1,
                  maximum: 1000,
                  default: 4,
                  description: "number of clients the rate is spread over",
                },
                maxOutstanding: {
                  type: "integer",
                  minimum: 1,
                  default: 1000,
                  description:
                    "cap on requests in flight per client; arrivals beyond it are dropped and counted",
                },
              },
            },
          ],
        },
        mix: {
          type: "object",
          additionalProperties: false,
          description: "relative weights of operations; one left out weighs 0",
          default: { get: 0.5, put: 0.5 },
          properties: eachOf(
            ["get", "put", "delete", "cas"],
            (op) =>
              ({
                type: "number",
                minimum: 0,
                default: 0,
                description: `weight of ${op}`,
              }) as const,
          ),
        },
        keys: {
          type: "object",
          additionalProperties: false,
          default: {},
          description:
            'key space: {"count": 1000, "distribution": {"type": "zipfian", "exponent": 0.99}}',
          properties: {
            count: {
              type: "integer",
              minimum: 1,
              default: 1000,
              description: "number of distinct keys",
            },
            distribution: {
              type: "object",
              default: { type: "uniform" },
              description:
                '{"type": "uniform"}, {"type": "zipfian", "exponent": 0.99} or {"type": "hotKey", ...}',
              discriminator: { propertyName: "type" },
              oneOf: [
                {
                  type: "object",
                  additionalProperties: false,
                  required: ["type"],
                  properties: {
                    type: { const: "uniform", description: "every key equally likely" },
                  },
                },
                {
                  type: "object",
                  additionalProperties: false,
                  required: ["type"],
                  properties: {
                    type: { const: "zipfian", description: "key k has weight 1 / k^exponent" },
                    exponent: {
                      type: "number",
                      exclusiveMinimum: 0,
                      default: 0.99,
                      description: "skew; 0.99 is YCSB's default",
                    },
                  },
                },
                {
                  type: "object",
                  additionalProperties: false,
                  required: ["type"],
                  properties: {
                    type: { const: "hotKey", description: "a few hot keys take a fixed share" },
                    hotKeys: {
                      type: "integer",
                      minimum: 1,
                      default: 1,
                      description: "how many keys are hot",
                    },
                    hotFraction: {
                      ...probability("share of operations that go to the hot keys"),
                      default: 0.9,
                    },
                  },
                },
              ],
            },
          },
        },
        valueSizeBytes: {
          type: "integer",
          minimum: 0,
          maximum: 1048576,
          default: 64,
          description: "size of every written value in bytes",
        },
        durationMs: {
          type: "number",
          exclusiveMinimum: 0,
          default: 5000,
          description: "length of one run in ms, warm-up and cool-down included",
        },
        warmupMs: { ...ms("first part of the run excluded from statistics"), default: 1000 },
        cooldownMs: { ...ms("last part of the run excluded from statistics"), default: 500 },
      },
    },
    faults: {
      type: "array",
      default: [],
      description: "timed faults, applied the same way in every mode",
      items: fault,
    },
    chaos,
    liveness: {
      type: "object",
      additionalProperties: false,
      description:
        "the during-fault liveness check: while a fault leaves a leader connected to a phase-1 and a phase-2 quorum and to a replica clients reach, commits must continue",
      properties: {
        withinMs: {
          type: "number",
          exclusiveMinimum: 0,
          description:
            "the longest stretch without a commit allowed then (default: 4 x leaderTimeoutMs + proposeRetryMs + clientRetryMs of the engine's timing)",
        },
        check: { type: "boolean", description: "run the check (default true)" },
      },
    },
    ...SYSTEMS_PROPERTIES,
  },
} as const;

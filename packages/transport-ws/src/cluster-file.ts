// The cluster file: which processes exist, where they listen, which roles they play, how the
// quorums are formed, and the knobs of the engine, the wire and the emulated links. It comes
// from disk, so it is validated with a JSON schema (unknown keys rejected) plus the checks a
// schema cannot express (unique ids and addresses, the quorum spec, known peers in link
// rules). Every error names the JSON path and the offending value.
//
// The experiment runner loads cluster files through `loadCluster` / `parseCluster` too.

import { readFileSync } from "node:fs";
import {
  type ClientOptions,
  type ClusterLayout,
  DEFAULT_LIMITS,
  DEFAULT_REPLICA,
  type LeaderOptions,
  type Limits,
  type ReplicaOptions,
  type Role,
  TIMING_KEYS,
  type Timing,
} from "@paxos/core";
import { fromSpec, type QuorumSpec } from "@paxos/quorum-system";
import { Ajv, type ErrorObject } from "ajv";
import { type LinkSpec, linkSpecSchema } from "./link-emulation.js";
import { STORAGE_MODES, type StorageMode } from "./storage/node-storage.js";

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

export interface NodeEntry {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly roles: readonly Role[];
}

/** A rule of the emulated network; `from`/`to` left out match any node. Later rules win. */
export interface LinkRule {
  readonly from?: string;
  readonly to?: string;
  readonly spec: LinkSpec;
}

export interface LinksConfig {
  /** applied to every node -> node link */
  readonly default?: LinkSpec;
  readonly rules?: readonly LinkRule[];
}

/** The file as written (after validation). */
export interface ClusterFile {
  readonly clusterId: string;
  readonly secret?: string;
  readonly clientAuth?: boolean;
  readonly quorum: QuorumSpec;
  readonly nodes: readonly NodeEntry[];
  readonly timing?: Partial<Timing>;
  readonly replica?: Partial<ReplicaOptions>;
  readonly leader?: Partial<LeaderOptions>;
  /** options of the clients that connect through this file (core's ClientOptions) */
  readonly client?: Partial<ClientOptions>;
  readonly links?: LinksConfig;
  readonly logLevel?: LogLevel;
  /** largest frame a node accepts (ws maxPayload) and the size senders split frames at */
  readonly maxFrameBytes?: number;
  /** largest operation (key and values, JSON bytes); larger ones are refused */
  readonly maxValueBytes?: number;
  /** the older switch: false is storage "file" (`storage` wins when both are given) */
  readonly fsync?: boolean;
  /** "fsync" (default): synced before sending; "file": written, not synced; "memory": no disk */
  readonly storage?: StorageMode;
  /** the durable log is compacted once it holds this many bytes */
  readonly compactLogBytes?: number;
  /** most client connections a node accepts at once */
  readonly maxClients?: number;
}

/** A validated cluster with everything derived from it. */
export interface Cluster {
  readonly file: ClusterFile;
  /** from PAXOS_CLUSTER_SECRET if set, else the file; undefined if neither */
  readonly secret: string | undefined;
  readonly nodesById: ReadonlyMap<string, NodeEntry>;
  readonly layout: ClusterLayout;
  readonly maxFrameBytes: number;
  /** the engine's limits, derived from maxFrameBytes and maxValueBytes */
  readonly limits: Limits;
  /** the replica options with maxBatchBytes fitted to the limits when the file leaves it out */
  readonly replica: Partial<ReplicaOptions>;
  /** where it was read from, for messages */
  readonly source: string;
}

export const SECRET_ENV = "PAXOS_CLUSTER_SECRET";
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/**
 * Room a data frame needs around its messages: {"t":"msgs","v":1,"from":<id>,"msgs":[...]} with
 * an id of at most 128 characters, each at most 6 bytes escaped. The engine's messages are
 * bounded by maxFrameBytes less this, so any one of them fits a frame on its own.
 */
export const FRAME_ENVELOPE_BYTES = 1024;
/**
 * Room one command needs inside a message besides its value. Core's checkLimits asks for its
 * MESSAGE_OVERHEAD_BYTES (512) plus 2 KiB; we keep 4 KiB (a test builds nodes at the smallest
 * frame size to hold us to it).
 */
const COMMAND_ROOM_BYTES = 4096;
export const DEFAULT_MAX_CLIENTS = 4096;
export const MIN_SECRET_LENGTH = 16;

export class ClusterFileError extends Error {
  override readonly name = "ClusterFileError";
}

const ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$";
const positiveMs = { type: "number", exclusiveMinimum: 0, maximum: 86_400_000 } as const;
const positiveInt = { type: "integer", minimum: 1, maximum: 1_000_000_000 } as const;

export const clusterFileSchema = {
  $id: "https://paxos.invalid/cluster-file.json",
  type: "object",
  additionalProperties: false,
  required: ["clusterId", "quorum", "nodes"],
  properties: {
    $schema: { type: "string" },
    clusterId: { type: "string", pattern: ID_PATTERN },
    secret: { type: "string", minLength: MIN_SECRET_LENGTH },
    clientAuth: { type: "boolean" },
    // The quorum spec's fields depend on its kind; fromSpec checks them (unknown fields too).
    quorum: {
      type: "object",
      required: ["kind"],
      properties: { kind: { enum: ["majority", "flexible", "grid", "explicit"] } },
    },
    nodes: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "host", "port", "roles"],
        properties: {
          id: { type: "string", pattern: ID_PATTERN },
          host: { type: "string", minLength: 1, maxLength: 255 },
          port: { type: "integer", minimum: 1, maximum: 65535 },
          roles: {
            type: "array",
            minItems: 1,
            uniqueItems: true,
            items: { enum: ["replica", "leader", "acceptor", "client"] },
          },
        },
      },
    },
    timing: {
      type: "object",
      additionalProperties: false,
      properties: Object.fromEntries(TIMING_KEYS.map((k) => [k, positiveMs])),
    },
    replica: {
      type: "object",
      additionalProperties: false,
      properties: {
        window: positiveInt,
        maxBatch: positiveInt,
        maxBatchBytes: positiveInt,
        retainSlots: positiveInt,
        retainBytes: positiveInt,
        catchupChunk: positiveInt,
        snapshotEverySlots: positiveInt,
        snapshotEveryBytes: positiveInt,
        maxSessions: positiveInt,
        maxPendingRequests: positiveInt,
      },
    },
    leader: {
      type: "object",
      additionalProperties: false,
      properties: {
        thrifty: { type: "boolean" },
        retainDecisions: positiveInt,
        retainDecisionBytes: positiveInt,
        persistDecidedEverySlots: positiveInt,
      },
    },
    client: {
      type: "object",
      additionalProperties: false,
      properties: { followLeader: { type: "boolean" } },
    },
    links: {
      type: "object",
      additionalProperties: false,
      properties: {
        default: linkSpecSchema,
        rules: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["spec"],
            properties: {
              from: { type: "string" },
              to: { type: "string" },
              spec: linkSpecSchema,
            },
          },
        },
      },
    },
    logLevel: { enum: ["trace", "debug", "info", "warn", "error", "fatal", "silent"] },
    maxFrameBytes: { type: "integer", minimum: 16 * 1024, maximum: 1024 * 1024 * 1024 },
    maxValueBytes: { type: "integer", minimum: 1, maximum: 1024 * 1024 * 1024 },
    fsync: { type: "boolean" },
    storage: { enum: STORAGE_MODES },
    compactLogBytes: { type: "integer", minimum: 64 * 1024, maximum: 1024 * 1024 * 1024 },
    maxClients: { type: "integer", minimum: 1, maximum: 1_000_000 },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const validateSchema = ajv.compile(clusterFileSchema);

/** Renders a value for an error message: strings quoted, objects as (shortened) JSON. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? "undefined" : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Follows a JSON pointer (ajv's instancePath) into the document. */
function at(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function describeAjvError(doc: unknown, e: ErrorObject): string {
  const path = e.instancePath === "" ? "/" : e.instancePath;
  if (e.keyword === "additionalProperties") {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const child = `${e.instancePath}/${key}`;
    return `${child}: unknown key (value ${show(at(doc, child))})`;
  }
  if (e.keyword === "required") {
    const key = String((e.params as { missingProperty: string }).missingProperty);
    return `${e.instancePath}/${key}: required key is missing`;
  }
  const allowed =
    e.keyword === "enum"
      ? `: one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(show).join(", ")}`
      : "";
  return `${path}: ${e.message ?? e.keyword}${allowed} (got ${show(at(doc, e.instancePath))})`;
}

export interface ParseOptions {
  /** where the document came from, for error messages */
  readonly source?: string;
  /** environment to read PAXOS_CLUSTER_SECRET from (process.env by default) */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Validates a parsed JSON document as a cluster file and derives the layout. */
export function parseCluster(doc: unknown, options: ParseOptions = {}): Cluster {
  const source = options.source ?? "cluster file";
  const fail = (problems: string[]): never => {
    throw new ClusterFileError(`${source}: invalid cluster file\n  ${problems.join("\n  ")}`);
  };
  if (!validateSchema(doc))
    fail((validateSchema.errors ?? []).map((e) => describeAjvError(doc, e)));
  const file = doc as unknown as ClusterFile;
  const problems: string[] = [];

  const nodesById = new Map<string, NodeEntry>();
  const addresses = new Map<string, string>();
  file.nodes.forEach((node, i) => {
    if (nodesById.has(node.id)) problems.push(`/nodes/${i}/id: duplicate node id ${show(node.id)}`);
    nodesById.set(node.id, node);
    const address = `${node.host.toLowerCase()}:${node.port}`;
    const other = addresses.get(address);
    if (other !== undefined) {
      problems.push(
        `/nodes/${i}/port: ${show(address)} is also the address of node ${show(other)}`,
      );
    }
    addresses.set(address, node.id);
  });
  const withRole = (role: Role) =>
    file.nodes.filter((n) => n.roles.includes(role)).map((n) => n.id);
  const replicas = withRole("replica");
  const leaders = withRole("leader");
  const acceptors = withRole("acceptor");
  if (replicas.length === 0) problems.push(`/nodes: no node has the "replica" role`);
  if (leaders.length === 0) problems.push(`/nodes: no node has the "leader" role`);
  if (acceptors.length === 0) problems.push(`/nodes: no node has the "acceptor" role`);

  file.links?.rules?.forEach((rule, i) => {
    for (const end of ["from", "to"] as const) {
      const id = rule[end];
      if (id !== undefined && !nodesById.has(id)) {
        problems.push(`/links/rules/${i}/${end}: unknown node id ${show(id)}`);
      }
    }
  });

  const env = options.env ?? process.env;
  const fromEnv = env[SECRET_ENV] === "" ? undefined : env[SECRET_ENV];
  if (fromEnv !== undefined && fromEnv.length < MIN_SECRET_LENGTH) {
    problems.push(`$${SECRET_ENV}: the secret must have at least ${MIN_SECRET_LENGTH} characters`);
  }
  if (problems.length > 0) fail(problems);

  const maxFrameBytes = file.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const maxMessageBytes = maxFrameBytes - FRAME_ENVELOPE_BYTES;
  const largestValue = maxMessageBytes - COMMAND_ROOM_BYTES;
  if (file.maxValueBytes !== undefined && file.maxValueBytes > largestValue) {
    fail([
      `/maxValueBytes: ${file.maxValueBytes} does not fit a frame of maxFrameBytes ` +
        `(${maxFrameBytes}): at most ${largestValue}`,
    ]);
  }
  // Left out: the engine's default, or half of what fits a frame when frames are small.
  const maxValueBytes =
    file.maxValueBytes ?? Math.min(DEFAULT_LIMITS.maxValueBytes, Math.floor(largestValue / 2));
  if (file.replica?.maxBatchBytes !== undefined && file.replica.maxBatchBytes > largestValue) {
    fail([
      `/replica/maxBatchBytes: ${file.replica.maxBatchBytes} does not fit a frame of ` +
        `maxFrameBytes (${maxFrameBytes}): at most ${largestValue}`,
    ]);
  }
  const replica: Partial<ReplicaOptions> = {
    ...file.replica,
    maxBatchBytes:
      file.replica?.maxBatchBytes ?? Math.min(DEFAULT_REPLICA.maxBatchBytes, largestValue),
  };

  let quorum: ClusterLayout["quorum"];
  try {
    quorum = fromSpec(file.quorum, acceptors);
  } catch (error) {
    return fail([`/quorum: ${(error as Error).message} (got ${show(file.quorum)})`]);
  }
  return {
    file,
    secret: fromEnv ?? file.secret,
    nodesById,
    layout: { replicas, leaders, quorum },
    maxFrameBytes,
    limits: { maxMessageBytes, maxValueBytes },
    replica,
    source,
  };
}

/** Reads, parses and validates a cluster file. */
export function loadCluster(path: string, options: Omit<ParseOptions, "source"> = {}): Cluster {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ClusterFileError(`${path}: cannot read cluster file: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ClusterFileError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  return parseCluster(doc, { ...options, source: path });
}

/** The link spec a node starts with towards `peer`: the default, then matching rules in order. */
export function initialLinkSpec(
  links: LinksConfig | undefined,
  self: string,
  peer: string,
): LinkSpec | undefined {
  let spec = links?.default;
  for (const rule of links?.rules ?? []) {
    if (
      (rule.from === undefined || rule.from === self) &&
      (rule.to === undefined || rule.to === peer)
    ) {
      spec = rule.spec;
    }
  }
  return spec;
}

/** ws:// URL of a node ("[::1]" for IPv6 literals). */
export function nodeUrl(node: Pick<NodeEntry, "host" | "port">): string {
  const host = node.host.includes(":") ? `[${node.host}]` : node.host;
  return `ws://${host}:${node.port}/`;
}

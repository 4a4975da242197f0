// The control channel's requests: a connection that authenticated as kind "control" (which
// always requires the cluster secret) sends {t:"control", v, reqId, op, args} and gets
// {t:"controlReply", v, reqId, ok, result | error}. The experiment runner injects faults with
// it; tests read node state (applied-log digests, leadership) with it.

import { Ajv } from "ajv";
import type { LogLevel } from "./cluster-file.js";
import { type LinkSpec, linkSpecSchema } from "./link-emulation.js";

export type ControlRequest =
  /** the node's state: roles, applied log digest, leadership, links */
  | { readonly op: "status" }
  /** shape the link to `peer` ("*": the default for every node peer); null clears it */
  | { readonly op: "setLink"; readonly peer: string; readonly spec: LinkSpec | null }
  /** drop everything to these peers (added to the current partition set) */
  | { readonly op: "partition"; readonly peers: readonly string[] }
  /** stop dropping to these peers, or to every peer when `peers` is left out */
  | { readonly op: "heal"; readonly peers?: readonly string[] }
  | { readonly op: "setLogLevel"; readonly level: LogLevel };

export type ControlOp = ControlRequest["op"];

const peers = {
  type: "array",
  maxItems: 1000,
  items: { type: "string", minLength: 1, maxLength: 128 },
} as const;

const requestSchema = {
  type: "object",
  required: ["op"],
  oneOf: [
    { properties: { op: { const: "status" } }, additionalProperties: false },
    {
      properties: {
        op: { const: "setLink" },
        peer: { type: "string", minLength: 1, maxLength: 128 },
        spec: { oneOf: [{ type: "null" }, linkSpecSchema] },
      },
      required: ["peer", "spec"],
      additionalProperties: false,
    },
    {
      properties: { op: { const: "partition" }, peers },
      required: ["peers"],
      additionalProperties: false,
    },
    { properties: { op: { const: "heal" }, peers }, additionalProperties: false },
    {
      properties: {
        op: { const: "setLogLevel" },
        level: { enum: ["trace", "debug", "info", "warn", "error", "fatal", "silent"] },
      },
      required: ["level"],
      additionalProperties: false,
    },
  ],
} as const;

const validate = new Ajv({ allErrors: false, strict: false }).compile(requestSchema);

/** Returns the request, or a reason it is malformed. */
export function parseControlRequest(x: unknown): ControlRequest | string {
  if (validate(x)) return x as unknown as ControlRequest;
  const op = typeof x === "object" && x !== null ? (x as Record<string, unknown>).op : undefined;
  const first = validate.errors?.[0];
  return `malformed control request ${JSON.stringify(op ?? null)}${first ? `: ${first.instancePath || "/"} ${first.message}` : ""}`;
}

export interface LinkStatus {
  readonly state: string;
  readonly spec: LinkSpec | null;
  readonly framesSent: number;
  readonly framesDropped: number;
  readonly emulationDrops: Readonly<Record<string, number>> | null;
}

export interface NodeStatus {
  readonly id: string;
  readonly pid: number;
  readonly roles: readonly string[];
  readonly uptimeMs: number;
  readonly replica: {
    readonly appliedBelow: number;
    readonly digest: string;
    readonly digestFrom: number;
  } | null;
  readonly leader: {
    readonly active: boolean;
    readonly ballot: { readonly round: number; readonly leader: string };
    readonly decidedBelow: number;
  } | null;
  readonly acceptor: {
    readonly promised: { readonly round: number; readonly leader: string };
    readonly acceptedSlots: number;
  } | null;
  readonly partitioned: readonly string[];
  readonly links: Readonly<Record<string, LinkStatus>>;
  readonly clients: number;
  readonly badFrames: number;
  /** the durable state: mode, bytes of the log and of the snapshot, compactions since start */
  readonly storage: {
    readonly mode: string;
    readonly logBytes: number;
    readonly snapshotBytes: number;
    readonly compactions: number;
    readonly snapshots: number;
  };
  /**
   * since start: engine turns, fdatasyncs (and ms spent in them), frames and messages, slots
   * and commands applied
   */
  readonly counters: Readonly<Record<string, number>>;
}

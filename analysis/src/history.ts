// The client history a linearizability check reads: one JSON object a line (history.ndjson, as
// the experiment runner writes it; the format is documented in docs/history-format.md so that
// histories recorded by other systems can be checked too). Parsing validates every line and
// names the line and the field of each problem.

import type { ClientOperation } from "@paxos/core";

/**
 * An operation of the key-value service as histories record it: the engine's own operations
 * (get, put, delete, cas; @paxos/core's Operation is one of these) and `append`, the
 * key-value model of Jepsen's and Porcupine's tests (the value is concatenated to the key's,
 * an absent key counting as "").
 */
export type KvOperation =
  | { readonly type: "get"; readonly key: string }
  | { readonly type: "put"; readonly key: string; readonly value: string }
  | { readonly type: "delete"; readonly key: string }
  | {
      readonly type: "cas";
      readonly key: string;
      /** null: the key must be absent */
      readonly expected: string | null;
      readonly value: string;
    }
  | { readonly type: "append"; readonly key: string; readonly value: string };

/**
 * What the service answered (@paxos/core's Result is one of these). Some systems do not say
 * everything: a delete may not say whether the key existed, and a failed cas may not say which
 * value it saw (Jepsen's and etcd's histories record only `:fail`); then that field is absent
 * and the checker assumes only what is certain (the key is absent after the delete; the key
 * held something other than `expected`).
 */
export type KvResult =
  | { readonly type: "get"; readonly value: string | null }
  | { readonly type: "put" }
  | { readonly type: "delete"; readonly existed?: boolean }
  | { readonly type: "cas"; readonly ok: boolean; readonly value?: string | null }
  | { readonly type: "append" };

export type KvOperationType = KvOperation["type"];

/**
 * One client operation of a history (core's ClientOperation over the key-value model's
 * operations); `clientId` is a label for reports, with no meaning for the check, and histories
 * from other tools may have no `seq`. Times in any unit, as long as one.
 */
export type HistoryOp = Readonly<Omit<ClientOperation<KvOperation, KvResult>, "seq">> & {
  readonly seq?: number;
  /** where the operation came from: the 1-based line of the history file, when parsed */
  readonly line?: number;
};

export interface HistoryIssue {
  /** 1-based line number in the file */
  line: number;
  /** the offending field as a dotted path ("op.value"), or "" for the whole line */
  field: string;
  message: string;
}

export class HistoryError extends Error {
  override readonly name = "HistoryError";
  constructor(
    readonly issues: HistoryIssue[],
    readonly source = "history",
  ) {
    super(
      `${source}: ${issues.length} problem(s):\n${issues
        .map((i) => `  line ${i.line}${i.field ? `, field "${i.field}"` : ""}: ${i.message}`)
        .join("\n")}`,
    );
  }
}

const OP_TYPES = ["get", "put", "delete", "cas", "append"] as const;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string")
    return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Validates one decoded history record; returns the operation or pushes what is wrong with it.
 * `line` is only used in the issues.
 */
export function validateRecord(
  raw: unknown,
  line: number,
  issues: HistoryIssue[],
): HistoryOp | null {
  const before = issues.length;
  const bad = (field: string, message: string) => {
    issues.push({ line, field, message });
  };
  if (!isObject(raw)) {
    bad("", `expected a JSON object, got ${describe(raw)}`);
    return null;
  }
  // clientId: a string (a number is accepted and read as its decimal string)
  let clientId = "";
  if (typeof raw.clientId === "string") clientId = raw.clientId;
  else if (typeof raw.clientId === "number" && Number.isFinite(raw.clientId))
    clientId = String(raw.clientId);
  else if (raw.clientId === undefined)
    bad("clientId", "missing (the client that issued the operation)");
  else bad("clientId", `expected a string, got ${describe(raw.clientId)}`);

  if (raw.seq !== undefined && raw.seq !== null && !Number.isInteger(raw.seq)) {
    bad("seq", `expected an integer, got ${describe(raw.seq)}`);
  }

  const op = validateOp(raw.op, bad);

  const invokedAt = raw.invokedAt;
  if (invokedAt === undefined) bad("invokedAt", "missing (when the operation was invoked)");
  else if (typeof invokedAt !== "number" || !Number.isFinite(invokedAt)) {
    bad("invokedAt", `expected a finite number, got ${describe(invokedAt)}`);
  }
  const returnedAt = raw.returnedAt;
  const unknown = returnedAt === undefined || returnedAt === null;
  if (!unknown) {
    if (typeof returnedAt !== "number" || !Number.isFinite(returnedAt)) {
      bad(
        "returnedAt",
        `expected a finite number, or null when the outcome is unknown; got ${describe(returnedAt)}`,
      );
    } else if (typeof invokedAt === "number" && returnedAt < invokedAt) {
      bad("returnedAt", `${returnedAt} is before invokedAt ${invokedAt}`);
    }
  }

  let result: KvResult | null = null;
  if (unknown) {
    if (raw.result !== undefined && raw.result !== null) {
      bad(
        "result",
        "an operation without returnedAt has an unknown outcome: result must be null or absent",
      );
    }
  } else if (raw.result === undefined || raw.result === null) {
    bad("result", "missing: an operation that returned (returnedAt is set) needs its result");
  } else if (op) {
    result = validateResult(raw.result, op, bad);
  }

  if (issues.length > before || !op) return null;
  return {
    clientId,
    ...(typeof raw.seq === "number" ? { seq: raw.seq } : {}),
    op,
    result,
    invokedAt: invokedAt as number,
    returnedAt: unknown ? null : (returnedAt as number),
    line,
  };
}

function validateOp(v: unknown, bad: (field: string, message: string) => void): KvOperation | null {
  if (v === undefined) {
    bad("op", "missing (the operation: {type, key, ...})");
    return null;
  }
  if (!isObject(v)) {
    bad("op", `expected an object, got ${describe(v)}`);
    return null;
  }
  const type = v.type;
  if (typeof type !== "string" || !(OP_TYPES as readonly string[]).includes(type)) {
    bad("op.type", `expected one of ${OP_TYPES.join(", ")}, got ${describe(type)}`);
    return null;
  }
  let ok = true;
  const str = (field: string, nullable = false): string | null => {
    const x = v[field];
    if (typeof x === "string") return x;
    if (nullable && x === null) return null;
    ok = false;
    if (x === undefined) bad(`op.${field}`, `missing (a ${type} needs it)`);
    else bad(`op.${field}`, `expected a string${nullable ? " or null" : ""}, got ${describe(x)}`);
    return null;
  };
  const key = str("key") ?? "";
  switch (type) {
    case "get":
    case "delete":
      return ok ? { type, key } : null;
    case "put":
    case "append": {
      const value = str("value") ?? "";
      return ok ? { type, key, value } : null;
    }
    default: {
      if (!("expected" in v)) {
        bad(
          "op.expected",
          "missing (a cas needs it: the value the key must hold, null for absent)",
        );
        return null;
      }
      const expected = str("expected", true);
      const value = str("value") ?? "";
      return ok ? { type: "cas", key, expected, value } : null;
    }
  }
}

function validateResult(
  v: unknown,
  op: KvOperation,
  bad: (field: string, message: string) => void,
): KvResult | null {
  if (!isObject(v)) {
    bad("result", `expected an object, got ${describe(v)}`);
    return null;
  }
  if (v.type !== op.type) {
    bad("result.type", `expected "${op.type}" (the op's type), got ${describe(v.type)}`);
    return null;
  }
  switch (op.type) {
    case "get":
      if (typeof v.value === "string" || v.value === null) return { type: "get", value: v.value };
      bad("result.value", `expected a string, or null for an absent key; got ${describe(v.value)}`);
      return null;
    case "put":
      return { type: "put" };
    case "append":
      return { type: "append" };
    case "delete":
      if (v.existed === undefined) return { type: "delete" };
      if (typeof v.existed === "boolean") return { type: "delete", existed: v.existed };
      bad(
        "result.existed",
        `expected a boolean (or absent: not recorded), got ${describe(v.existed)}`,
      );
      return null;
    case "cas": {
      let ok = true;
      if (typeof v.ok !== "boolean") {
        bad("result.ok", `expected a boolean, got ${describe(v.ok)}`);
        ok = false;
      }
      if (!(typeof v.value === "string" || v.value === null || v.value === undefined)) {
        bad(
          "result.value",
          `expected a string or null (the value after the cas; absent: not recorded), got ${describe(v.value)}`,
        );
        ok = false;
      }
      if (!ok) return null;
      return v.value === undefined
        ? { type: "cas", ok: v.ok as boolean }
        : { type: "cas", ok: v.ok as boolean, value: v.value as string | null };
    }
  }
}

export interface ParseOptions {
  /** named in errors (a file name) */
  source?: string;
  /** stop collecting after this many issues (default 20) */
  maxIssues?: number;
}

/** Parses ndjson text into operations; throws a HistoryError naming every bad line and field. */
export function parseHistory(text: string, opts: ParseOptions = {}): HistoryOp[] {
  const maxIssues = opts.maxIssues ?? 20;
  const issues: HistoryIssue[] = [];
  const ops: HistoryOp[] = [];
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      issues.push({ line, field: "", message: `not valid JSON: ${(e as Error).message}` });
      if (issues.length >= maxIssues) break;
      continue;
    }
    const op = validateRecord(value, line, issues);
    if (op) ops.push(op);
    if (issues.length >= maxIssues) break;
  }
  if (issues.length > 0) throw new HistoryError(issues.slice(0, maxIssues), opts.source);
  return ops;
}

/** One operation as a line of history.ndjson (the runner's field order). */
export function formatRecord(h: HistoryOp): string {
  return JSON.stringify({
    clientId: h.clientId,
    ...(h.seq === undefined ? {} : { seq: h.seq }),
    op: h.op,
    result: h.result,
    invokedAt: h.invokedAt,
    returnedAt: h.returnedAt,
  });
}

export function formatHistory(ops: readonly HistoryOp[]): string {
  return ops.length === 0 ? "" : `${ops.map(formatRecord).join("\n")}\n`;
}

// Jepsen's history.edn, read into the checker's history (docs/history-format.md, "Jepsen").
//
// Workloads: a single register (:read, :write, :cas [old new]); keyed registers
// (jepsen.independent: every value is [key value], cas [key [old new]]); appends (:append
// [key element], :read [key [elements]]) and single-micro-operation transactions (:txn
// [[:r k v]], [[:w k v]], [[:append k e]]). Outcomes: :ok as recorded; :info is an unknown
// outcome; :fail means the operation did not happen (dropped), except a :cas that failed
// without an :error, which is a compare that found another value (as Porcupine reads it).
//
// Values become strings: a string stays itself, anything else is its EDN-ish JSON text, and
// nil is absent. A list read by an append workload is its elements, each followed by ",";
// appending element e appends "e,": so list order and equality carry over to strings.

import {
  type EdnEvent,
  type EdnOperation,
  eventClock,
  pairEvents,
  readEdnEvents,
} from "./edn-events.js";
import {
  HistoryError,
  type HistoryIssue,
  type HistoryOp,
  type KvOperation,
  type KvResult,
} from "./history.js";

/** The key of a single-register history. */
export const REGISTER_KEY = "register";

function scalar(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? v : JSON.stringify(v);
}

function element(e: unknown): string {
  return `${JSON.stringify(e)},`;
}

/** A list read: its elements joined; nil or [] is absent (an append starts from empty). */
function list(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  if (!Array.isArray(v)) return undefined;
  return v.length === 0 ? null : v.map(element).join("");
}

/** Is this a keyed history? Decided by the first :read, :write or :cas invocation. */
function isKeyed(ops: readonly EdnOperation[]): boolean {
  for (const { invoke } of ops) {
    const v = invoke.value;
    switch (invoke.f) {
      case "append":
      case "txn":
        return true;
      case "read":
        return Array.isArray(v);
      case "write":
        return Array.isArray(v) && v.length === 2;
      case "cas":
        return Array.isArray(v) && v.length === 2 && Array.isArray(v[1]);
    }
  }
  return false;
}

interface Parsed {
  op: KvOperation;
  /** the result when the completion is :ok */
  result: (completion: EdnEvent) => KvResult | string;
}

/** What one invocation asks, or a reason it cannot be read. */
function parseInvoke(e: EdnEvent, keyed: boolean): Parsed | string {
  let f = e.f;
  let v = e.value;
  if (f === "txn") {
    if (!Array.isArray(v) || v.length !== 1 || !Array.isArray(v[0])) {
      return `a transaction of ${Array.isArray(v) ? v.length : "?"} micro-operations: a per-key linearizability check reads single operations (use Elle for transactions)`;
    }
    const [mf, k, mv] = v[0] as unknown[];
    f = mf === "r" ? "read" : mf === "w" ? "write" : mf;
    v = [k, mv];
  }
  let key = REGISTER_KEY;
  if (keyed) {
    if (!Array.isArray(v) || v.length !== 2)
      return `expected [key value], got ${JSON.stringify(v)}`;
    key = scalar(v[0]) ?? "nil";
    v = v[1];
  }
  const fromCompletion = (c: EdnEvent): unknown => {
    let cv = c.value;
    if (e.f === "txn" && Array.isArray(cv) && Array.isArray(cv[0])) cv = (cv[0] as unknown[])[2];
    else if (keyed && Array.isArray(cv) && cv.length === 2) cv = cv[1];
    return cv;
  };
  switch (f) {
    case "read":
      return {
        op: { type: "get", key },

        result: (c) => {
          const cv = fromCompletion(c);
          if (Array.isArray(cv)) {
            const l = list(cv);
            return l === undefined ? "a list read that is not a list" : { type: "get", value: l };
          }
          return { type: "get", value: scalar(cv) };
        },
      };
    case "write":
      if (v === null || v === undefined) return "a write of nil";
      return { op: { type: "put", key, value: scalar(v)! }, result: () => ({ type: "put" }) };
    case "append":
      return {
        op: { type: "append", key, value: element(v) },

        result: () => ({ type: "append" }),
      };
    case "cas": {
      if (!Array.isArray(v) || v.length !== 2)
        return `a cas needs [old new], got ${JSON.stringify(v)}`;
      const op: KvOperation = {
        type: "cas",
        key,
        expected: scalar(v[0]),
        value: scalar(v[1]) ?? "nil",
      };
      return { op, result: () => ({ type: "cas", ok: true, value: op.value }) };
    }
    default:
      return `unknown :f ${JSON.stringify(f)} (read, write, cas, append, or a one-operation txn)`;
  }
}

/** Parses the text of a Jepsen history.edn; throws HistoryError naming lines and fields. */
export function parseJepsenHistory(text: string, source = "history.edn"): HistoryOp[] {
  const issues: HistoryIssue[] = [];
  const events = readEdnEvents(text, source, issues);
  const ops = pairEvents(events, issues);
  const keyed = isKeyed(ops);
  const clock = eventClock(events);
  const out: HistoryOp[] = [];
  for (const { invoke, completion } of ops) {
    const parsed = parseInvoke(invoke, keyed);
    if (typeof parsed === "string") {
      issues.push({ line: invoke.line, field: "value", message: parsed });
      continue;
    }
    const base = {
      clientId: String(invoke.process),
      ...(typeof invoke.index === "number" ? { seq: invoke.index } : {}),
      op: parsed.op,
      invokedAt: clock(invoke),
      line: invoke.line,
    };
    if (completion === null || completion.type === "info") {
      out.push({ ...base, result: null, returnedAt: null });
      continue;
    }
    if (completion.type === "fail") {
      // did not happen; but a cas whose compare failed saw another value than it expected
      if (parsed.op.type === "cas" && completion.error === undefined) {
        out.push({ ...base, result: { type: "cas", ok: false }, returnedAt: clock(completion) });
      }
      continue;
    }
    const result = parsed.result(completion);
    if (typeof result === "string") {
      issues.push({ line: completion.line, field: "value", message: result });
      continue;
    }
    out.push({ ...base, result, returnedAt: clock(completion) });
  }
  if (issues.length > 0) throw new HistoryError(issues.slice(0, 20), source);
  return out;
}

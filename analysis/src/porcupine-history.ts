// Porcupine's kv logs (its test_data/kv/*.txt), read into the checker's history
// (docs/history-format.md, "Porcupine"): one EDN map a line,
//   {:process 0, :type :invoke, :f :append, :key "7", :value "x 0 1 y"}
//   {:process 0, :type :ok, :f :get, :key "7", :value "x 0 1 y"}
// with :f :get, :put or :append on string values. Porcupine's model starts every key at "" and
// has no absent key, so "" reads as absent, a put of "" as a delete, and an append of "" (which
// changes nothing) is left out. :info is an unknown outcome; :fail did not happen (dropped).

import { eventClock, pairEvents, readEdnEvents } from "./edn-events.js";
import {
  HistoryError,
  type HistoryIssue,
  type HistoryOp,
  type KvOperation,
  type KvResult,
} from "./history.js";

/** Parses the text of a Porcupine kv log; throws HistoryError naming lines and fields. */
export function parsePorcupineKvLog(text: string, source = "kv log"): HistoryOp[] {
  const issues: HistoryIssue[] = [];
  const events = readEdnEvents(text, source, issues);
  const ops = pairEvents(events, issues);
  const clock = eventClock(events);
  const out: HistoryOp[] = [];
  for (const { invoke, completion } of ops) {
    const key = invoke.key;
    if (typeof key !== "string") {
      issues.push({
        line: invoke.line,
        field: "key",
        message: `expected a string, got ${JSON.stringify(key)}`,
      });
      continue;
    }
    const value = invoke.value;
    let op: KvOperation;
    let result: (v: unknown) => KvResult | string;
    switch (invoke.f) {
      case "get":
        op = { type: "get", key };
        result = (v) =>
          typeof v === "string"
            ? { type: "get", value: v === "" ? null : v }
            : `a get returns a string, got ${JSON.stringify(v)}`;
        break;
      case "put":
      case "append":
        if (typeof value !== "string") {
          issues.push({
            line: invoke.line,
            field: "value",
            message: `expected a string, got ${JSON.stringify(value)}`,
          });
          continue;
        }
        if (value === "" && invoke.f === "append") continue;
        op = value === "" ? { type: "delete", key } : { type: invoke.f, key, value };
        result = () =>
          op.type === "delete" ? { type: "delete" } : { type: op.type as "put" | "append" };
        break;
      default:
        issues.push({
          line: invoke.line,
          field: "f",
          message: `expected :get, :put or :append, got ${JSON.stringify(invoke.f)}`,
        });
        continue;
    }
    const base = {
      clientId: String(invoke.process),
      op,
      invokedAt: clock(invoke),
      line: invoke.line,
    };
    if (completion === null || completion.type === "info") {
      out.push({ ...base, result: null, returnedAt: null });
      continue;
    }
    if (completion.type === "fail") continue;
    const r = result(completion.value);
    if (typeof r === "string") {
      issues.push({ line: completion.line, field: "value", message: r });
      continue;
    }
    out.push({ ...base, result: r, returnedAt: clock(completion) });
  }
  if (issues.length > 0) throw new HistoryError(issues.slice(0, 20), source);
  return out;
}

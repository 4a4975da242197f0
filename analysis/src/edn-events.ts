// The common ground of Jepsen's history.edn and Porcupine's kv logs: one EDN map per line, each
// an event of a client process (`:type` :invoke, then :ok, :fail or :info), paired here into
// operations. What the operations mean is the readers' (jepsen-history.ts, porcupine-history.ts).

import { parseEDNString } from "edn-data";
import { HistoryError, type HistoryIssue } from "./history.js";

/** One event, its EDN map with keywords as plain strings (":ok" -> "ok"). */
export type EdnEvent = Record<string, unknown> & {
  readonly line: number;
  readonly position: number;
};

/** An invocation and what closed it: null when the history ended first (unknown outcome). */
export interface EdnOperation {
  readonly invoke: EdnEvent;
  readonly completion: EdnEvent | null;
}

const PARSE = {
  mapAs: "object",
  keywordAs: "string",
  listAs: "array",
  setAs: "array",
  symbolAs: "string",
  charAs: "string",
} as const;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Reads one EDN form per line (a form may span lines: lines are joined until it parses).
 * A tagged map (`#jepsen.history.Op{...}`) counts as the map.
 */
export function readEdnEvents(text: string, source: string, issues: HistoryIssue[]): EdnEvent[] {
  const events: EdnEvent[] = [];
  const lines = text.split("\n");
  let pending = "";
  let firstLine = 0;
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k]!.trim();
    if (pending === "" && (raw === "" || raw.startsWith(";"))) continue;
    if (pending === "") firstLine = k + 1;
    pending = pending === "" ? raw : `${pending}\n${raw}`;
    let value: unknown;
    let error = "an unfinished form";
    try {
      value = parseEDNString(pending, PARSE);
    } catch (e) {
      error = (e as Error).message;
      value = undefined;
    }
    // edn-data gives null for an unfinished form: read on, unless the file ends or the form
    // has grown absurdly
    if (value === undefined || (value === null && pending !== "nil")) {
      if (k + 1 < lines.length && k + 2 - firstLine < 1000) continue;
      issues.push({ line: firstLine, field: "", message: `not valid EDN: ${error}` });
      pending = "";
      continue;
    }
    pending = "";
    if (isObject(value) && typeof value.tag === "string" && "val" in value) value = value.val;
    if (!isObject(value)) {
      issues.push({
        line: firstLine,
        field: "",
        message: "expected an EDN map (one event a line)",
      });
      continue;
    }
    events.push({ ...value, line: firstLine, position: events.length });
  }
  if (issues.length > 0) throw new HistoryError(issues.slice(0, 20), source);
  return events;
}

/**
 * Pairs each :invoke with the next :ok, :fail or :info of the same process. Events of other
 * processes than integers (Jepsen's :nemesis) are left out.
 */
export function pairEvents(events: readonly EdnEvent[], issues: HistoryIssue[]): EdnOperation[] {
  const open = new Map<number, number>();
  const ops: { invoke: EdnEvent; completion: EdnEvent | null }[] = [];
  for (const e of events) {
    const p = e.process;
    if (typeof p !== "number" || !Number.isInteger(p)) continue;
    const type = e.type;
    if (type === "invoke") {
      const prior = open.get(p);
      if (prior !== undefined) {
        issues.push({
          line: e.line,
          field: "process",
          message: `process ${p} invokes again before its operation of line ${ops[prior]!.invoke.line} completed`,
        });
      }
      open.set(p, ops.length);
      ops.push({ invoke: e, completion: null });
    } else if (type === "ok" || type === "fail" || type === "info") {
      const at = open.get(p);
      if (at === undefined) {
        issues.push({
          line: e.line,
          field: "process",
          message: `process ${p} completes an operation it never invoked`,
        });
        continue;
      }
      open.delete(p);
      ops[at]!.completion = e;
    } else {
      issues.push({
        line: e.line,
        field: "type",
        message: `expected :invoke, :ok, :fail or :info, got ${JSON.stringify(type)}`,
      });
    }
  }
  return ops;
}

/**
 * The clock of the history: each event's :time when every event has one (Jepsen: nanoseconds,
 * shown in ms), else its position in the file (a history lists its events in real-time order).
 */
export function eventClock(events: readonly EdnEvent[]): (e: EdnEvent) => number {
  const timed = events.length > 0 && events.every((e) => typeof e.time === "number");
  return timed ? (e) => (e.time as number) / 1e6 : (e) => e.position;
}

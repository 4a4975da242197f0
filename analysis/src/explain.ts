// Explanations of a failing slice for people: each operation in words, and why the longest
// valid order found cannot be continued.

import type { HistoryOp, KvOperation, KvResult } from "./history.js";
import { type Compiled, type Interner, Kind, step } from "./kv-model.js";
import { search } from "./search.js";

function shortValue(v: string | null): string {
  if (v === null) return "absent";
  const s = v.length > 20 ? `${v.slice(0, 16)}…` : v;
  return JSON.stringify(s);
}

/** "put "v"", "get → "v"", "cas("a"→"b") → ok", with "→ ?" when the outcome is unknown. */
export function describeOp(op: KvOperation, result: KvResult | null): string {
  const v = shortValue;
  let call: string;
  switch (op.type) {
    case "get":
      call = "get";
      break;
    case "put":
      call = `put ${v(op.value)}`;
      break;
    case "append":
      call = `append ${v(op.value)}`;
      break;
    case "delete":
      call = "delete";
      break;
    case "cas":
      call = `cas(${v(op.expected)}→${v(op.value)})`;
      break;
  }
  if (result === null) return `${call} → ? (unknown outcome)`;
  switch (result.type) {
    case "get":
      return `${call} → ${v(result.value)}`;
    case "put":
    case "append":
      return `${call} → ok`;
    case "delete":
      return `${call} → ${result.existed === undefined ? "ok" : result.existed ? "existed" : "was absent"}`;
    case "cas":
      return `${call} → ${result.ok ? "ok" : result.value === undefined ? "failed" : `failed, saw ${v(result.value)}`}`;
  }
}

function fmtTime(t: number | null): string {
  if (t === null) return "∞";
  return Number.isInteger(t) ? String(t) : t.toFixed(3).replace(/\.?0+$/, "");
}

export function describeSliceOp(o: HistoryOp): string {
  const who = `${o.clientId}${o.seq === undefined ? "" : `#${o.seq}`}`;
  return `${who} ${describeOp(o.op, o.result)} [${fmtTime(o.invokedAt)}, ${fmtTime(o.returnedAt)}]`;
}

/** Why operation i cannot be applied to state s (its result says otherwise). */
function whyNot(c: Compiled, i: number, s: number, values: Interner): string {
  const held = shortValue(values.value(s));
  switch (c.kind[i] as Kind) {
    case Kind.Get:
      return `it read ${shortValue(values.value(c.a[i]!))} but the key holds ${held}`;
    case Kind.DeleteKnown:
      return `it reported the key ${c.a[i] === 1 ? "existed" : "absent"} but the key holds ${held}`;
    case Kind.CasOk:
      return `it succeeded expecting ${shortValue(values.value(c.a[i]!))} but the key holds ${held}`;
    case Kind.CasFailed:
      return `it failed having seen ${shortValue(values.value(c.b[i]!))} but the key holds ${held}`;
    case Kind.CasFailedBlind:
      return `it failed, so the key held something other than ${shortValue(values.value(c.a[i]!))}, but it holds ${held}`;
    default:
      return "no state of the key gives its result";
  }
}

export function explain(
  key: string,
  c: Compiled,
  slice: readonly HistoryOp[],
  keyOps: readonly HistoryOp[],
  values: Interner,
  now: () => number,
): string {
  const lines: string[] = [];
  lines.push(
    `No order of these ${slice.length} operation(s) on key ${JSON.stringify(key)} respects both ` +
      "their real-time order (an operation that returned before another was invoked comes first) " +
      "and the key-value semantics.",
  );
  // values read (or seen) that nothing in the key's whole history wrote (with appends, values
  // are made of several writes: then this note is left out)
  const written = new Set<string>();
  for (const o of keyOps) {
    if (o.op.type === "put" || o.op.type === "cas") written.add(o.op.value);
  }
  for (const o of c.hasAppend ? [] : slice) {
    const r = o.result;
    const seen =
      r?.type === "get" ? r.value : r?.type === "cas" && !r.ok ? (r.value ?? null) : null;
    if (seen !== null && !written.has(seen)) {
      lines.push(
        `${o.clientId}${o.seq === undefined ? "" : `#${o.seq}`} saw ${shortValue(seen)}, which no operation on the key ever wrote.`,
      );
    }
  }
  const r = search(
    c,
    { deadline: now() + 1000, maxSteps: 1_000_000, maxMemoWords: 1 << 24, now },
    true,
  );
  const best = r.deepest;
  if (best) {
    const done = new Set(best.ops);
    if (best.ops.length === 0) {
      lines.push("Not even the first operation can be placed: the key starts absent.");
    } else {
      lines.push(
        `The longest valid order found places ${best.ops.length} of them: ` +
          best.ops.map((i) => describeOp(slice[i]!.op, slice[i]!.result)).join(", then ") +
          `; the key then holds ${shortValue(values.value(best.state))}.`,
      );
    }
    // the operation that must come next: the earliest return among the rest, and what may precede it
    let deadlineOp = -1;
    for (let i = 0; i < c.n; i++) {
      if (done.has(i) || c.returned[i] === Number.POSITIVE_INFINITY) continue;
      if (deadlineOp < 0 || c.returned[i]! < c.returned[deadlineOp]!) deadlineOp = i;
    }
    if (deadlineOp >= 0) {
      const candidates: number[] = [];
      for (let i = 0; i < c.n; i++) {
        if (!done.has(i) && c.invoked[i]! <= c.returned[deadlineOp]!) candidates.push(i);
      }
      const d = slice[deadlineOp]!;
      lines.push(
        `Next, ${describeOp(d.op, d.result)} (returned at ${fmtTime(d.returnedAt)}) must take effect, ` +
          "possibly after operations invoked before that:",
      );
      for (const i of candidates) {
        const o = slice[i]!;
        const s = step(c, i, best.state);
        lines.push(
          `  - ${describeSliceOp(o)}: ${s < 0 ? whyNot(c, i, best.state, values) : "it applies, but every order continuing with it fails later"}`,
        );
      }
    }
  }
  return lines.join("\n");
}

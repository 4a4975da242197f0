// A small SVG timeline of a failing slice: one row per client, a bar from invocation to return
// for each operation (dashed to the right edge when the outcome is unknown), labelled with the
// operation and its result. Self-contained (no scripts, no external fonts).

import { maxOf, minOf } from "./extent.js";
import type { HistoryOp } from "./history.js";
import { describeOp } from "./linearizability.js";

export interface TimelineOptions {
  title?: string;
  /** lines of text printed under the chart (the explanation) */
  notes?: string;
  width?: number;
}

const COLORS: Record<string, string> = {
  get: "#4c78a8",
  put: "#f58518",
  delete: "#e45756",
  cas: "#54a24b",
};

function esc(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

const fmt = (t: number) => (Number.isInteger(t) ? String(t) : String(Number(t.toFixed(3))));

/** The SVG text of a timeline of `ops` (a failing slice, a few dozen operations at most). */
export function timelineSvg(ops: readonly HistoryOp[], opts: TimelineOptions = {}): string {
  const width = opts.width ?? 960;
  const left = 110;
  const right = 20;
  const top = opts.title ? 46 : 20;
  const laneH = 34;
  const clients = [...new Set(ops.map((o) => o.clientId))].sort();
  const t0 = minOf(ops.map((o) => o.invokedAt));
  const finite = ops.flatMap((o) => [
    o.invokedAt,
    ...(o.returnedAt === null ? [] : [o.returnedAt]),
  ]);
  let t1 = maxOf(finite);
  if (ops.some((o) => o.returnedAt === null)) t1 += (t1 - t0) * 0.15 || 1;
  if (t1 <= t0) t1 = t0 + 1;
  const plotW = width - left - right;
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * plotW;
  const labelOf = (o: HistoryOp) =>
    `${o.seq === undefined ? "" : `#${o.seq} `}${describeOp(o.op, o.result)}`;
  // where each bar and its label go: the label starts at the bar, or ends at its end when it
  // would run off the right edge; operations of a client whose bars or labels overlap get
  // sub-lanes (a client may have several operations in flight)
  const place = new Map<
    HistoryOp,
    { x0: number; x1: number; from: number; to: number; end: boolean }
  >();
  for (const o of ops) {
    const x0 = x(o.invokedAt);
    const x1 = Math.max(x0 + 3, o.returnedAt === null ? left + plotW : x(o.returnedAt));
    const lw = labelOf(o).length * 6.2;
    const end = x0 + lw > width - 4;
    place.set(o, {
      x0,
      x1,
      end,
      from: end ? Math.min(x0, x1 - lw) : x0,
      to: end ? x1 : Math.max(x1, x0 + lw),
    });
  }
  const lanes = new Map<HistoryOp, number>();
  const laneCount = new Map<string, number>();
  for (const c of clients) {
    const mine = ops
      .filter((o) => o.clientId === c)
      .sort((a, b) => place.get(a)!.from - place.get(b)!.from);
    const ends: number[] = [];
    for (const o of mine) {
      const p = place.get(o)!;
      let l = ends.findIndex((e) => e + 6 < p.from);
      if (l < 0) {
        l = ends.length;
        ends.push(0);
      }
      ends[l] = p.to;
      lanes.set(o, l);
    }
    laneCount.set(c, Math.max(1, ends.length));
  }
  const rowTop = new Map<string, number>();
  let y = top + 10;
  for (const c of clients) {
    rowTop.set(c, y);
    y += laneCount.get(c)! * laneH + 6;
  }
  const axisY = y + 4;
  const noteLines = (opts.notes ?? "").split("\n").filter((l) => l.length > 0);
  const height = axisY + 30 + noteLines.length * 15 + 10;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (opts.title) {
    out.push(`<text x="10" y="22" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  }
  clients.forEach((c, k) => {
    const ry = rowTop.get(c)!;
    const h = laneCount.get(c)! * laneH;
    if (k % 2 === 0) {
      out.push(`<rect x="0" y="${ry - 3}" width="${width}" height="${h + 6}" fill="#f4f4f4"/>`);
    }
    out.push(`<text x="10" y="${ry + h / 2 + 4}" font-weight="bold">${esc(c)}</text>`);
  });
  for (const o of ops) {
    const ry = rowTop.get(o.clientId)! + lanes.get(o)! * laneH;
    const p = place.get(o)!;
    const color = COLORS[o.op.type] ?? "#888888";
    const dash =
      o.returnedAt === null
        ? ` stroke-dasharray="4 3" fill-opacity="0.25"`
        : ` fill-opacity="0.55"`;
    const label = labelOf(o);
    const returned = o.returnedAt === null ? "never (unknown outcome)" : fmt(o.returnedAt);
    out.push(
      `<g><title>${esc(`${o.clientId} ${label}\ninvoked ${fmt(o.invokedAt)}, returned ${returned}`)}</title>` +
        `<rect x="${p.x0.toFixed(1)}" y="${ry + 14}" width="${(p.x1 - p.x0).toFixed(1)}" height="12" rx="2" fill="${color}" stroke="${color}"${dash}/>` +
        `<text x="${(p.end ? p.x1 : p.x0).toFixed(1)}" y="${ry + 10}"${p.end ? ` text-anchor="end"` : ""}>${esc(label)}</text></g>`,
    );
  }
  // time axis
  out.push(`<line x1="${left}" y1="${axisY}" x2="${left + plotW}" y2="${axisY}" stroke="#333"/>`);
  const stepT = niceStep(t1 - t0, 8);
  for (let t = Math.ceil(t0 / stepT) * stepT; t <= t1 + 1e-9; t += stepT) {
    const tx = x(t);
    out.push(
      `<line x1="${tx.toFixed(1)}" y1="${axisY}" x2="${tx.toFixed(1)}" y2="${axisY + 4}" stroke="#333"/>`,
    );
    out.push(
      `<text x="${tx.toFixed(1)}" y="${axisY + 16}" text-anchor="middle">${esc(fmt(Number(t.toPrecision(12))))}</text>`,
    );
  }
  out.push(
    `<text x="${left + plotW}" y="${axisY + 28}" text-anchor="end" fill="#555">time (ms)</text>`,
  );
  noteLines.forEach((l, k) => {
    out.push(`<text x="10" y="${axisY + 44 + k * 15}" fill="#222">${esc(l)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

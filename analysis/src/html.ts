// Small helpers for the self-contained HTML pages (no scripts, no external resources) and their
// Markdown twins: escaping, tables, inlined SVG with ids made unique per figure, the stylesheet.

export function esc(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** A cell: plain text, or text with a class (num, ok, fail, warn) and an optional title. */
export type Cell = string | { text: string; cls?: string; title?: string; html?: boolean };

const cellText = (c: Cell) => (typeof c === "string" ? c : c.text);

export function htmlTable(
  header: readonly string[],
  rows: readonly Cell[][],
  opts: { numeric?: readonly number[]; caption?: string; cls?: string } = {},
): string {
  const numeric = new Set(opts.numeric ?? []);
  const td = (c: Cell, i: number, tag: "td" | "th") => {
    const cls = [numeric.has(i) ? "num" : "", typeof c === "string" ? "" : (c.cls ?? "")]
      .filter(Boolean)
      .join(" ");
    const title = typeof c !== "string" && c.title ? ` title="${esc(c.title)}"` : "";
    const body = typeof c !== "string" && c.html ? c.text : esc(cellText(c));
    return `<${tag}${cls ? ` class="${cls}"` : ""}${title}>${body}</${tag}>`;
  };
  return [
    `<table${opts.cls ? ` class="${opts.cls}"` : ""}>`,
    opts.caption ? `<caption>${esc(opts.caption)}</caption>` : "",
    `<thead><tr>${header.map((h, i) => td(h, i, "th")).join("")}</tr></thead>`,
    "<tbody>",
    ...rows.map((r) => `<tr>${r.map((c, i) => td(c, i, "td")).join("")}</tr>`),
    "</tbody></table>",
  ].join("\n");
}

export function markdownTable(
  header: readonly string[],
  rows: readonly Cell[][],
  numeric: readonly number[] = [],
): string {
  const num = new Set(numeric);
  const clean = (c: Cell) => cellText(c).replaceAll("|", "\\|").replaceAll("\n", " ");
  const lines = [
    `| ${header.map(clean).join(" | ")} |`,
    `| ${header.map((_, i) => (num.has(i) ? "---:" : "---")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(clean).join(" | ")} |`),
  ];
  return lines.join("\n");
}

/**
 * An SVG ready to inline into HTML: the XML prolog dropped and every id (and every reference to
 * one) prefixed, so two figures' clip paths or gradients never collide.
 */
export function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/^<\?xml[^>]*>\s*/, "")
    .replace(/\sid="([^"]+)"/g, ` id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

export const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #ffffff; color: #1a1a1a;
  font: 15px/1.5 Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #cccccc; }
h3 { font-size: 16px; margin: 22px 0 6px; }
p { margin: 6px 0; }
.meta { color: #444444; font-size: 13px; }
.desc { max-width: 900px; }
.glance { background: #f4f4f4; border-left: 4px solid #333333; padding: 10px 16px; margin: 16px 0; }
.glance ul { margin: 4px 0; padding-left: 20px; }
table { border-collapse: collapse; margin: 8px 0 4px; font-size: 13px; }
table.summary td:first-child, td.nowrap { white-space: nowrap; font-weight: bold; }
table.summary td:last-child { white-space: nowrap; }
caption { caption-side: bottom; text-align: left; color: #555555; font-size: 12.5px; padding-top: 4px; }
th, td { border-bottom: 1px solid #dddddd; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #333333; font-weight: bold; background: #fafafa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.ok { color: #1b5e20; }
td.fail { color: #b00020; font-weight: bold; }
td.warn, p.warn { color: #8a5300; font-weight: bold; }
tr.best td { font-weight: bold; }
figure { margin: 18px 0 26px; page-break-inside: avoid; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #444444; font-size: 13px; margin-top: 4px; max-width: 900px; }
.figs { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }
pre { background: #f6f6f6; border: 1px solid #dddddd; padding: 10px; overflow-x: auto; font-size: 12px; }
details summary { cursor: pointer; color: #333333; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
a { color: #0b57d0; }
@media print { main { padding: 0; } h2 { page-break-after: avoid; } details { display: none; } }
`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

// What a researcher watches and reads on the terminal: a progress bar on a TTY (variant i of n,
// run time, operations done, current throughput), plain lines otherwise (Frankenpaxos's
// "[i/n; pct%] elapsed, remaining"), and the summary table at the end.

import cliProgress from "cli-progress";
import type { Summary } from "./stats.js";

export interface RunInfo {
  index: number;
  total: number;
  label: string;
  repetition: number;
  durationMs: number;
  time: "simulated" | "wall-clock";
}

export interface Progress {
  start(run: RunInfo): void;
  update(doneMs: number, ops: number): void;
  end(summary: Summary): void;
  stop(): void;
}

function fmtSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Plain lines, one when each run ends: for logs, CI and pipes. */
export class LineProgress implements Progress {
  private readonly started = performance.now();
  private run: RunInfo | null = null;

  constructor(private readonly write: (line: string) => void) {}

  start(run: RunInfo): void {
    this.run = run;
    this.write(
      `[${run.index}/${run.total}] running ${run.label} rep ${run.repetition} ` +
        `(${fmtSeconds(run.durationMs)} of ${run.time} time)`,
    );
  }

  update(): void {}

  end(s: Summary): void {
    const run = this.run;
    if (!run) return;
    const elapsed = performance.now() - this.started;
    const pct = Math.round((run.index / run.total) * 100);
    const remaining = (elapsed / run.index) * (run.total - run.index);
    const checks = s.checks.passed
      ? "checks ok"
      : s.checks.failed.length > 0
        ? `CHECKS FAILED: ${s.checks.failed.join(", ")}`
        : `CHECKS UNDECIDED: ${s.checks.inconclusive.join(", ")}`;
    this.write(
      `[${run.index}/${run.total}; ${pct}%] ${fmtSeconds(elapsed)} elapsed, ~${fmtSeconds(remaining)} remaining: ` +
        `${run.label} rep ${run.repetition}: ${s.ops.in_window} ops, ${s.throughput.ops_per_s.toFixed(0)} ops/s ` +
        `(${s.time}), ${checks}`,
    );
  }

  stop(): void {}
}

/** A live bar on stderr for terminals. */
export class BarProgress implements Progress {
  private readonly bar: cliProgress.SingleBar;
  private run: RunInfo | null = null;
  private active = false;
  private lastOps = 0;
  private lastMs = 0;
  private rate = 0;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          "{prefix} [{bar}] {percentage}% | {t}/{d} {time} | {ops} ops | {rate} ops/s | {label}",
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  start(run: RunInfo): void {
    this.run = run;
    this.lastOps = 0;
    this.lastMs = 0;
    this.rate = 0;
    const payload = {
      prefix: `variant ${run.index}/${run.total}`,
      t: "0.0s",
      d: fmtSeconds(run.durationMs),
      time: run.time === "simulated" ? "sim" : "wall",
      ops: 0,
      rate: 0,
      label: `${run.label} rep ${run.repetition}`,
    };
    if (this.active) this.bar.stop();
    this.bar.start(run.durationMs, 0, payload);
    this.active = true;
  }

  update(doneMs: number, ops: number): void {
    if (!this.run) return;
    if (doneMs - this.lastMs >= 100) {
      this.rate = ((ops - this.lastOps) * 1000) / (doneMs - this.lastMs);
      this.lastOps = ops;
      this.lastMs = doneMs;
    }
    this.bar.update(Math.min(doneMs, this.run.durationMs), {
      t: fmtSeconds(doneMs),
      ops,
      rate: Math.round(this.rate),
    });
  }

  end(s: Summary): void {
    if (!this.run) return;
    this.bar.update(this.run.durationMs, {
      t: fmtSeconds(this.run.durationMs),
      ops: s.ops.completed,
      rate: Math.round(s.throughput.ops_per_s),
    });
    this.bar.stop();
    this.active = false;
  }

  stop(): void {
    if (this.active) this.bar.stop();
    this.active = false;
  }
}

export class SilentProgress implements Progress {
  start(): void {}
  update(): void {}
  end(): void {}
  stop(): void {}
}

const fmt = (x: number | null, digits = 2) => (x === null ? "-" : x.toFixed(digits));

const meanOf = (xs: (number | null)[]): number | null => {
  const ys = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return ys.length === 0 ? null : ys.reduce((a, b) => a + b, 0) / ys.length;
};

/** One row per variant (repetitions averaged), as an aligned text table. */
export function summaryTable(summaries: readonly Summary[]): string {
  const byVariant = new Map<string, Summary[]>();
  for (const s of summaries) {
    const list = byVariant.get(s.variant) ?? [];
    list.push(s);
    byVariant.set(s.variant, list);
  }
  const reps = Math.max(...[...byVariant.values()].map((l) => l.length), 1);
  // the mean, when a system reports no percentiles (LibPaxos: per-second means only)
  const withMean = summaries.some((s) => s.latency.p50_ms === null && s.latency.mean_ms !== null);
  const header = [
    "variant",
    "ops/s",
    "p50 ms",
    "p99 ms",
    "p99.9 ms",
    "cmd/slot",
    "msg/cmd",
    "checks",
  ];
  if (withMean) header.splice(2, 0, "mean ms");
  if (reps > 1) header.splice(1, 0, "runs");
  const rows: string[][] = [];
  for (const [variant, list] of byVariant) {
    const passedRuns = list.filter((s) => s.checks.passed).length;
    const checksTotal = list.reduce((n, s) => n + s.checks.total, 0);
    const checksPassed = list.reduce(
      (n, s) =>
        n +
        (s.checks.total -
          s.checks.failed.filter((f) => f !== "completed").length -
          s.checks.inconclusive.length),
      0,
    );
    const anyFailed = list.some((s) => s.checks.failed.length > 0);
    // a system without a client history (LibPaxos) leaves nothing to check
    const checks =
      checksTotal === 0 && list.every((s) => s.system?.history === false && s.error === null)
        ? "not checked"
        : passedRuns === list.length
          ? `${checksPassed}/${checksTotal} ok`
          : anyFailed
            ? `${checksPassed}/${checksTotal} FAIL`
            : `${checksPassed}/${checksTotal} UNDECIDED`;
    const row = [
      variant,
      fmt(meanOf(list.map((s) => s.throughput.ops_per_s)), 0),
      fmt(meanOf(list.map((s) => s.latency.p50_ms))),
      fmt(meanOf(list.map((s) => s.latency.p99_ms))),
      fmt(meanOf(list.map((s) => s.latency.p999_ms))),
      fmt(meanOf(list.map((s) => s.engine?.commands_per_slot ?? null))),
      fmt(meanOf(list.map((s) => s.engine?.messages_per_command ?? null))),
      checks,
    ];
    if (withMean) row.splice(2, 0, fmt(meanOf(list.map((s) => s.latency.mean_ms))));
    if (reps > 1) row.splice(1, 0, String(list.length));
    rows.push(row);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!),
      )
      .join("  ")
      .trimEnd();
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  const time = summaries[0]?.time;
  if (time === "simulated") {
    out.push("(simulated time: ops/s and latencies are in the simulator's virtual time)");
  } else if (time === "wall-clock") {
    out.push("(wall-clock time, measured on this machine)");
  }
  return out.join("\n");
}

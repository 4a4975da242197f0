// Runs every compiled uvu test file (packages/*/dist/test/**/*.test.js, analysis/dist/test/...)
// in its own process, two at a time (the machine has two cores), and ends with the line CI
// reads: "N passed, N failed". A file that crashes before uvu prints its summary counts as one
// failure, so a broken import can never pass silently.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filter = process.argv[2] ? new RegExp(process.argv[2]) : null;

function findTests(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith(".test.js")) out.push(path);
  }
  return out;
}

const roots = [
  ...readdirSync(join(root, "packages")).map((p) => join(root, "packages", p, "dist", "test")),
  join(root, "analysis", "dist", "test"),
];
const files = roots
  .flatMap((dir) => findTests(dir, []))
  .filter((f) => !filter || filter.test(f))
  .sort();

function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => {
      const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? Number.NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? Number.NaN);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(output)?.[1] ?? 0);
      if (Number.isNaN(total) || Number.isNaN(passed)) {
        resolve({ file, output, passed: 0, failed: 1, skipped: 0, code });
      } else {
        // uvu's Total counts the tests that ran; skipped ones are reported apart. A file that
        // exits non-zero with every test passed still failed (e.g. an error after the run).
        const failed = total - passed + (code !== 0 && total === passed ? 1 : 0);
        resolve({ file, output, passed, failed, skipped, code });
      }
    });
  });
}

const concurrency = Math.max(1, Math.min(2, cpus().length));
let next = 0;
let passed = 0;
let failed = 0;
let skipped = 0;
async function worker() {
  while (next < files.length) {
    const file = files[next++];
    const started = performance.now();
    const r = await runFile(file);
    passed += r.passed;
    failed += r.failed;
    skipped += r.skipped;
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    const mark = r.failed === 0 ? "ok  " : "FAIL";
    const skips = r.skipped > 0 ? `, ${r.skipped} skipped` : "";
    process.stdout.write(
      `${mark} ${relative(root, file)} (${r.passed} passed${skips}, ${secs}s)\n`,
    );
    if (r.failed > 0) process.stdout.write(`${r.output}\n`);
    else if (r.skipped > 0) {
      // a skipping test says why on its output: show that line
      const why = r.output.split("\n").filter((l) => /skip/i.test(l) && !/Skipped:/.test(l));
      for (const line of why) process.stdout.write(`     ${line.trim()}\n`);
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
if (files.length === 0) {
  failed += 1;
  process.stdout.write("no test files found: did `tsc -b` run?\n");
}
if (skipped > 0) process.stdout.write(`${skipped} skipped (the reasons are printed above)\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 ? 0 : 1;

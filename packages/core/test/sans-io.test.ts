// DESIGN.md's sans-IO contract, checked on the source: the core never reaches for I/O, clocks,
// timers or ambient randomness, so the simulator and the real network drive the same code.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const srcDir = new URL("../../src/", import.meta.url).pathname;
const forbidden: [RegExp, string][] = [
  [/from\s+["'](node:[^"']+|fs|net|http|ws|timers|crypto)["']/, "an I/O module import"],
  [/\bDate\b/, "Date (time comes from the host)"],
  [/\bMath\.random\b/, "Math.random (randomness comes from the host's seeded Rng)"],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\b/, "a timer"],
  [/\bprocess\./, "process"],
  [/\bperformance\./, "performance (time comes from the host)"],
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

test("packages/core/src uses no I/O, clock, timer or ambient randomness", () => {
  const files = sources(srcDir);
  assert.ok(files.length > 5, `found the sources in ${srcDir}`);
  const leaks: string[] = [];
  for (const file of files) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return;
        for (const [pattern, what] of forbidden) {
          if (pattern.test(line)) leaks.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
        }
      });
  }
  assert.equal(leaks, []);
});

test.run();

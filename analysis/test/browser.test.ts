// report.html in a real browser: headless Chromium (Debian's `chromium`; .ci/run installs it)
// opens the report of the recorded fixture with the network off, and it must render: the DOM
// has the summary table and every figure as inline SVG, nothing failed to load, and the
// screenshot (kept in test-output/analysis-browser/report.png) is a full, non-blank page.
// Where Chromium is missing and cannot be installed the test is skipped, saying so.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeReport } from "../src/experiment-report.js";

const ROOT = new URL("../../../", import.meta.url).pathname;
const FIXTURE = join(ROOT, "analysis", "test", "fixtures", "tiny-sweep");
const OUTPUT = join(ROOT, "test-output", "analysis-browser");

function findChromium(): string | null {
  for (const name of ["chromium", "chromium-browser"]) {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim() !== "") return r.stdout.trim();
  }
  return null;
}

const chromium = findChromium();

function browse(args: string[], profile: string) {
  const r = spawnSync(
    chromium!,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-extensions",
      "--hide-scrollbars",
      `--user-data-dir=${profile}`,
      "--window-size=1280,2000",
      ...args,
    ],
    { encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.error) throw r.error;
  return r;
}

/** What in Chromium's stderr means the page did not render cleanly (dbus noise is not it). */
const PAGE_ERRORS = /net::ERR_|Failed to load|Uncaught|CONSOLE\(\d+\).*error|Refused to/i;

if (chromium === null) {
  process.stdout.write(
    "browser test skipped: no `chromium` on this machine (apt-get install -y chromium; .ci/run installs it where it can)\n",
  );
  test.skip("report.html renders in headless Chromium", () => {});
} else {
  test("report.html renders in headless Chromium: table, figures, no errors, a screenshot", async () => {
    const work = mkdtempSync(join(tmpdir(), "analysis-browser-"));
    try {
      const dir = join(work, "20261126T155901Z_tiny-sweep");
      cpSync(FIXTURE, dir, { recursive: true });
      const report = await writeReport(dir);
      const url = `file://${report.html}`;
      const dom = browse(["--dump-dom", url], join(work, "profile-dom"));
      assert.is(dom.status, 0, dom.stderr);
      assert.match(dom.stdout, /<table class="summary">/);
      assert.match(dom.stdout, /<h1>tiny-sweep<\/h1>/);
      assert.is(dom.stdout.match(/<svg /g)?.length, 6, "six inline figures in the DOM");
      assert.match(dom.stdout, /<h2>Checks<\/h2>/);
      assert.not.match(dom.stderr, PAGE_ERRORS);

      mkdirSync(OUTPUT, { recursive: true });
      const png = join(OUTPUT, "report.png");
      rmSync(png, { force: true });
      const shot = browse([`--screenshot=${png}`, url], join(work, "profile-shot"));
      assert.is(shot.status, 0, shot.stderr);
      assert.not.match(shot.stderr, PAGE_ERRORS);
      const bytes = readFileSync(png);
      assert.equal([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
      assert.is(bytes.readUInt32BE(16), 1280, "width");
      assert.is(bytes.readUInt32BE(20), 2000, "height");
      assert.ok(
        bytes.length > 60_000,
        `a page with content, not a blank one (${bytes.length} bytes)`,
      );
      process.stdout.write(`screenshot: ${png}\n`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

test.run();

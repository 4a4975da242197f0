// The README's library snippet is src/library.ts, character for character, and it runs: the
// client's put completes through five acceptors with Flexible Paxos quorums.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = new URL("../../../../", import.meta.url).pathname;
const source = new URL("../../src/library.ts", import.meta.url).pathname;
const compiled = new URL("../src/library.js", import.meta.url).pathname;

function readmeSnippet(): string {
  const readme = readFileSync(`${root}README.md`, "utf8");
  const section = readme.slice(readme.indexOf("## Using the engine as a library"));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (m === null)
    throw new Error("README.md: no ```ts block under 'Using the engine as a library'");
  return m[1]!;
}

test("the README's snippet is packages/examples/src/library.ts", () => {
  assert.fixture(readmeSnippet(), readFileSync(source, "utf8"));
});

test("the snippet runs: the put completes", async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [compiled], (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
    );
  });
  assert.is(stdout, 'c1: seq 0 -> {"type":"put"}\n');
});

test.run();

import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PersistRecord } from "@paxos/core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DurableLog } from "../src/storage.js";

const records: PersistRecord[] = [
  { type: "round", round: 3 },
  { type: "promise", ballot: { round: 3, leader: "n1" } },
  {
    type: "accept",
    pvalue: {
      ballot: { round: 3, leader: "n1" },
      slot: 0,
      value: [
        { clientId: "c", seq: 0, ackedBelow: 0, op: { type: "put", key: "k", value: "v\n\u00e9" } },
      ],
    },
  },
];

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "durable-log-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("records appended are read back in order on reopen", () =>
  withDir((dir) => {
    const path = join(dir, "sub", "state.jsonl");
    const first = DurableLog.open(path, { fsync: true });
    assert.equal(first.recovered, { records: [], truncatedBytes: 0 });
    first.log.append(records.slice(0, 2));
    first.log.append(records.slice(2));
    first.log.close();
    const again = DurableLog.open(path, { fsync: true });
    assert.equal(again.recovered.records, records);
    again.log.append([{ type: "round", round: 4 }]);
    again.log.close();
    assert.is(DurableLog.open(path, { fsync: false }).recovered.records.length, 4);
  }));

test("a torn last line (crash mid-write) is cut off and the log goes on from there", () =>
  withDir((dir) => {
    const path = join(dir, "state.jsonl");
    const { log } = DurableLog.open(path, { fsync: true });
    log.append(records);
    log.close();
    const goodSize = statSync(path).size;
    appendFileSync(path, '{"type":"accept","pval');
    const reopened = DurableLog.open(path, { fsync: true });
    assert.equal(reopened.recovered.records, records);
    assert.is(reopened.recovered.truncatedBytes, '{"type":"accept","pval'.length);
    assert.is(statSync(path).size, goodSize);
    reopened.log.append([{ type: "round", round: 9 }]);
    reopened.log.close();
    const lines = readFileSync(path, "utf8").trim().split("\n");
    assert.equal(JSON.parse(lines[lines.length - 1]!), { type: "round", round: 9 });
  }));

test("a record of the wrong shape ends the replay there", () =>
  withDir((dir) => {
    const path = join(dir, "state.jsonl");
    appendFileSync(
      path,
      `${JSON.stringify(records[0])}\n{"type":"promise","ballot":{"round":-1}}\n${JSON.stringify(records[1])}\n`,
    );
    const { log, recovered } = DurableLog.open(path, { fsync: true });
    log.close();
    assert.equal(recovered.records, [records[0]]);
    assert.ok(recovered.truncatedBytes > 0);
  }));

test.run();

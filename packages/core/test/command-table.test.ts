import { test } from "uvu";
import * as assert from "uvu/assert";
import { CommandTable } from "../src/roles/command-table.js";

test("keys by (clientId, seq); size counts entries, not overwrites", () => {
  const t = new CommandTable<string>();
  t.set("a", 1, "x");
  t.set("a", 1, "y");
  t.set("a", 2, "z");
  t.set("b", 1, "w");
  assert.is(t.size, 3);
  assert.is(t.get("a", 1), "y");
  assert.ok(t.has("b", 1));
  assert.not.ok(t.has("b", 2));
  assert.not.ok(t.has("c", 1));
  assert.equal([...t.values()].sort(), ["w", "y", "z"]);
});

test("delete says whether it removed something, and a client with nothing left goes", () => {
  const t = new CommandTable<number>();
  t.set("a", 1, 10);
  assert.not.ok(t.delete("a", 2));
  assert.not.ok(t.delete("b", 1));
  assert.ok(t.delete("a", 1));
  assert.is(t.size, 0);
  assert.equal([...t.values()], []);
  t.set("a", 3, 30);
  assert.is(t.get("a", 3), 30);
  assert.is(t.size, 1);
});

test("entries may be deleted while iterating (a replica answers and forgets as it goes)", () => {
  const t = new CommandTable<string>();
  for (const c of ["a", "b"]) for (let s = 0; s < 3; s++) t.set(c, s, `${c}${s}`);
  const seen: string[] = [];
  for (const v of t.values()) {
    seen.push(v);
    t.delete(v[0]!, Number(v.slice(1)));
  }
  assert.equal(seen, ["a0", "a1", "a2", "b0", "b1", "b2"]);
  assert.is(t.size, 0);
});

test.run();

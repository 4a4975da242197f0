import { test } from "uvu";
import * as assert from "uvu/assert";
import { jsonStringBytes, operationBytes, operationBytesOver } from "../src/size.js";

test("jsonStringBytes is the length JSON.stringify gives, in UTF-8", () => {
  for (const s of ["", "plain", 'q"b\\', "\u0001\n\t", "é€😀", "\ud800x"]) {
    assert.is(jsonStringBytes(s), Buffer.byteLength(JSON.stringify(s)), JSON.stringify(s));
  }
});

test("operationBytesOver: the exact size when above the limit, undefined at or below it", () => {
  // control characters weigh six bytes each: the worst case the quick bound assumes
  const worst = { type: "put", key: "k", value: "\u0001".repeat(100) } as const;
  const exact = operationBytes(worst);
  assert.is(exact, 3 + 602);
  assert.is(operationBytesOver(worst, exact), undefined);
  assert.is(operationBytesOver(worst, exact - 1), exact);
  // plain text is measured exactly, not by the bound, near the limit
  const plain = { type: "cas", key: "key", expected: "old", value: "x".repeat(1000) } as const;
  const plainBytes = operationBytes(plain);
  assert.is(operationBytesOver(plain, plainBytes), undefined);
  assert.is(operationBytesOver(plain, plainBytes - 1), plainBytes);
  assert.is(operationBytesOver({ type: "get", key: "k" }, 3), undefined);
  assert.is(operationBytesOver({ type: "get", key: "k" }, 2), 3);
});

test.run();

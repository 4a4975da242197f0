// Histories written by other tools: Jepsen's history.edn (a single register, keyed registers,
// appends, one-operation transactions; :fail and :info) and Porcupine's kv logs, read into the
// checker's history and checked. The histories here are written for the test in those formats.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HistoryError } from "../src/history.js";
import { parseJepsenHistory, REGISTER_KEY } from "../src/jepsen-history.js";
import { checkLinearizability } from "../src/linearizability.js";
import { parsePorcupineKvLog } from "../src/porcupine-history.js";

const edn = (lines: string[]) => `${lines.join("\n")}\n`;

test("Jepsen register: read, write, cas; :fail cas saw another value; :info is unknown", () => {
  const text = edn([
    "{:type :invoke, :f :write, :value 1, :process 0, :time 1000000, :index 0}",
    "{:type :invoke, :f :read, :value nil, :process 1, :time 2000000, :index 1}",
    "{:type :ok, :f :write, :value 1, :process 0, :time 3000000, :index 2}",
    "{:type :ok, :f :read, :value 1, :process 1, :time 4000000, :index 3}",
    "{:type :invoke, :f :cas, :value [2 3], :process 0, :time 5000000, :index 4}",
    "{:type :fail, :f :cas, :value [2 3], :process 0, :time 6000000, :index 5}",
    "{:type :info, :f :start, :value nil, :process :nemesis, :time 6500000, :index 6}",
    "{:type :invoke, :f :write, :value 4, :process 1, :time 7000000, :index 7}",
    "{:type :info, :f :write, :value 4, :process 1, :time 8000000, :index 8, :error :timeout}",
    "{:type :invoke, :f :cas, :value [1 5], :process 0, :time 9000000, :index 9}",
    "{:type :ok, :f :cas, :value [1 5], :process 0, :time 10000000, :index 10}",
    "{:type :invoke, :f :read, :value nil, :process 2, :time 11000000, :index 11}",
    "{:type :ok, :f :read, :value 4, :process 2, :time 12000000, :index 12}",
  ]);
  const h = parseJepsenHistory(text);
  assert.is(h.length, 6);
  assert.equal(h[0]!.op, { type: "put", key: REGISTER_KEY, value: "1" });
  assert.is(h[0]!.invokedAt, 1, "ns become ms");
  assert.equal(h[2]!.result, { type: "cas", ok: false }, "a :fail cas without :error");
  assert.is(h[3]!.returnedAt, null, ":info: unknown outcome");
  assert.is(h[3]!.line, 8);
  // the timed-out write of 4 may take effect after the cas: linearizable
  assert.is(checkLinearizability(h).verdict, "linearizable");
  // a :fail with an :error did not happen at all: it is left out
  const withError = text.replace(
    "{:type :fail, :f :cas, :value [2 3], :process 0, :time 6000000, :index 5}",
    "{:type :fail, :f :cas, :value [2 3], :process 0, :time 6000000, :index 5, :error :conn-refused}",
  );
  assert.is(parseJepsenHistory(withError).length, 5);
  // a cas that failed when the register surely held what it expected: not linearizable
  const failedCas = edn([
    "{:type :invoke, :f :write, :value 1, :process 0}",
    "{:type :ok, :f :write, :value 1, :process 0}",
    "{:type :invoke, :f :cas, :value [1 5], :process 0}",
    "{:type :fail, :f :cas, :value [1 5], :process 0}",
  ]);
  const r = checkLinearizability(parseJepsenHistory(failedCas));
  assert.is(r.verdict, "not linearizable");
  if (r.verdict === "not linearizable") assert.match(r.explanation, /something other than "1"/);
});

test("Jepsen keyed registers ([key value]) and tagged ops", () => {
  const h = parseJepsenHistory(
    edn([
      "#jepsen.history.Op{:index 0, :time 0, :type :invoke, :process 0, :f :write, :value [7 1]}",
      "#jepsen.history.Op{:index 1, :time 10, :type :ok, :process 0, :f :write, :value [7 1]}",
      "#jepsen.history.Op{:index 2, :time 20, :type :invoke, :process 1, :f :read, :value [7 nil]}",
      "#jepsen.history.Op{:index 3, :time 30, :type :ok, :process 1, :f :read, :value [7 2]}",
      "#jepsen.history.Op{:index 4, :time 40, :type :invoke, :process 1, :f :cas, :value [8 [nil 3]]}",
      "#jepsen.history.Op{:index 5, :time 50, :type :ok, :process 1, :f :cas, :value [8 [nil 3]]}",
    ]),
  );
  assert.equal(
    h.map((o) => o.op.key),
    ["7", "7", "8"],
  );
  const r = checkLinearizability(h);
  assert.is(r.verdict, "not linearizable");
  if (r.verdict === "not linearizable") assert.is(r.key, "7");
});

test("Jepsen appends: list reads, :append and one-operation :txn; longer transactions refused", () => {
  const appends = edn([
    "{:type :invoke, :f :append, :value [:x 1], :process 0, :index 0}",
    "{:type :invoke, :f :txn, :value [[:append :x 2]], :process 1, :index 1}",
    "{:type :ok, :f :append, :value [:x 1], :process 0, :index 2}",
    "{:type :ok, :f :txn, :value [[:append :x 2]], :process 1, :index 3}",
    "{:type :invoke, :f :read, :value [:x nil], :process 0, :index 4}",
    "{:type :ok, :f :read, :value [:x [2 1]], :process 0, :index 5}",
    "{:type :invoke, :f :txn, :value [[:r :x nil]], :process 1, :index 6}",
    "{:type :ok, :f :txn, :value [[:r :x [2 1]]], :process 1, :index 7}",
  ]);
  const h = parseJepsenHistory(appends);
  assert.equal(h[0]!.op, { type: "append", key: "x", value: "1," });
  assert.equal(h[2]!.result, { type: "get", value: "2,1," });
  assert.is(h[0]!.invokedAt, 0, "without :time, the event's position is its time");
  assert.is(checkLinearizability(h).verdict, "linearizable");
  const reordered = appends.replace("[:x [2 1]], :process 0", "[:x [1 2]], :process 0");
  assert.is(checkLinearizability(parseJepsenHistory(reordered)).verdict, "not linearizable");
  assert.throws(
    () =>
      parseJepsenHistory(
        edn([
          "{:type :invoke, :f :txn, :value [[:append :x 1] [:r :y nil]], :process 0}",
          "{:type :ok, :f :txn, :value [[:append :x 1] [:r :y [3]]], :process 0}",
        ]),
      ),
    (e: unknown) =>
      e instanceof HistoryError &&
      /line 1, field "value": a transaction of 2 micro-operations/.test(e.message),
  );
});

test("malformed EDN and unpaired events name their line", () => {
  assert.throws(
    () =>
      parseJepsenHistory(edn(["{:type :invoke, :f :read, :process 0}", "{:type :ok, :f :read"])),
    (e: unknown) => e instanceof HistoryError && /line 2: not valid EDN/.test(e.message),
  );
  assert.throws(
    () => parseJepsenHistory(edn(["{:type :ok, :f :read, :value 1, :process 3}"])),
    (e: unknown) =>
      e instanceof HistoryError && /line 1, field "process": process 3 completes/.test(e.message),
  );
});

test('Porcupine kv logs: get/put/append, "" is absent, a lost append is caught', () => {
  const ok = edn([
    '{:process 0, :type :invoke, :f :append, :key "1", :value "x 0 0 y"}',
    '{:process 1, :type :invoke, :f :append, :key "1", :value "x 1 0 y"}',
    '{:process 2, :type :invoke, :f :get, :key "2", :value nil}',
    '{:process 2, :type :ok, :f :get, :key "2", :value ""}',
    '{:process 1, :type :ok, :f :append, :key "1", :value "x 1 0 y"}',
    '{:process 0, :type :ok, :f :append, :key "1", :value "x 0 0 y"}',
    '{:process 2, :type :invoke, :f :get, :key "1", :value nil}',
    '{:process 2, :type :ok, :f :get, :key "1", :value "x 1 0 yx 0 0 y"}',
    '{:process 0, :type :invoke, :f :put, :key "1", :value "z"}',
    '{:process 0, :type :ok, :f :put, :key "1", :value "z"}',
    '{:process 1, :type :invoke, :f :get, :key "1", :value nil}',
    '{:process 1, :type :ok, :f :get, :key "1", :value "z"}',
  ]);
  const h = parsePorcupineKvLog(ok);
  assert.equal(h[0]!.op, { type: "append", key: "1", value: "x 0 0 y" });
  assert.equal(h[2]!.result, { type: "get", value: null });
  assert.is(checkLinearizability(h).verdict, "linearizable");
  const lost = ok.replace(':value "x 1 0 yx 0 0 y"}', ':value "x 1 0 y"}');
  const r = checkLinearizability(parsePorcupineKvLog(lost));
  assert.is(r.verdict, "not linearizable");
  if (r.verdict === "not linearizable") {
    assert.is(r.key, "1");
    assert.ok(r.slice.every((o) => o.line !== undefined));
  }
});

test.run();

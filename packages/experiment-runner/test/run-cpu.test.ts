// What a run records of its CPU: the load generator's LOAD line, read back into per-operation
// figures, and the system's processes' CPU time read from /proc, which must agree with what
// Node says of its own process.
import { existsSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpuExtra, parseLoadLine } from "../src/modes/loadgen-cpu.js";
import { CpuWindow, cpuUsOf } from "../src/modes/process-cpu.js";

test("a LOAD line: CPU us per operation, cores and event-loop busy share", () => {
  const c = parseLoadLine("LOAD 2000000 40000 10000 955");
  assert.equal(c, { cpuUs: 2_000_000, ops: 40_000, wallMs: 10_000, busy: 0.955 });
  assert.equal(cpuExtra(c!, 3_000_000), {
    loadgen_busy: 0.955,
    loadgen_cpu_us_per_op: 50,
    loadgen_cpu_cores: 0.2,
    system_cpu_us_per_op: 75,
    system_cpu_cores: 0.3,
  });
  const none = cpuExtra({ cpuUs: 5, ops: 0, wallMs: 0, busy: 0 }, null);
  assert.is(none.loadgen_cpu_us_per_op, null, "no operation, no figure per operation");
  assert.is(none.system_cpu_cores, null);
  assert.is(parseLoadLine("PROGRESS 200 31"), undefined);
  assert.is(parseLoadLine("LOAD 1 2 3"), undefined, "four figures or none");
});

const linux = existsSync(`/proc/${process.pid}/stat`);

test("/proc's CPU time of a process agrees with the process's own account", () => {
  if (!linux) return;
  const window = new CpuWindow(() => [process.pid]);
  window.start();
  const before = process.cpuUsage();
  let x = 0;
  while (process.cpuUsage(before).user < 200_000) {
    for (let i = 0; i < 100_000; i++) x += Math.sqrt(x + i); // 0.2 s of CPU in all
  }
  const spent = window.end()!;
  const own = process.cpuUsage(before);
  const ownUs = own.user + own.system;
  // /proc counts in 10 ms ticks
  assert.ok(spent >= 150_000 && Math.abs(spent - ownUs) < 50_000, `window ${spent}, own ${ownUs}`);
  const total = process.cpuUsage();
  const proc = cpuUsOf(process.pid)!;
  assert.ok(
    Math.abs(proc - total.user - total.system) < 50_000,
    `${proc} vs ${JSON.stringify(total)}`,
  );
  assert.is(cpuUsOf(2 ** 30), null, "no such process");
  assert.is(new CpuWindow(() => [process.pid]).end(), null, "never started");
});

test.run();

// Running code that is written once against drivers whose answers may be immediate (the
// simulator) or promises (real processes). The code is a generator that yields each answer it
// needs (`const x = yield* wait(driver.leader())`); `runSteps` resumes it synchronously while
// answers are plain values and only goes asynchronous at the first promise. In the simulator
// a fault therefore runs to its end inside the event that fired it.

import type { Awaitable } from "./types.js";

export type Steps<T> = Generator<Awaitable<unknown>, T, unknown>;

/** Waits for one answer inside a generator: `const v = yield* wait(x)`. */
export function* wait<T>(value: Awaitable<T>): Generator<Awaitable<T>, T, unknown> {
  return (yield value) as T;
}

/** Runs `steps` to the end: a plain value when no step was a promise, else a promise. */
export function runSteps<T>(steps: Steps<T>): Awaitable<T> {
  let input: unknown;
  for (;;) {
    const r = steps.next(input);
    if (r.done) return r.value;
    if (r.value instanceof Promise) return r.value.then((v) => continueAsync(steps, v));
    input = r.value;
  }
}

async function continueAsync<T>(steps: Steps<T>, first: unknown): Promise<T> {
  let r = steps.next(first);
  while (!r.done) r = steps.next(await r.value);
  return r.value;
}

// The smallest and largest of many numbers. Math.min(...xs) passes one argument per element
// and throws RangeError (call stack size exceeded) beyond about 125,000 of them: these loop.

/** The largest of `xs`, or `empty` when there are none. */
export function maxOf(xs: Iterable<number>, empty = Number.NEGATIVE_INFINITY): number {
  let m = Number.NEGATIVE_INFINITY;
  let any = false;
  for (const x of xs) {
    any = true;
    if (x > m) m = x;
  }
  return any ? m : empty;
}

/** The smallest of `xs`, or `empty` when there are none. */
export function minOf(xs: Iterable<number>, empty = Number.POSITIVE_INFINITY): number {
  let m = Number.POSITIVE_INFINITY;
  let any = false;
  for (const x of xs) {
    any = true;
    if (x < m) m = x;
  }
  return any ? m : empty;
}

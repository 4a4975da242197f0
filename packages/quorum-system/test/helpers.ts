// Shared test helpers: subset enumeration and the "targets are minimal quorums" check.

import * as assert from "uvu/assert";
import type { NodeId } from "../src/index.js";

/** Acceptor ids a0..a{n-1}. */
export function ids(n: number, prefix = "a"): NodeId[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/** The members of `acceptors` selected by the bits of `mask`. */
export function pick(acceptors: readonly NodeId[], mask: number): NodeId[] {
  return acceptors.filter((_, i) => (mask >>> i) & 1);
}

/** Every subset of `acceptors` (2^n of them), as arrays. */
export function subsets(acceptors: readonly NodeId[]): NodeId[][] {
  const out: NodeId[][] = [];
  for (let mask = 0; mask < 2 ** acceptors.length; mask++) out.push(pick(acceptors, mask));
  return out;
}

/** `set` is a quorum and dropping any one member makes it not one. */
export function assertMinimalQuorum(isQuorum: (ackers: NodeId[]) => boolean, set: NodeId[]): void {
  assert.ok(isQuorum(set), `expected ${JSON.stringify(set)} to be a quorum`);
  for (const id of set) {
    const without = set.filter((x) => x !== id);
    assert.not.ok(isQuorum(without), `${JSON.stringify(without)} is still a quorum: not minimal`);
  }
}

/** Runs `fn`, which must throw an instance of `type` whose message is exactly `message`. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  type: abstract new (...args: never[]) => E,
  message: string,
): E {
  try {
    fn();
  } catch (err) {
    assert.instance(err, type);
    assert.is((err as E).message, message);
    return err as E;
  }
  assert.unreachable(`expected ${type.name}: ${message}`);
  throw new Error("unreachable");
}

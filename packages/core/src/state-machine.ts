import type { Operation, Result } from "./command.js";
import { jsonStringBytes } from "./size.js";

/**
 * A deterministic service the replicas replicate. Every replica applies the same operations in
 * the same order, so `apply` must depend on nothing but the state and the operation.
 */
export interface StateMachine<Op = Operation, Res = Result> {
  apply(op: Op): Res;
  /**
   * A copy of the state as a list of entries, for a replica's durable snapshot and for a
   * replica too far behind to catch up slot by slot. Entries are what the engine splits a
   * snapshot transfer at, so no single entry may be larger than a message.
   */
  snapshot(): readonly unknown[];
  /** what one entry weighs in a JSON message, in bytes (an upper bound is fine) */
  entryBytes(entry: unknown): number;
  restore(entries: readonly unknown[]): void;
}

/** Every put's result: results are never changed, so one object serves them all. */
export const PUT_DONE: Result = Object.freeze({ type: "put" });

/** The key-value store every experiment measures: get, put, delete, compare-and-set. */
export class KeyValueStore implements StateMachine<Operation, Result> {
  private readonly data = new Map<string, string>();

  apply(op: Operation): Result {
    switch (op.type) {
      case "get":
        return { type: "get", value: this.data.get(op.key) ?? null };
      case "put":
        this.data.set(op.key, op.value);
        return PUT_DONE;
      case "delete":
        return { type: "delete", existed: this.data.delete(op.key) };
      case "cas": {
        const current = this.data.get(op.key) ?? null;
        if (current !== op.expected) return { type: "cas", ok: false, value: current };
        this.data.set(op.key, op.value);
        return { type: "cas", ok: true, value: op.value };
      }
    }
  }

  get size(): number {
    return this.data.size;
  }

  snapshot(): [string, string][] {
    return [...this.data];
  }

  entryBytes(entry: unknown): number {
    const [key, value] = entry as [string, string];
    return jsonStringBytes(key) + jsonStringBytes(value) + 3;
  }

  restore(snapshot: readonly unknown[]): void {
    if (!Array.isArray(snapshot))
      throw new TypeError("key-value snapshot must be an array of pairs");
    this.data.clear();
    for (const pair of snapshot) {
      if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
        throw new TypeError("key-value snapshot entries must be [key, value] string pairs");
      }
      this.data.set(pair[0], pair[1]);
    }
  }
}

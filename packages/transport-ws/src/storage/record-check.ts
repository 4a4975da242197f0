// The shape of every record read back from disk, checked like a message from the network: a
// record that passed its checksum but not this check was written by another version or by a
// bug, and the engine must not start on it (a slot of NaN would corrupt its state).

import {
  checkArray,
  checkBallot,
  checkKvPair,
  checkPValue,
  checkSession,
  nat,
  shape,
} from "../validate.js";

type Problem = string | undefined;

/** The problem with `x` as a PersistRecord, or undefined when it is one. */
export function checkPersistRecord(x: unknown, path: string): Problem {
  const r = x as Record<string, unknown>;
  switch (typeof x === "object" && x !== null ? r.type : undefined) {
    case "promise":
      return shape(x, path, ["type", "ballot"]) ?? checkBallot(r.ballot, `${path}.ballot`);
    case "accept":
      return shape(x, path, ["type", "pvalue"]) ?? checkPValue(r.pvalue, `${path}.pvalue`);
    case "round":
      return shape(x, path, ["type", "round"]) ?? nat(r.round, `${path}.round`);
    case "trim":
    case "decided":
      return shape(x, path, ["type", "below"]) ?? nat(r.below, `${path}.below`);
    case "snapshot":
      return (
        shape(x, path, ["type", "slot", "entries", "sessions"]) ??
        nat(r.slot, `${path}.slot`) ??
        checkArray(r.entries, `${path}.entries`, checkKvPair) ??
        checkArray(r.sessions, `${path}.sessions`, checkSession)
      );
    default:
      return `${path}: not a persist record (type ${JSON.stringify(r?.type ?? null)})`;
  }
}

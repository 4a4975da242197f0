// The two ways building a quorum system can fail. They are separate classes because callers
// react differently: a QuorumConfigError is a typo to fix, an UnsafeQuorumError is a
// deliberate design that needs `allowUnsafe: true` (e.g. to demonstrate a safety violation).

import type { NodeId, QuorumWitness } from "./types.js";

/** Bad input: sizes out of range, duplicate or unknown acceptors, malformed specs, ... */
export class QuorumConfigError extends Error {
  override readonly name = "QuorumConfigError";
}

/** The system has a phase-1 quorum and a phase-2 quorum that do not intersect. */
export class UnsafeQuorumError extends Error {
  override readonly name = "UnsafeQuorumError";
  /** describe() of the refused system. */
  readonly system: string;
  readonly witness: { readonly phase1: NodeId[]; readonly phase2: NodeId[] };

  constructor(system: string, witness: QuorumWitness) {
    super(
      `${system} is unsafe: phase-1 quorum ${formatSet(witness.phase1)} and phase-2 quorum ` +
        `${formatSet(witness.phase2)} do not intersect (pass allowUnsafe: true to build it anyway)`,
    );
    this.system = system;
    this.witness = { phase1: [...witness.phase1], phase2: [...witness.phase2] };
  }
}

/** "{a1, a2}": how sets of acceptors appear in messages and descriptions. */
export function formatSet(ids: readonly NodeId[]): string {
  return `{${ids.join(", ")}}`;
}

/** Renders a user-supplied value for an error message: strings quoted, so "" and "4" stay visible. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value) || (typeof value === "object" && value !== null)) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

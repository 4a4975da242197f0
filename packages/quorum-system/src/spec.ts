// The JSON form of a quorum system, as written in cluster and experiment config files.
// Specs come from disk, so everything is checked at run time (including field names: a typo
// like "phase_2" must fail loudly, not silently fall back to a default).

import { indexAcceptors } from "./acceptors.js";
import { QuorumConfigError, show } from "./errors.js";
import { explicit } from "./explicit.js";
import { flexible } from "./flexible.js";
import { type GridOrientation, grid } from "./grid.js";
import { majority } from "./majority.js";
import type { NodeId, QuorumSystem } from "./types.js";

export type QuorumSpec =
  | { kind: "majority"; allowUnsafe?: boolean }
  | { kind: "flexible"; phase1: number; phase2: number; allowUnsafe?: boolean }
  | {
      kind: "grid";
      /** The acceptors are laid out row-major; rows * columns must equal their number. */
      rows: number;
      columns: number;
      phase1?: GridOrientation;
      allowUnsafe?: boolean;
    }
  | { kind: "explicit"; phase1: NodeId[][]; phase2: NodeId[][]; allowUnsafe?: boolean };

const FIELDS: Record<QuorumSpec["kind"], readonly string[]> = {
  majority: ["kind", "allowUnsafe"],
  flexible: ["kind", "phase1", "phase2", "allowUnsafe"],
  grid: ["kind", "rows", "columns", "phase1", "allowUnsafe"],
  explicit: ["kind", "phase1", "phase2", "allowUnsafe"],
};

/** Builds the quorum system a spec describes over the given acceptors. */
export function fromSpec(spec: QuorumSpec, acceptors: NodeId[]): QuorumSystem {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new QuorumConfigError(`quorum spec must be an object with a "kind", got ${show(spec)}`);
  }
  const raw = spec as unknown as Record<string, unknown>;
  const kind = raw.kind;
  if (typeof kind !== "string" || !Object.hasOwn(FIELDS, kind)) {
    throw new QuorumConfigError(
      `unknown quorum spec kind ${show(kind)} (expected "majority", "flexible", "grid" or "explicit")`,
    );
  }
  const allowed = FIELDS[kind as QuorumSpec["kind"]];
  for (const field of Object.keys(raw)) {
    if (!allowed.includes(field)) {
      throw new QuorumConfigError(
        `${kind} spec: unknown field ${show(field)} (allowed: ${allowed.join(", ")})`,
      );
    }
  }
  if (raw.allowUnsafe !== undefined && typeof raw.allowUnsafe !== "boolean") {
    throw new QuorumConfigError(
      `${kind} spec: allowUnsafe = ${show(raw.allowUnsafe)} is not a boolean`,
    );
  }
  indexAcceptors(kind, acceptors);
  const allowUnsafe = raw.allowUnsafe === true;

  switch (spec.kind) {
    case "majority":
      return majority(acceptors);
    case "flexible":
      return flexible(acceptors, { phase1: spec.phase1, phase2: spec.phase2, allowUnsafe });
    case "grid": {
      const rows = positiveInteger("rows", spec.rows);
      const columns = positiveInteger("columns", spec.columns);
      if (rows * columns !== acceptors.length) {
        throw new QuorumConfigError(
          `grid spec: rows * columns = ${rows} * ${columns} = ${rows * columns}, ` +
            `but ${acceptors.length} acceptors were given`,
        );
      }
      const layout = Array.from({ length: rows }, (_, r) =>
        acceptors.slice(r * columns, (r + 1) * columns),
      );
      return grid(layout, { phase1: spec.phase1 ?? "row", allowUnsafe });
    }
    case "explicit":
      return explicit({ phase1: spec.phase1, phase2: spec.phase2, allowUnsafe }, acceptors);
  }
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new QuorumConfigError(`grid spec: ${name} = ${show(value)} is not a positive integer`);
  }
  return value;
}

// Grid quorums (Flexible Paxos, section 5): acceptors laid out in R rows of C columns.
// With phase1 "row", a full row is a phase-1 quorum and one member from every row is a
// phase-2 quorum; "column" is the transpose. A full row always meets a one-per-row set (in
// that row), so every grid is safe, and phase-2 quorums can be far smaller than a majority.
//
// Internally both orientations are the same thing: acceptors are grouped into "lines"
// (rows or columns). Phase 1 needs one complete line, phase 2 needs a member of every line.

import { indexAcceptors } from "./acceptors.js";
import { QuorumConfigError, show } from "./errors.js";
import type { IntersectionResult, NodeId, QuorumSystem } from "./types.js";

export type GridOrientation = "row" | "column";

export interface GridOptions {
  /** Which line is a phase-1 quorum: a full "row" (default) or a full "column". */
  phase1?: GridOrientation;
  /** Accepted for uniformity with the other constructors; a grid is never unsafe. */
  allowUnsafe?: boolean;
}

export class GridQuorumSystem implements QuorumSystem {
  readonly kind = "grid";
  /** Row-major. */
  readonly acceptors: readonly NodeId[];
  readonly rows: readonly (readonly NodeId[])[];
  readonly orientation: GridOrientation;
  readonly #index: Map<NodeId, number>;
  /** Line number of each acceptor position: its row for "row", its column for "column". */
  readonly #lineOf: Int32Array;
  readonly #lineCount: number;
  readonly #lineLength: number;

  constructor(rows: NodeId[][], options: GridOptions = {}) {
    if (!Array.isArray(rows) || rows.length === 0) {
      throw new QuorumConfigError(`grid: needs at least one row, got ${show(rows)}`);
    }
    for (let r = 0; r < rows.length; r++) {
      const row: unknown = rows[r];
      if (!Array.isArray(row))
        throw new QuorumConfigError(`grid row ${r} is ${show(row)}, not an array`);
      if (row.length === 0) throw new QuorumConfigError(`grid row ${r} is empty`);
    }
    const columns = rows[0]!.length;
    for (let r = 1; r < rows.length; r++) {
      const len = rows[r]!.length;
      if (len !== columns) {
        throw new QuorumConfigError(`grid row ${r} has ${len} members, row 0 has ${columns}`);
      }
    }
    const orientation = options?.phase1 ?? "row";
    if (orientation !== "row" && orientation !== "column") {
      throw new QuorumConfigError(`grid: phase1 = ${show(orientation)} must be "row" or "column"`);
    }
    const flat = rows.flat();
    this.#index = indexAcceptors("grid", flat);
    this.acceptors = Object.freeze(flat);
    this.rows = Object.freeze(rows.map((row) => Object.freeze([...row])));
    this.orientation = orientation;
    const byRow = orientation === "row";
    this.#lineCount = byRow ? rows.length : columns;
    this.#lineLength = byRow ? columns : rows.length;
    this.#lineOf = new Int32Array(flat.length);
    for (let i = 0; i < flat.length; i++) {
      this.#lineOf[i] = byRow ? Math.floor(i / columns) : i % columns;
    }
  }

  /** Some line has all its members among the ackers. */
  isPhase1Quorum(ackers: Iterable<NodeId>): boolean {
    const seen = new Uint8Array(this.acceptors.length);
    const counts = new Int32Array(this.#lineCount);
    for (const id of ackers) {
      const i = this.#index.get(id);
      if (i === undefined || seen[i] === 1) continue;
      seen[i] = 1;
      const line = this.#lineOf[i]!;
      const count = counts[line]! + 1;
      if (count === this.#lineLength) return true;
      counts[line] = count;
    }
    return false;
  }

  /** Every line has at least one member among the ackers (duplicates are harmless here). */
  isPhase2Quorum(ackers: Iterable<NodeId>): boolean {
    const hit = new Uint8Array(this.#lineCount);
    let covered = 0;
    for (const id of ackers) {
      const i = this.#index.get(id);
      if (i === undefined) continue;
      const line = this.#lineOf[i]!;
      if (hit[line] === 1) continue;
      hit[line] = 1;
      if (++covered === this.#lineCount) return true;
    }
    return false;
  }

  // Row 0 is both a full row and a one-per-column set; column 0 is both a full column and a
  // one-per-row set. So the targets are always row 0 / column 0, whichever role they play.
  phase1Targets(): NodeId[] {
    return this.orientation === "row" ? [...this.rows[0]!] : this.#column0();
  }

  phase2Targets(): NodeId[] {
    return this.orientation === "row" ? this.#column0() : [...this.rows[0]!];
  }

  /** Always safe: the full line of a phase-1 quorum contains the phase-2 quorum's pick for that line. */
  checkIntersection(): IntersectionResult {
    return { safe: true };
  }

  describe(): string {
    const columns = this.rows[0]!.length;
    return `grid(n=${this.acceptors.length}, rows=${this.rows.length}, columns=${columns}, phase1=${this.orientation})`;
  }

  #column0(): NodeId[] {
    return this.rows.map((row) => row[0]!);
  }
}

/** A grid of acceptors given row by row; see GridOptions for which line is a phase-1 quorum. */
export function grid(rows: NodeId[][], options?: GridOptions): GridQuorumSystem {
  return new GridQuorumSystem(rows, options);
}

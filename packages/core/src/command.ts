/**
 * What clients ask of the replicated service. The engine is written for the key-value store
 * (the service every experiment measures); the state machine interface keeps the engine
 * itself independent of what an operation means.
 */
export type Operation =
  | { readonly type: "get"; readonly key: string }
  | { readonly type: "put"; readonly key: string; readonly value: string }
  | { readonly type: "delete"; readonly key: string }
  | {
      readonly type: "cas";
      readonly key: string;
      /** the value the key must hold; null means "the key must be absent" */
      readonly expected: string | null;
      readonly value: string;
    };

export type OperationType = Operation["type"];

/** The answer to an operation, computed by the state machine at apply time. */
export type Result =
  | { readonly type: "get"; readonly value: string | null }
  | { readonly type: "put" }
  | { readonly type: "delete"; readonly existed: boolean }
  | { readonly type: "cas"; readonly ok: boolean; readonly value: string | null };

/**
 * A client command. (clientId, seq) names it uniquely: replicas de-duplicate on it, so a
 * retried request is applied once. `ackedBelow` tells replicas that the client holds answers
 * for every seq below it and will never ask again, so their session tables can forget them.
 */
export interface Command {
  readonly clientId: string;
  readonly seq: number;
  readonly ackedBelow: number;
  readonly op: Operation;
}

/**
 * A slot decides a batch of commands (possibly empty: the no-op a leader or replica uses to
 * fill a hole). Batching several commands into one slot is how the engine amortises a round
 * of phase 2 over many requests.
 */
export type Batch = readonly Command[];

/**
 * One client operation as its client saw it: what every history is made of (the simulator's,
 * a run's history.ndjson, the linearizability checker's input, with its own operation types).
 * Times in ms from any origin, the same for the whole history.
 */
export interface ClientOperation<Op = Operation, Res = Result> {
  clientId: string;
  seq: number;
  op: Op;
  /** null when the operation never returned: its outcome is unknown */
  result: Res | null;
  invokedAt: number;
  /**
   * null when the operation never returned: it may have taken effect at any time after its
   * invocation, or never
   */
  returnedAt: number | null;
}

export function commandKey(c: Pick<Command, "clientId" | "seq">): string {
  return `${c.clientId}#${c.seq}`;
}

/** Same commands in the same order, compared by (clientId, seq), not by object identity. */
export function sameBatch(a: Batch, b: Batch): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.clientId !== y.clientId || x.seq !== y.seq) return false;
  }
  return true;
}

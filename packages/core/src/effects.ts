import type { NodeId } from "@paxos/quorum-system";
import type { Ballot } from "./ballot.js";
import type { Batch, Command, Operation, Result } from "./command.js";
import type { Envelope, PValue, SessionSnapshot } from "./messages.js";

/**
 * What a role asks the host to make durable. The host writes these before it sends any message
 * drained in the same batch (persist, then send), and hands them back on restart.
 */
export type PersistRecord =
  /** acceptor: the ballot it promised */
  | { readonly type: "promise"; readonly ballot: Ballot }
  /** acceptor: a pvalue it accepted (and so the promise of its ballot) */
  | { readonly type: "accept"; readonly pvalue: PValue }
  /** acceptor: it forgot every pvalue below this slot */
  | { readonly type: "trim"; readonly below: number }
  /** leader: the highest round it used */
  | { readonly type: "round"; readonly round: number }
  /** leader: every slot below this is decided */
  | { readonly type: "decided"; readonly below: number }
  /**
   * replica: its state machine and client sessions after applying every slot below `slot`.
   * Only the latest snapshot matters; a host may keep it apart from the other records (it is
   * the one large record) and must hand it back first on restart.
   */
  | SnapshotRecord;

export interface SnapshotRecord {
  readonly type: "snapshot";
  readonly slot: number;
  readonly entries: readonly unknown[];
  readonly sessions: readonly SessionSnapshot[];
}

/** What happened inside a node, for hosts to log, measure and check. */
export type NodeEvent =
  /** a replica applied the batch decided for `slot` (every replica must see the same) */
  | { readonly type: "slotApplied"; readonly slot: number; readonly value: Batch }
  /** a replica executed a command on its state machine (duplicates are not executed) */
  | {
      readonly type: "executed";
      readonly slot: number;
      readonly command: Command;
      readonly result: Result;
    }
  /** a client's operation completed */
  | {
      readonly type: "completed";
      readonly clientId: string;
      readonly seq: number;
      readonly op: Operation;
      readonly result: Result;
      readonly invokedAt: number;
      readonly returnedAt: number;
    }
  /** a leader became active (phase 1 done) or stopped being active */
  | { readonly type: "leadership"; readonly ballot: Ballot; readonly active: boolean }
  /**
   * a replica installed a snapshot (it skipped slots below `slot`): from a peer, or its own
   * durable one at start-up (then `from` is its own id)
   */
  | { readonly type: "snapshotInstalled"; readonly slot: number; readonly from: NodeId }
  /** a replica persisted a snapshot of its state at `slot` */
  | { readonly type: "snapshotTaken"; readonly slot: number; readonly bytes: number }
  /**
   * a client's operation was refused: it was not executed and never will be, or (when
   * `maybeApplied`) its outcome is unknown
   */
  | {
      readonly type: "refused";
      readonly clientId: string;
      readonly seq: number;
      readonly op: Operation;
      readonly reason: string;
      readonly maybeApplied: boolean;
      readonly invokedAt: number;
      readonly returnedAt: number;
    };

/** Everything a node produced since the last drain. */
export interface NodeOutput {
  readonly persists: PersistRecord[];
  readonly sends: Envelope[];
  readonly events: NodeEvent[];
  /**
   * How many of `sends`, from the start, were produced before the first of `persists`: they
   * cannot depend on this drain's records, so a host may send them while it writes the records
   * (a leader's p2a need not wait for its own acceptor's disk). The rest wait until the records
   * are durable. Equals sends.length when there is nothing to persist.
   */
  sendsBeforePersist: number;
}

/** Randomness the host hands in: uniform in [0, 1). */
export interface Rng {
  next(): number;
}

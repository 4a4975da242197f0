import type { NodeId } from "@paxos/quorum-system";
import type { Ballot } from "./ballot.js";
import type { Batch, Command, Operation, Result } from "./command.js";
import type { Envelope, PValue } from "./messages.js";

/**
 * What a role asks the host to make durable. The host writes these before it sends any message
 * drained in the same batch (persist, then send), and hands them back on restart.
 */
export type PersistRecord =
  | { readonly type: "promise"; readonly ballot: Ballot }
  | { readonly type: "accept"; readonly pvalue: PValue }
  | { readonly type: "round"; readonly round: number };

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
  /** a replica installed a snapshot from a peer (it skipped slots below `slot`) */
  | { readonly type: "snapshotInstalled"; readonly slot: number; readonly from: NodeId };

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

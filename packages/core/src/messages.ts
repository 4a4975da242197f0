import type { NodeId } from "@paxos/quorum-system";
import type { Ballot } from "./ballot.js";
import type { Batch, Command, Result } from "./command.js";

/** A pvalue: what an acceptor accepted for one slot. */
export interface PValue {
  readonly ballot: Ballot;
  readonly slot: number;
  readonly value: Batch;
}

export interface Decided {
  readonly slot: number;
  readonly value: Batch;
}

/**
 * Every message of the protocol, a discriminated union on `type`. The names are those of
 * Paxos Made Moderately Complex; heartbeats and catch-up are the additions a real deployment
 * needs (failure detection, and replicas that missed decisions while partitioned or down).
 * Messages are immutable once sent: hosts may deliver one object to several receivers.
 */
export type Message =
  // client -> replica
  | { readonly type: "request"; readonly command: Command }
  // replica -> client
  | {
      readonly type: "response";
      readonly clientId: string;
      readonly seq: number;
      readonly result: Result;
      /**
       * the node of the leader this replica last heard from, when that node hosts a replica
       * too (and is not this one): the client sends there next, so its requests skip the
       * replica-to-leader hop
       */
      readonly leader?: NodeId;
    }
  // replica -> leader
  | { readonly type: "propose"; readonly slot: number; readonly value: Batch }
  // leader (commander) -> replica
  | { readonly type: "decision"; readonly slot: number; readonly value: Batch }
  // leader (commander) -> a replica whose node's acceptor acked this slot in `ballot`: the
  // decision by reference. The value is the one that acceptor holds for the slot (any pvalue
  // of a ballot at or above a chosen one carries the chosen value), so it does not cross the
  // wire twice (in the p2a and again in the decision)
  | { readonly type: "commit"; readonly slot: number; readonly ballot: Ballot }
  // leader (scout) -> acceptor: phase 1a; acceptors report pvalues from `fromSlot` on
  | { readonly type: "p1a"; readonly ballot: Ballot; readonly fromSlot: number }
  // acceptor -> leader: the acceptor's promised ballot and its accepted pvalues from the p1a's
  // fromSlot on, in `chunks` messages numbered from 0 (each below the message limit); it has
  // forgotten every pvalue below `trimmedBelow`, and every slot below it is decided
  | {
      readonly type: "p1b";
      readonly ballot: Ballot;
      readonly accepted: readonly PValue[];
      readonly trimmedBelow: number;
      readonly chunk: number;
      readonly chunks: number;
    }
  // leader (commander) -> acceptor: phase 2a
  | { readonly type: "p2a"; readonly ballot: Ballot; readonly slot: number; readonly value: Batch }
  // acceptor -> leader: phase 2b, carrying the acceptor's promised ballot
  // (`accepted`: whether it accepted that p2a; a refusal says only "I promised `ballot`", and
  // must never count towards a phase-2 quorum, even of a commander of that very ballot)
  | {
      readonly type: "p2b";
      readonly ballot: Ballot;
      readonly slot: number;
      readonly accepted: boolean;
    }
  // active leader -> leaders, replicas and acceptors: "I lead with this ballot, and a phase-2
  // quorum of acceptors and a replica answer me". Only this holds other leaders off.
  | { readonly type: "heartbeat"; readonly ballot: Ballot; readonly decidedBelow: number }
  // active leader -> acceptors and replicas: "are you there?" (failure detection; it says
  // nothing about the leader being alive, so it holds no one off)
  | { readonly type: "probe"; readonly ballot: Ballot }
  // acceptor or replica node -> leader: answers a probe or a heartbeat, once per node, with the
  // node's acceptor's promised ballot (the bottom ballot on a node without an acceptor)
  | { readonly type: "probeAck"; readonly ballot: Ballot }
  // would-be leader -> acceptors: "would you promise a ballot above yours?" (PreVote, before
  // any p1a, so a node that was cut off cannot depose a leader that is alive)
  | { readonly type: "prevote"; readonly ballot: Ballot }
  // acceptor -> would-be leader: granted unless a live leader's heartbeat came recently
  | { readonly type: "prevoteReply"; readonly ballot: Ballot; readonly granted: boolean }
  // replica -> replica: "send me decisions from this slot on"
  | { readonly type: "catchup"; readonly fromSlot: number }
  // replica -> replica: decided slots, in order, from a replica that still retains them
  | { readonly type: "catchupReply"; readonly decisions: readonly Decided[] }
  // replica -> replica: state machine snapshot at `slot` (every slot below applied), for a
  // replica behind the retained log, in `chunks` messages numbered from 0: the state machine's
  // entries and the client sessions, split so each message stays below the limit
  | {
      readonly type: "snapshot";
      readonly slot: number;
      readonly chunk: number;
      readonly chunks: number;
      readonly entries: readonly unknown[];
      readonly sessions: readonly SessionSnapshot[];
    }
  // replica -> leaders: "I hold a durable snapshot at this slot" (it reaches the leaders only
  // after the snapshot is on disk: persist, then send)
  | { readonly type: "snapshotted"; readonly slot: number }
  // leader -> acceptors: pvalues below this slot are safe to forget (see roles/trim-rule.ts)
  | { readonly type: "trim"; readonly below: number }
  // replica -> client: the command will not be executed, and why; when `maybeApplied`, it
  // may have been executed before (its session expired), so its outcome is unknown
  | {
      readonly type: "refused";
      readonly clientId: string;
      readonly seq: number;
      readonly reason: string;
      readonly maybeApplied: boolean;
    };

export type MessageType = Message["type"];
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

export interface SessionSnapshot {
  readonly clientId: string;
  readonly ackedBelow: number;
  readonly results: readonly (readonly [number, Result])[];
}

export const MESSAGE_TYPES: readonly MessageType[] = [
  "request",
  "response",
  "propose",
  "decision",
  "commit",
  "p1a",
  "p1b",
  "p2a",
  "p2b",
  "heartbeat",
  "probe",
  "probeAck",
  "prevote",
  "prevoteReply",
  "catchup",
  "catchupReply",
  "snapshot",
  "snapshotted",
  "trim",
  "refused",
];

/** An outbound message as a role produces it. */
export interface Envelope {
  readonly to: NodeId;
  readonly message: Message;
}

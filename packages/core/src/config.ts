import type { NodeId, QuorumSystem } from "@paxos/quorum-system";

export type Role = "client" | "replica" | "leader" | "acceptor";
export const ROLES: readonly Role[] = ["client", "replica", "leader", "acceptor"];

/** Who plays which part in the cluster; the acceptors are those of the quorum system. */
export interface ClusterLayout {
  readonly replicas: readonly NodeId[];
  readonly leaders: readonly NodeId[];
  readonly quorum: QuorumSystem;
}

/** Every timeout of the engine, in milliseconds of the host's clock. */
export interface Timing {
  /** how often an active leader announces itself */
  readonly heartbeatIntervalMs: number;
  /** how long a follower waits without a heartbeat before it tries to lead */
  readonly leaderTimeoutMs: number;
  /** cap of the exponential backoff between failed attempts to lead */
  readonly electionBackoffMaxMs: number;
  /** a scout resends p1a to acceptors that have not answered */
  readonly p1aRetryMs: number;
  /** a commander resends p2a to acceptors that have not answered */
  readonly p2aRetryMs: number;
  /** a replica resends proposals not decided yet */
  readonly proposeRetryMs: number;
  /** a replica stuck on an undecided slot asks peers for decisions and proposes a no-op */
  readonly holeTimeoutMs: number;
  /** a client resends a request (to the next replica) when no response came */
  readonly clientRetryMs: number;
  /** cap of a client's retry backoff */
  readonly clientRetryMaxMs: number;
}

export const DEFAULT_TIMING: Timing = {
  heartbeatIntervalMs: 50,
  leaderTimeoutMs: 300,
  electionBackoffMaxMs: 2_000,
  p1aRetryMs: 100,
  p2aRetryMs: 100,
  proposeRetryMs: 200,
  holeTimeoutMs: 200,
  clientRetryMs: 500,
  clientRetryMaxMs: 4_000,
};

/** The names of the engine's timeouts, in DEFAULT_TIMING's order: what config schemas accept. */
export const TIMING_KEYS = Object.keys(DEFAULT_TIMING) as readonly (keyof Timing)[];

export interface ReplicaOptions {
  /** how many slots past the last applied one a replica may propose into (PMMC's WINDOW) */
  readonly window: number;
  /** how many commands a replica packs into one slot */
  readonly maxBatch: number;
  /**
   * how many bytes of commands a replica packs into one slot (a single larger command, up to
   * the value limit, still gets a slot of its own)
   */
  readonly maxBatchBytes: number;
  /** how many applied slots a replica keeps to serve catch-up; older ones go by snapshot */
  readonly retainSlots: number;
  /** and at most this many bytes of them */
  readonly retainBytes: number;
  /** most decisions in one catch-up reply (and never more bytes than a message may carry) */
  readonly catchupChunk: number;
  /** a replica persists a snapshot of its state machine and sessions every this many slots */
  readonly snapshotEverySlots: number;
  /** ... or once this many bytes of commands were applied since the last one, if sooner */
  readonly snapshotEveryBytes: number;
  /**
   * most client sessions a replica remembers; beyond it the least recently active one is
   * forgotten (deterministically: every replica forgets the same one at the same slot)
   */
  readonly maxSessions: number;
  /** most client requests waiting for a slot or a decision; newer ones are refused */
  readonly maxPendingRequests: number;
}

export const DEFAULT_REPLICA: ReplicaOptions = {
  window: 64,
  maxBatch: 64,
  maxBatchBytes: 1024 * 1024,
  retainSlots: 10_000,
  retainBytes: 16 * 1024 * 1024,
  catchupChunk: 256,
  snapshotEverySlots: 1_000,
  snapshotEveryBytes: 8 * 1024 * 1024,
  maxSessions: 100_000,
  maxPendingRequests: 100_000,
};

/** The sizes nothing may exceed; a host derives them from its frame limit. */
export interface Limits {
  /** the largest message the engine builds, as JSON bytes (its host's frame limit, less room) */
  readonly maxMessageBytes: number;
  /**
   * the most an operation may carry, its key and values together, as JSON bytes; larger
   * operations are refused ("value is N bytes, the limit is M")
   */
  readonly maxValueBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxMessageBytes: 16 * 1024 * 1024 - 64 * 1024,
  maxValueBytes: 4 * 1024 * 1024,
};

export interface LeaderOptions {
  /** send p2a to a minimal phase-2 quorum first, everyone only on retry (thrifty Paxos) */
  readonly thrifty: boolean;
  /**
   * how many of its latest decisions a leader keeps, to resend one to a replica that proposes
   * into a slot already decided (its decision was lost); older ones come from replicas' catch-up
   */
  readonly retainDecisions: number;
  /** and at most this many bytes of them */
  readonly retainDecisionBytes: number;
  /** the leader persists its decided prefix each time it grew by this many slots */
  readonly persistDecidedEverySlots: number;
}

export const DEFAULT_LEADER: LeaderOptions = {
  thrifty: false,
  retainDecisions: 4_096,
  retainDecisionBytes: 16 * 1024 * 1024,
  persistDecidedEverySlots: 512,
};

export interface ClientOptions {
  /**
   * send the next requests to the replica beside the leader a response names (one hop less
   * for each); false keeps each client on the replica its id hashes to, which spreads many
   * clients' connections and frames over every replica, as etcd's clients over its members
   */
  readonly followLeader: boolean;
  /**
   * the replica to send to first, instead of the one the client id hashes to (a client beside
   * a replica, or a pool of clients spreading its connections over the replicas); like that
   * one, it is left for the replica that answers when it does not answer in time
   */
  readonly homeReplica?: NodeId;
}

export const DEFAULT_CLIENT: ClientOptions = { followLeader: true };

export interface NodeConfig {
  readonly id: NodeId;
  readonly roles: readonly Role[];
  readonly cluster: ClusterLayout;
  readonly timing?: Partial<Timing>;
  readonly replica?: Partial<ReplicaOptions>;
  readonly leader?: Partial<LeaderOptions>;
  readonly limits?: Partial<Limits>;
  /** the client's id; must be new for each incarnation of the process (seqs restart at 0) */
  readonly clientId?: string;
  readonly client?: Partial<ClientOptions>;
}

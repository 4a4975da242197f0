import type { NodeId } from "@paxos/quorum-system";
import type { ClusterLayout, Timing } from "./config.js";
import type { NodeEvent, PersistRecord, Rng } from "./effects.js";
import type { Message } from "./messages.js";

/**
 * What a role may do: the node hands each of its roles this context. Roles never see the host:
 * time arrives as `now`, effects leave through send/persist/emit.
 */
export interface RoleContext {
  readonly id: NodeId;
  readonly cluster: ClusterLayout;
  readonly timing: Timing;
  readonly rng: Rng;
  /** the host's clock at the current input, in ms */
  readonly now: number;
  send(to: NodeId, message: Message): void;
  persist(record: PersistRecord): void;
  emit(event: NodeEvent): void;
}

import { type Message, PaxosNode, type Role } from "@paxos/core";
import { flexible } from "@paxos/quorum-system";

// Five acceptors, phase-1 quorums of 4 and phase-2 quorums of 2 (refused unless 4 + 2 > 5);
// one replica+leader node, one client node. The "network" is an array the loop empties.
const acceptors = ["a1", "a2", "a3", "a4", "a5"];
const quorum = flexible(acceptors, { phase1: 4, phase2: 2 });
const cluster = { replicas: ["n1"], leaders: ["n1"], quorum };
const roles: Record<string, Role[]> = { n1: ["replica", "leader"], c1: ["client"] };
for (const a of acceptors) roles[a] = ["acceptor"];

let now = 0; // ms; a real host reads its clock
const rng = { next: Math.random }; // a simulation hands in a seeded generator
const nodes = new Map(
  Object.keys(roles).map((id) => [
    id,
    new PaxosNode({ id, roles: roles[id]!, cluster }, { now, rng }),
  ]),
);
const network: { from: string; to: string; message: Message }[] = [];
let done = false;

// The host's turn: take each node's output. A real host writes out.persists durably before it
// sends out.sends from index out.sendsBeforePersist on (the first ones may go at once).
function drainAll(): void {
  for (const [id, node] of nodes) {
    const out = node.drain();
    for (const { to, message } of out.sends) network.push({ from: id, to, message });
    for (const e of out.events) {
      if (e.type === "completed") {
        console.log(`${id}: seq ${e.seq} -> ${JSON.stringify(e.result)}`);
        done = true;
      }
    }
  }
}

nodes.get("c1")!.submit({ type: "put", key: "greeting", value: "hello" }, now);
for (let steps = 0; !done && steps < 10_000; steps++) {
  drainAll();
  const m = network.shift();
  if (m !== undefined) nodes.get(m.to)?.receive(m.from, m.message, now);
  else {
    // nothing in flight: move the clock to the next timer any node asked for
    now = Infinity;
    for (const node of nodes.values()) now = Math.min(now, node.nextWakeAt());
    for (const node of nodes.values()) if (node.nextWakeAt() <= now) node.tick(now);
  }
}
if (!done) throw new Error("the put did not complete");

// Every system the runner knows, by the name a config gives it. A new system is one adapter
// file and one line here (and its branch in schema.ts).

import { etcd } from "./etcd.js";
import { libfpaxos } from "./libfpaxos.js";
import { libpaxos3 } from "./libpaxos3.js";
import { paxosLab } from "./paxos-lab.js";
import type { SystemAdapter, SystemKind } from "./types.js";

const ADAPTERS: Record<SystemKind, SystemAdapter> = {
  "paxos-lab": paxosLab,
  libpaxos3,
  libfpaxos,
  etcd,
};

export function adapterFor(kind: SystemKind): SystemAdapter {
  return ADAPTERS[kind];
}

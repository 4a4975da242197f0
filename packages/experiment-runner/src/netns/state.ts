// The state file of a live testbed: what it made and who owns it, so that `paxos-lab netns
// clean` can remove all of it after a SIGKILL, a bridge given its own name included.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const STATE_DIR = "/run/paxos-lab-netns";

export interface TestbedState {
  prefix: string;
  ownerPid: number;
  namespaces: string[];
  links: string[];
}

export function stateFile(prefix: string, dir = STATE_DIR): string {
  return join(dir, `${prefix}.json`);
}

export function writeState(s: TestbedState, dir = STATE_DIR): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(stateFile(s.prefix, dir), `${JSON.stringify(s)}\n`);
}

export function removeState(prefix: string, dir = STATE_DIR): void {
  rmSync(stateFile(prefix, dir), { force: true });
}

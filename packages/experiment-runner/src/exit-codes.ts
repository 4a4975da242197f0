// The exit codes of every paxos-lab command, one table (README, "Exit codes"): 0/1/2 are the
// verdict (valid, invalid, unknown, as Maelstrom's), the others sysexits(3)'s.
export const EXIT = {
  /** every run completed and every check passed; `check`: linearizable */
  ok: 0,
  /** a check failed; `check`: not linearizable */
  checkFailed: 1,
  /** a check could not decide (out of time) or a run did not complete */
  unknown: 2,
  /** EX_USAGE: a bad command line */
  usage: 64,
  /** EX_DATAERR: a config, history or results folder that is malformed, missing or unreadable */
  badInput: 65,
  /** EX_UNAVAILABLE: the environment failed (a node process did not start) */
  unavailable: 69,
  /** 128 + SIGINT: interrupted, after everything started was torn down */
  interrupted: 130,
} as const;

// Structured logs: pino, one JSON object a line, to a file per node. Writes are asynchronous
// (sonic-boom buffers them off the hot path); `closeLogger` flushes synchronously so a graceful
// stop or a fatal error loses nothing. Hot-path code logs at debug level at most, and checks
// `isLevelEnabled` before building anything to log.

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type DestinationStream, type Logger, pino } from "pino";
import type { LogLevel } from "./cluster-file.js";

export type { Logger };

export interface FileLogger {
  readonly logger: Logger;
  /**
   * Settles once the file is open. Wait for it before anything may exit the process: pino
   * flushes synchronously on exit, and a flush of a file not yet open throws (a stack trace
   * instead of the one line a start-up failure deserves).
   */
  readonly ready: Promise<void>;
  /** flushes buffered lines and closes the file */
  close(): void;
}

export function fileLogger(
  path: string,
  level: LogLevel,
  base: Record<string, unknown>,
): FileLogger {
  mkdirSync(dirname(path), { recursive: true });
  // minLength 0: lines go out as soon as the previous write finished (coalesced while one is in
  // flight), so a quiet node's log is current, and a SIGKILL loses at most one write's worth.
  const dest = pino.destination({ dest: path, sync: false, minLength: 0 });
  const logger = pino(
    { level, base, timestamp: pino.stdTimeFunctions.isoTime, messageKey: "msg" },
    dest as DestinationStream,
  );
  let closed = false;
  const ready = new Promise<void>((resolve, reject) => {
    dest.once("ready", () => resolve());
    dest.once("error", (error: Error) => reject(new Error(`log file ${path}: ${error.message}`)));
  });
  return {
    logger,
    ready,
    close() {
      if (closed) return;
      closed = true;
      try {
        dest.flushSync();
      } catch {
        // not open yet (nothing written): nothing to flush
      }
      dest.end();
    },
  };
}

/** A logger that drops everything (library users who did not ask for logs). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

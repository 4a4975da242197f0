// The arguments a command was given. `pnpm <script> -- --flag` passes the `--` on to the
// script (npm drops it): a leading `--` is the package manager's separator, not the end of
// this command's options, and parseArgs would take every flag after it for a positional.
export function commandArgs(argv: readonly string[] = process.argv): string[] {
  const args = argv.slice(2);
  return args[0] === "--" ? args.slice(1) : args;
}

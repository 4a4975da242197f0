// Runs `tsc -b` only when a source changed since the last build, so `pnpm lab --help` starts at
// once on a built tree (tsc -b takes seconds even when it has nothing to do). A project is stale
// when its tsbuildinfo is missing or older than a file in its tsconfig's "include" folders, its
// tsconfig.json or its package.json. When it must build it says so on stderr: "building...".
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname);

/** Newest modification time (ms) of the files below `path` that a build reads. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted or renamed file changes its folder's mtime
  for (const name of readdirSync(path)) {
    if (name === "node_modules" || name === "dist" || name === "fixtures") continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** The project folders of a tsconfig and its references, depth first. */
function projects(configPath, seen = new Set()) {
  const dir = dirname(configPath);
  if (seen.has(dir)) return [];
  seen.add(dir);
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  const refs = (config.references ?? []).flatMap((r) =>
    projects(join(resolve(dir, r.path), "tsconfig.json"), seen),
  );
  return [...refs, { dir, config }];
}

function isStale({ dir, config }) {
  if (config.files && config.files.length === 0 && !config.include) return false; // a solution file
  const outDir = resolve(dir, config.compilerOptions?.outDir ?? "dist");
  const info = join(outDir, "tsconfig.tsbuildinfo");
  if (!existsSync(info)) return true;
  const built = statSync(info).mtimeMs;
  const inputs = [
    join(dir, "tsconfig.json"),
    join(dir, "package.json"),
    join(root, "tsconfig.base.json"),
    ...(config.include ?? []).map((p) => resolve(dir, p)),
  ];
  return inputs.some((p) => newestMtime(p) > built);
}

const stale = projects(join(root, "tsconfig.json")).filter(isStale);
if (stale.length > 0) {
  process.stderr.write(
    `building... (${stale.map((p) => p.dir.slice(root.length + 1) || ".").join(", ")} changed since the last build)\n`,
  );
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-b"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

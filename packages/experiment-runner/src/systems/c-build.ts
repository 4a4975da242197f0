// Builds a C system from its unmodified sources on first use (CMake, Release) into a cache
// folder, and finds it there afterwards. A source is a .tar.gz snapshot, a source folder or a
// build folder a user names; by default the snapshot in shared/third-party/ above the project.
//
// The build goes to a fresh temporary folder that is renamed into place when it is complete, so
// two runs building at once never see half a build; the binaries are run with LD_LIBRARY_PATH
// at the cache's copy of their shared library (CMake's RUNPATH names the temporary folder).

import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { findRoot } from "../results.js";
import { EnvironmentError } from "../run/types.js";

export interface CSystem {
  /** "LibPaxos3" */
  name: string;
  /** where a user names another source: PAXOS_LAB_LIBPAXOS3 */
  envVar: string;
  /** the snapshot's file name starts with this: "libpaxos3-" */
  tarballPrefix: string;
  /** the CMake targets to build, found in <build>/sample/ */
  targets: readonly string[];
}

/** Where a build's programs are and what they need to run. */
export interface BuiltSystem {
  /** folder with the sample programs (acceptor, proposer, client) */
  bin: string;
  /** LD_LIBRARY_PATH for them (the folder of libevpaxos.so) */
  libraryPath: string;
  /** what was built and from where, for env.json */
  source: string;
}

/** The Debian packages a build needs, by what shows them installed. */
const NEEDS = [
  { pkg: "cmake", program: "cmake" },
  { pkg: "build-essential", program: "cc" },
  { pkg: "build-essential", program: "make" },
  { pkg: "libevent-dev", header: "event2/event.h" },
  { pkg: "libmsgpack-dev", header: "msgpack.h" },
] as const;
const LMDB = { pkg: "liblmdb-dev", header: "lmdb.h" } as const;

export function findOnPath(program: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const path = join(dir, program);
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  return null;
}

function hasHeader(header: string): boolean {
  const dirs = [
    ...(process.env.CPATH ?? "").split(delimiter),
    ...(process.env.C_INCLUDE_PATH ?? "").split(delimiter),
    "/usr/local/include",
    "/usr/include",
    "/usr/include/x86_64-linux-gnu",
    "/usr/include/aarch64-linux-gnu",
  ].filter((d) => d !== "");
  return dirs.some((d) => existsSync(join(d, header)));
}

/** The Debian packages missing for a build (with LMDB support when asked). */
export function missingPackages(withLmdb: boolean): string[] {
  const missing = new Set<string>();
  for (const n of NEEDS) {
    const ok = "program" in n ? findOnPath(n.program) !== null : hasHeader(n.header);
    if (!ok) missing.add(n.pkg);
  }
  if (withLmdb && !hasHeader(LMDB.header)) missing.add(LMDB.pkg);
  return [...missing];
}

export function cacheBase(): string {
  if (process.env.PAXOS_LAB_CACHE) return resolve(process.env.PAXOS_LAB_CACHE);
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(xdg, "paxos-lab", "systems");
}

/** The nearest shared/third-party/<prefix>*.tar.gz above the project root, or null. */
export function defaultSnapshot(sys: CSystem, from = findRoot()): string | null {
  let dir = resolve(from);
  for (;;) {
    const folder = join(dir, "shared", "third-party");
    if (existsSync(folder)) {
      const hit = readdirSync(folder)
        .filter((f) => f.startsWith(sys.tarballPrefix) && f.endsWith(".tar.gz"))
        .sort()[0];
      if (hit) return join(folder, hit);
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function sha256(file: string): Promise<string> {
  return new Promise((ok, fail) => {
    const h = createHash("sha256");
    createReadStream(file)
      .on("data", (d) => h.update(d))
      .on("error", fail)
      .on("end", () => ok(h.digest("hex")));
  });
}

function run(cmd: string, args: string[], log: string, cwd?: string): Promise<void> {
  return new Promise((ok, fail) => {
    execFile(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (e, stdout, stderr) => {
      writeFileSync(log, `$ ${cmd} ${args.join(" ")}\n${stdout}${stderr}`, { flag: "a" });
      if (e) fail(new Error(`${cmd} ${args[0] ?? ""} failed (${e.message.split("\n")[0]})`));
      else ok();
    });
  });
}

function built(dir: string, sys: CSystem): boolean {
  return sys.targets.every((t) => existsSync(join(dir, "sample", t)));
}

async function cmakeBuild(
  sys: CSystem,
  src: string,
  build: string,
  log: string,
  announce: (line: string) => void,
): Promise<void> {
  announce(`building ${sys.name} (CMake Release) from ${src}; log: ${log}`);
  try {
    await run("cmake", ["-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=Release"], log);
    await run("cmake", ["--build", build, "--parallel", "2", "--target", ...sys.targets], log);
  } catch (e) {
    throw new EnvironmentError(
      `${sys.name} could not be built: ${(e as Error).message}; see ${log}`,
    );
  }
}

/**
 * Finds or builds `sys` from `source` (config), else $envVar, else the snapshot. Throws an
 * EnvironmentError naming the missing Debian packages, or the source it could not find.
 */
export async function ensureBuilt(
  sys: CSystem,
  source: string | undefined,
  needLmdb: boolean,
  announce: (line: string) => void,
): Promise<BuiltSystem> {
  const named = source ?? process.env[sys.envVar];
  const from = named ?? defaultSnapshot(sys);
  if (from === null) {
    throw new EnvironmentError(
      `no ${sys.name} source: name a tarball, source or build folder in the system's "source" or in $${sys.envVar} (no shared/third-party/${sys.tarballPrefix}*.tar.gz above ${findRoot()})`,
    );
  }
  if (!existsSync(from)) {
    throw new EnvironmentError(`${sys.name} source ${from} does not exist`);
  }
  const path = realpathSync(from);
  // a build folder the user made: use it as it is
  if (statSync(path).isDirectory() && built(path, sys)) {
    return {
      bin: join(path, "sample"),
      libraryPath: join(path, "evpaxos"),
      source: path,
    };
  }
  const missing = missingPackages(needLmdb);
  const lmdb = hasHeader(LMDB.header);
  const base = cacheBase();
  mkdirSync(base, { recursive: true });
  const slug = sys.tarballPrefix.replace(/-$/, "");
  if (statSync(path).isDirectory()) {
    if (!existsSync(join(path, "CMakeLists.txt"))) {
      throw new EnvironmentError(
        `${path} is neither a ${sys.name} source folder (no CMakeLists.txt) nor a build folder (no sample/${sys.targets[0]})`,
      );
    }
    // a source folder: an incremental build of it in the cache, every time (cheap when current)
    if (missing.length > 0) throw missingError(sys, missing);
    const hash = createHash("sha256").update(path).digest("hex").slice(0, 12);
    const build = join(base, `${slug}-dir-${hash}${lmdb ? "-lmdb" : ""}`);
    mkdirSync(build, { recursive: true });
    await cmakeBuild(sys, path, build, join(build, "build.log"), announce);
    return { bin: join(build, "sample"), libraryPath: join(build, "evpaxos"), source: path };
  }
  if (!path.endsWith(".tar.gz") && !path.endsWith(".tgz")) {
    throw new EnvironmentError(`${sys.name} source ${path}: expected a .tar.gz or a folder`);
  }
  const digest = (await sha256(path)).slice(0, 12);
  const dir = join(base, `${slug}-${digest}${lmdb ? "-lmdb" : ""}`);
  const result = {
    bin: join(dir, "build", "sample"),
    libraryPath: join(dir, "build", "evpaxos"),
    source: `${path} (sha256 ${digest}...)`,
  };
  if (built(join(dir, "build"), sys)) return result;
  if (missing.length > 0) throw missingError(sys, missing);
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(3).toString("hex")}`;
  mkdirSync(join(tmp, "src"), { recursive: true });
  const log = join(tmp, "build.log");
  try {
    await run("tar", ["-xzf", path, "-C", join(tmp, "src"), "--strip-components=1"], log);
    await cmakeBuild(sys, join(tmp, "src"), join(tmp, "build"), log, announce);
    if (!built(join(tmp, "build"), sys)) {
      throw new EnvironmentError(
        `${sys.name}: the build finished without sample programs; see ${log}`,
      );
    }
    try {
      renameSync(tmp, dir);
    } catch {
      // another run finished the same build first: theirs is as good as ours
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!built(join(dir, "build"), sys)) {
    throw new EnvironmentError(`${sys.name}: no complete build in ${dir}`);
  }
  announce(`${sys.name} built into ${dir}`);
  return result;
}

function missingError(sys: CSystem, missing: string[]): EnvironmentError {
  return new EnvironmentError(
    `${sys.name} cannot be built: missing Debian package(s) ${missing.join(", ")} ` +
      `(install with: apt-get install ${missing.join(" ")})`,
  );
}

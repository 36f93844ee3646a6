import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);

// src/postgres/types.ts
var PostgresUnavailableError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "PostgresUnavailableError";
  }
};
var TemplateDatabaseError = class extends Error {
  problem;
  constructor(problem, message, options) {
    super(message, options);
    this.name = "TemplateDatabaseError";
    this.problem = problem;
  }
};

// src/postgres/binaries.ts
import { execFile } from "node:child_process";
import { accessSync, constants, readdirSync, realpathSync, statSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
var exe = process.platform === "win32" ? ".exe" : "";
function isExecutableFile(path) {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
function serverBinariesIn(dir, source) {
  const initdb = join(dir, `initdb${exe}`);
  if (!isExecutableFile(initdb)) return null;
  let binDir = dir;
  try {
    binDir = dirname(realpathSync(initdb));
  } catch {
  }
  const postgres = join(binDir, `postgres${exe}`);
  if (!isExecutableFile(postgres)) return null;
  return { binDir, initdb: join(binDir, `initdb${exe}`), postgres, source };
}
function newestFirst(names) {
  const key = (name) => (name.match(/\d+/g) ?? []).map(Number);
  return [...names].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
      const d = (kb[i] ?? -1) - (ka[i] ?? -1);
      if (d !== 0) return d;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
function subdirs(dir, pattern) {
  try {
    return newestFirst(readdirSync(dir).filter((name) => pattern.test(name)));
  } catch {
    return [];
  }
}
function pgConfigBinDir(env) {
  return new Promise((resolve) => {
    execFile("pg_config", ["--bindir"], { timeout: 3e3, env }, (error, stdout) => {
      resolve(error ? null : stdout.trim() || null);
    });
  });
}
function wellKnownBinDirs() {
  const found = [];
  for (const version of subdirs("/usr/lib/postgresql", /^\d+(\.\d+)?$/)) {
    found.push({ dir: `/usr/lib/postgresql/${version}/bin`, source: "/usr/lib/postgresql" });
  }
  for (const prefix of ["/opt/homebrew/opt", "/usr/local/opt"]) {
    for (const name of subdirs(prefix, /^postgresql(@\d+(\.\d+)?)?$/)) {
      found.push({ dir: `${prefix}/${name}/bin`, source: prefix });
    }
  }
  const app = "/Applications/Postgres.app/Contents/Versions";
  found.push({ dir: `${app}/latest/bin`, source: "Postgres.app" });
  for (const version of subdirs(app, /^\d+(\.\d+)?$/)) found.push({ dir: `${app}/${version}/bin`, source: "Postgres.app" });
  return found;
}
async function findServerBinaries(binDir, env) {
  if (binDir !== void 0 && binDir !== "") {
    const explicit = serverBinariesIn(binDir, "binDir");
    if (explicit) return explicit;
    const missing = isExecutableFile(join(binDir, `initdb${exe}`)) ? "postgres" : "initdb";
    throw new PostgresUnavailableError(
      `The Postgres binary folder ${binDir} has no executable ${missing}; point it at the folder holding initdb and postgres (e.g. /usr/lib/postgresql/15/bin, which \`pg_config --bindir\` prints), or leave it unset to search the usual places.`
    );
  }
  const fromPgConfig = await pgConfigBinDir(env);
  if (fromPgConfig) {
    const found = serverBinariesIn(fromPgConfig, "pg_config");
    if (found) return found;
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const found = serverBinariesIn(dir, "PATH");
    if (found) return found;
  }
  for (const { dir, source } of wellKnownBinDirs()) {
    const found = serverBinariesIn(dir, source);
    if (found) return found;
  }
  return null;
}

export {
  PostgresUnavailableError,
  TemplateDatabaseError,
  wellKnownBinDirs,
  findServerBinaries
};

import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  DatabaseAdmin,
  DatabaseNamer,
  LogTail,
  OwnedResources,
  serverHandle
} from "./chunk-4KI3P23L.js";
import {
  PostgresUnavailableError,
  findServerBinaries
} from "./chunk-22WNB3OF.js";

// src/postgres/local.ts
import { execFile, spawn } from "node:child_process";
import { chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

// src/lifecycle/memory-dir.ts
import { statfsSync } from "node:fs";
var MEMORY_DIR = "/dev/shm";
var TMPFS_MAGIC = 16914836;
var MEMORY_MIN_FREE_BYTES = 2 * 1024 ** 3;
function memoryDir(needed = 0) {
  if (process.platform !== "linux") return null;
  try {
    const fs = statfsSync(MEMORY_DIR);
    return fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= MEMORY_MIN_FREE_BYTES + needed ? MEMORY_DIR : null;
  } catch {
    return null;
  }
}

// src/postgres/local.ts
var FAST_SETTINGS = {
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off"
};
var SUPERUSER = "postgres";
var SOCKET_PATH_MAX = process.platform === "linux" ? 107 : 103;
var SOCKET_SUFFIX_LENGTH = "/.s.PGSQL.65535".length;
var TEMP_NAME_LENGTH = "/dmr-xxxxxxxx-pg-XXXXXX".length;
async function lookupOsUser(name) {
  try {
    for (const line of (await readFile("/etc/passwd", "utf8")).split("\n")) {
      const fields = line.split(":");
      if (fields[0] === name && fields.length >= 4) return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
    }
  } catch {
  }
  const id = (flag) => new Promise(
    (done) => execFile("id", [flag, name], { timeout: 3e3 }, (error, stdout) => done(error ? null : Number(stdout.trim())))
  );
  const [uid, gid] = await Promise.all([id("-u"), id("-g")]);
  return uid === null || gid === null || Number.isNaN(uid) || Number.isNaN(gid) ? null : { name, uid, gid };
}
function traversableByOthers(dir) {
  let current = resolve(dir);
  for (; ; ) {
    try {
      if ((statSync(current).mode & 1) === 0) return false;
    } catch {
      return false;
    }
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}
function tempBase(asOtherUser, explicit, env) {
  const base = explicit ?? (env.TMPDIR ? null : memoryDir()) ?? env.TMPDIR ?? tmpdir();
  const fits = base.length + TEMP_NAME_LENGTH + SOCKET_SUFFIX_LENGTH <= SOCKET_PATH_MAX;
  if (fits && (!asOtherUser || traversableByOthers(base))) return base;
  return "/tmp";
}
function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}
function childEnv(base, home) {
  const env = { ...base, HOME: home, LC_ALL: "C" };
  for (const key of ["PGDATA", "PGPORT", "PGHOST", "PGUSER", "PGDATABASE", "PGOPTIONS", "PGSYSCONFDIR"]) delete env[key];
  return env;
}
function runInitdb(binaries, dataDir, cwd, runAs, env) {
  const args = ["-D", dataDir, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C", "-U", SUPERUSER];
  return new Promise((done, fail) => {
    const child = spawn(binaries.initdb, args, { cwd, env: childEnv(env, cwd), stdio: ["ignore", "pipe", "pipe"], ...runAs });
    const log = new LogTail();
    log.attach(child.stdout, child.stderr);
    const timer = setTimeout(() => child.kill("SIGKILL"), 12e4);
    child.on("error", (error) => {
      clearTimeout(timer);
      const hint = runAs.uid !== void 0 && error.code === "EACCES" ? " (it runs as the postgres OS user, which needs read and execute access to it and to every folder above it)" : "";
      fail(new Error(`could not run ${binaries.initdb}: ${error.message}${hint}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) done();
      else fail(new Error(`initdb failed (${signal ?? `exit code ${code}`}):
${log.text()}`));
    });
  });
}
var ServerProcess = class {
  child;
  log = new LogTail();
  exited;
  exitDescription = null;
  stopping = false;
  /** Called when the server exits without being asked to. */
  onUnexpectedExit = null;
  killOnExit = () => {
    if (this.exitDescription === null) this.child.kill("SIGQUIT");
  };
  constructor(binaries, args, cwd, runAs, env) {
    this.child = spawn(binaries.postgres, args, {
      cwd,
      env: childEnv(env, cwd),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      ...runAs
    });
    this.log.attach(this.child.stdout, this.child.stderr);
    this.exited = new Promise((done) => {
      this.child.on("error", (error) => {
        this.exitDescription ??= `could not be started: ${error.message}`;
        done();
      });
      this.child.on("exit", (code, signal) => {
        this.exitDescription = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
        process.off("exit", this.killOnExit);
        if (!this.stopping) this.onUnexpectedExit?.();
        done();
      });
    });
    process.on("exit", this.killOnExit);
  }
  get running() {
    return this.exitDescription === null && this.child.pid !== void 0;
  }
  /** SIGINT (fast shutdown), then SIGQUIT (immediate), then SIGKILL; resolves once the process is gone. */
  async stop() {
    this.stopping = true;
    const steps = [
      ["SIGINT", 2e4],
      ["SIGQUIT", 5e3],
      ["SIGKILL", 5e3]
    ];
    for (const [signal, waitMs] of steps) {
      if (!this.running) break;
      this.child.kill(signal);
      let timer;
      await Promise.race([this.exited, new Promise((done) => timer = setTimeout(done, waitMs))]);
      clearTimeout(timer);
    }
    process.off("exit", this.killOnExit);
  }
};
async function waitUntilReady(server, dataDir, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  const pidFile = join(dataDir, "postmaster.pid");
  while (performance.now() < deadline) {
    if (!server.running) {
      throw new Error(`postgres ${server.exitDescription ?? "stopped"} before accepting connections:
${server.log.text()}`);
    }
    try {
      const lines = (await readFile(pidFile, "utf8")).split("\n");
      if (lines[7]?.trim() === "ready") return;
    } catch {
    }
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error(`postgres did not accept connections within ${timeoutMs} ms:
${server.log.text()}`);
}
var portTaken = (log) => /could not bind|Address already in use/i.test(log);
async function startLocalPostgres(options, resources, logger) {
  const binaries = await findServerBinaries(options.binDir, options.env);
  if (!binaries) {
    throw new PostgresUnavailableError(
      "No PostgreSQL server binaries (initdb, postgres) were found on this machine; install them (e.g. apt-get install postgresql), set the binary folder, or use postgres: container or database-url."
    );
  }
  let runAs = {};
  let osUser = null;
  if (process.getuid?.() === 0) {
    osUser = await lookupOsUser(SUPERUSER);
    if (!osUser) {
      throw new PostgresUnavailableError(
        "Running as root, the local provider needs a `postgres` OS user to run initdb and the server as (initdb refuses root), and there is none; create one, or use postgres: container or database-url."
      );
    }
    runAs = { uid: osUser.uid, gid: osUser.gid };
  }
  const owned = new OwnedResources(resources, logger);
  try {
    const started = performance.now();
    const dir = await mkdtemp(join(tempBase(osUser !== null, options.baseDir, options.env), `dmr-${resources.runId}-pg-`));
    await owned.add(`temp dir ${dir}`, () => rm(dir, { recursive: true, force: true, maxRetries: 3 }), { kind: "folder", path: dir });
    if (osUser) await chown(dir, osUser.uid, osUser.gid);
    const dataDir = join(dir, "data");
    await runInitdb(binaries, dataDir, dir, runAs, options.env);
    const initdbMs = Math.round(performance.now() - started);
    const settings = { ...FAST_SETTINGS, ...options.settings };
    let server = null;
    let port = 0;
    const ready = performance.now();
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const args = ["-D", dataDir, "-p", String(port), "-k", dir, "-h", "127.0.0.1"];
      for (const [name, value] of Object.entries(settings)) args.push("-c", `${name}=${value}`);
      const candidate = new ServerProcess(binaries, args, dir, runAs, options.env);
      server = candidate;
      await owned.add(
        `postgres server (pid ${candidate.child.pid ?? "none"}, port ${port})`,
        () => candidate.stop(),
        candidate.child.pid === void 0 ? void 0 : { kind: "postgres", pid: candidate.child.pid, dataDir }
      );
      try {
        await waitUntilReady(candidate, dataDir, options.startTimeoutMs ?? 6e4);
        break;
      } catch (error) {
        if (attempt >= 3 || candidate.running || !portTaken(candidate.log.text())) throw error;
        logger.debug(`port ${port} was taken; retrying`);
      }
    }
    const startMs = Math.round(performance.now() - ready);
    const running = server;
    const connection = (database) => ({
      host: dir,
      port,
      user: SUPERUSER,
      password: void 0,
      database
    });
    const admin = await DatabaseAdmin.connect(connection("postgres"), { logger, namer: new DatabaseNamer(`dmr_${resources.runId}_`) });
    await owned.add("admin connection", () => admin.close({ dropDatabases: false }));
    const { version } = await admin.serverVersion();
    const description = `local PostgreSQL ${version} from ${binaries.binDir} (port ${port}, socket dir ${dir}${osUser ? ", as OS user postgres" : ""})`;
    logger.info(`Started ${description}: initdb ${initdbMs} ms, start ${startMs} ms`);
    running.onUnexpectedExit = () => logger.warning(`The local postgres server ${running.exitDescription}:
${running.log.text()}`);
    return {
      ...serverHandle("local", { version, description, connection, env: options.env, binDirs: [binaries.binDir] }, admin, owned),
      pid: running.child.pid,
      dir,
      binDir: binaries.binDir,
      serverLog: () => running.log.text(LogTail.KEPT)
    };
  } catch (error) {
    await owned.releaseAll();
    throw error;
  }
}

export {
  memoryDir,
  FAST_SETTINGS,
  lookupOsUser,
  tempBase,
  startLocalPostgres
};

import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  esm_default
} from "./chunk-Q3NGXOW5.js";

// src/postgres/admin.ts
import { randomBytes } from "node:crypto";
var MAX_IDENTIFIER_BYTES = 63;
function quoteIdentifier(name) {
  if (name.length === 0) throw new Error("an SQL identifier cannot be empty");
  if (name.includes("\0")) throw new Error("an SQL identifier cannot contain a NUL character");
  return `"${name.replaceAll('"', '""')}"`;
}
function newRunPrefix() {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(8);
  let id = "";
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return `dmr_${id}_`;
}
var DatabaseNamer = class {
  prefix;
  used = /* @__PURE__ */ new Map();
  constructor(prefix = newRunPrefix()) {
    this.prefix = prefix;
  }
  next(label = "db") {
    let slug = label.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/_+/g, "_").replace(/^_|_$/g, "");
    if (slug === "") slug = "db";
    const room = MAX_IDENTIFIER_BYTES - this.prefix.length - 5;
    slug = slug.slice(0, room).replace(/_$/, "");
    const count = (this.used.get(slug) ?? 0) + 1;
    this.used.set(slug, count);
    return count === 1 ? `${this.prefix}${slug}` : `${this.prefix}${slug}_${count}`;
  }
  owns(name) {
    return name.startsWith(this.prefix);
  }
};
function describeEndpoint(params) {
  return params.host.startsWith("/") ? `${params.host} (socket), port ${params.port}` : `${params.host}:${params.port}`;
}
function once(release) {
  let running = null;
  return () => {
    running ??= Promise.resolve().then(release);
    return running;
  };
}
var OwnedResources = class {
  steps = [];
  resources;
  logger;
  constructor(resources, logger) {
    this.resources = resources;
    this.logger = logger;
  }
  /** Registers `release` for something that now exists. */
  async add(description, release) {
    const step = { description, release: once(release) };
    this.steps.push(step);
    try {
      this.resources.defer(description, step.release);
    } catch (error) {
      await this.releaseAll();
      throw error;
    }
  }
  /** Releases everything registered so far, newest first; never throws. */
  async releaseAll() {
    for (const step of [...this.steps].reverse()) {
      try {
        await step.release();
      } catch (error) {
        this.logger.warning(`could not release ${step.description}: ${error.message}`);
      }
    }
  }
};
var LogTail = class _LogTail {
  static KEPT = 200;
  lines = [];
  partial = "";
  /** Follows a process's stdout and stderr (or any text streams). */
  attach(...streams) {
    for (const stream of streams) {
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk) => this.write(chunk.toString()));
    }
  }
  write(chunk) {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop() ?? "";
    this.lines.push(...parts.filter((line) => line.trim() !== ""));
    if (this.lines.length > _LogTail.KEPT) this.lines.splice(0, this.lines.length - _LogTail.KEPT);
  }
  text(last = 20) {
    return [...this.lines, this.partial].filter((line) => line.trim() !== "").slice(-last).join("\n");
  }
};
var DatabaseAdmin = class _DatabaseAdmin {
  namer;
  pool;
  logger;
  created = /* @__PURE__ */ new Set();
  serverVersionNumber = 0;
  closed = false;
  constructor(pool, namer, logger) {
    this.pool = pool;
    this.namer = namer;
    this.logger = logger;
  }
  /** Connects once to check that the server answers; rejects with the driver's error otherwise. */
  static async connect(params, options) {
    const pool = new esm_default.Pool({
      ...params,
      max: 1,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 1e4,
      idleTimeoutMillis: 3e4,
      allowExitOnIdle: true,
      application_name: "django-migration-review"
    });
    pool.on("error", (error) => options.logger.debug(`admin connection closed by the server: ${error.message}`));
    const admin = new _DatabaseAdmin(pool, options.namer ?? new DatabaseNamer(), options.logger);
    try {
      admin.serverVersionNumber = (await admin.serverVersion()).number;
    } catch (error) {
      await pool.end().catch(() => {
      });
      throw error;
    }
    return admin;
  }
  async serverVersion() {
    const { rows } = await this.pool.query(
      "SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS number"
    );
    const row = rows[0];
    return { version: row.version, number: Number(row.number) };
  }
  /** Whether the connected role may run CREATE DATABASE (CREATEDB or superuser). */
  async roleCanCreateDatabases() {
    const { rows } = await this.pool.query(
      "SELECT current_user AS role, (rolsuper OR rolcreatedb) AS allowed FROM pg_roles WHERE rolname = current_user"
    );
    const row = rows[0];
    return { role: row?.role ?? "unknown", allowed: row?.allowed ?? false };
  }
  /** Names of the databases this run created and has not dropped yet. */
  get databases() {
    return [...this.created];
  }
  owns(name) {
    return this.created.has(name);
  }
  async createDatabase(options = {}) {
    this.assertOpen();
    const { template } = options;
    if (template !== void 0 && !this.created.has(template)) {
      throw new Error(
        `cannot copy "${template}": only databases this run created can be templates (${this.describeOwned()})`
      );
    }
    const name = this.namer.next(options.label ?? template?.slice(this.namer.prefix.length) ?? "db");
    const sql = `CREATE DATABASE ${quoteIdentifier(name)}${template ? ` TEMPLATE ${quoteIdentifier(template)}` : ""}`;
    const started = performance.now();
    if (template === void 0) {
      await this.pool.query(sql);
    } else {
      for (let attempt = 1; ; attempt++) {
        await this.terminateSessions(template);
        try {
          await this.pool.query(sql);
          break;
        } catch (error) {
          if (error.code !== "55006" || attempt >= 3) throw error;
          this.logger.debug(`template ${template} was busy; closing its sessions again`);
        }
      }
    }
    this.created.add(name);
    const ms = Math.round(performance.now() - started);
    this.logger.debug(template ? `created database ${name} from ${template} in ${ms} ms` : `created database ${name} in ${ms} ms`);
    return name;
  }
  async dropDatabase(name) {
    this.assertOpen();
    if (!this.created.has(name)) {
      throw new Error(`refusing to drop "${name}": this run did not create it (${this.describeOwned()})`);
    }
    await this.drop(name);
    this.created.delete(name);
  }
  /** Drops every database this run still owns; reports the first failure after trying all. */
  async dropAll() {
    let first = null;
    for (const name of [...this.created].reverse()) {
      try {
        await this.drop(name, { ifExists: true });
        this.created.delete(name);
      } catch (error) {
        first ??= error;
        this.logger.warning(`could not drop database ${name}: ${error.message}`);
      }
    }
    if (first) throw first;
  }
  /** Closes the admin connection; with `dropDatabases`, drops the run's databases first. */
  async close(options) {
    if (this.closed) return;
    try {
      if (options.dropDatabases) await this.dropAll();
    } finally {
      this.closed = true;
      await this.pool.end().catch(() => {
      });
    }
  }
  async drop(name, options = {}) {
    const ifExists = options.ifExists ? "IF EXISTS " : "";
    if (this.serverVersionNumber >= 13e4) {
      await this.pool.query(`DROP DATABASE ${ifExists}${quoteIdentifier(name)} WITH (FORCE)`);
    } else {
      await this.terminateSessions(name);
      await this.pool.query(`DROP DATABASE ${ifExists}${quoteIdentifier(name)}`);
    }
  }
  /** Ends other sessions on one of this run's databases. */
  async terminateSessions(name) {
    if (!this.created.has(name)) throw new Error(`refusing to close sessions on "${name}": this run did not create it`);
    const terminate = this.serverVersionNumber >= 14e4 ? "pg_terminate_backend(pid, 5000)" : "pg_terminate_backend(pid)";
    const { rows } = await this.pool.query(
      `SELECT count(${terminate}) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [name]
    );
    const count = Number(rows[0]?.n ?? 0);
    if (count > 0) this.logger.debug(`closed ${count} session(s) on ${name}`);
  }
  describeOwned() {
    return this.created.size === 0 ? "it has created none" : `its databases: ${[...this.created].join(", ")}`;
  }
  assertOpen() {
    if (this.closed) throw new Error("this Postgres server was already closed");
  }
};
function serverHandle(kind, details, admin, owned) {
  const close = () => owned.releaseAll();
  return {
    kind,
    ...details,
    createDatabase: (options) => admin.createDatabase(options),
    dropDatabase: (name) => admin.dropDatabase(name),
    close,
    [Symbol.asyncDispose]: close
  };
}

export {
  describeEndpoint,
  OwnedResources,
  LogTail,
  DatabaseAdmin,
  serverHandle
};

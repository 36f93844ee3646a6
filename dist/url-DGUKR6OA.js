import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  deadRunsDatabases
} from "./chunk-RGEDZ3GP.js";
import {
  DatabaseAdmin,
  DatabaseNamer,
  OwnedResources,
  describeEndpoint,
  serverHandle
} from "./chunk-4KI3P23L.js";
import {
  PostgresUnavailableError
} from "./chunk-22WNB3OF.js";
import "./chunk-JMBS7UGV.js";

// src/postgres/url.ts
var KNOWN_PARAMETERS = /* @__PURE__ */ new Set(["host", "port", "user", "password", "dbname"]);
function parseDatabaseUrl(url) {
  let parsed;
  try {
    parsed = new URL(url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@]*@)(?=[/?#]|$)/i, "$1localhost"));
  } catch {
    throw new PostgresUnavailableError(
      `The database URL is not a valid URL; expected postgres://user:password@host:port/database (got ${redactUrl(url)}).`
    );
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new PostgresUnavailableError(
      `The database URL must start with postgres:// or postgresql:// (got ${parsed.protocol}//…).`
    );
  }
  const query = parsed.searchParams;
  const decode = (value) => {
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  };
  const host = query.get("host") ?? (decode(parsed.hostname).replace(/^\[(.*)\]$/, "$1") || "localhost");
  const port = Number(query.get("port") ?? (parsed.port || 5432));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new PostgresUnavailableError(`The database URL has an invalid port: ${query.get("port") ?? parsed.port}.`);
  }
  const user = query.get("user") ?? (decode(parsed.username) || "postgres");
  const password = query.get("password") ?? (parsed.password ? decode(parsed.password) : void 0);
  const database = query.get("dbname") ?? (decode(parsed.pathname.replace(/^\//, "")) || "postgres");
  const ignored = [...query.keys()].filter((key) => !KNOWN_PARAMETERS.has(key));
  return { params: { host, port, user, password, database }, ignored };
}
function redactUrl(url) {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, "$1***@").replace(/([?&]password=)[^&]*/i, "$1***");
}
async function dropDeadRunsDatabases(admin, params, endpoint, resources, logger) {
  if (resources.journalDirectory === void 0) return;
  for (const dead of deadRunsDatabases(resources.journalDirectory, params, resources.runId)) {
    try {
      const dropped = await admin.dropDeadRunDatabases(dead.prefix);
      logger.info(`Dropped ${dropped.length} database${dropped.length === 1 ? "" : "s"} an earlier run (${dead.runId}, pid ${dead.pid}, gone) left on ${endpoint}`);
      dead.forget();
    } catch (error) {
      logger.warning(`Could not drop the databases an earlier run (${dead.runId}) left on ${endpoint}: ${error.message}`);
    }
  }
}
async function startUrlPostgres(databaseUrl, resources, logger, env) {
  const { params, ignored } = parseDatabaseUrl(databaseUrl);
  if (ignored.length > 0) logger.warning(`database-url: ignoring the parameter(s) ${ignored.join(", ")}`);
  const endpoint = describeEndpoint(params);
  const owned = new OwnedResources(resources, logger);
  try {
    let admin;
    try {
      admin = await DatabaseAdmin.connect(params, { logger, namer: new DatabaseNamer(`dmr_${resources.runId}_`) });
    } catch (error) {
      throw new PostgresUnavailableError(
        `Could not connect to the Postgres server at ${endpoint} as ${params.user} (database ${params.database}) from database-url: ${error.message}`
      );
    }
    await owned.add(`databases created on ${endpoint}`, () => admin.close({ dropDatabases: true }), {
      kind: "databases",
      host: params.host,
      port: params.port,
      user: params.user,
      prefix: admin.namer.prefix
    });
    await dropDeadRunsDatabases(admin, params, endpoint, resources, logger);
    const { role, allowed } = await admin.roleCanCreateDatabases();
    if (!allowed) {
      throw new PostgresUnavailableError(
        `The role ${role} at ${endpoint} cannot create databases, which the review needs (one per step, named ${admin.namer.prefix}*); grant it with ALTER ROLE ${role} CREATEDB, or use a superuser such as the services container's POSTGRES_USER.`
      );
    }
    const { version } = await admin.serverVersion();
    const description = `PostgreSQL ${version} at ${endpoint} from database-url (user ${params.user}; this run's databases are named ${admin.namer.prefix}*)`;
    logger.info(`Using ${description}`);
    return serverHandle("url", { version, description, connection: (database) => ({ ...params, database }), env }, admin, owned);
  } catch (error) {
    await owned.releaseAll();
    throw error;
  }
}
export {
  parseDatabaseUrl,
  redactUrl,
  startUrlPostgres
};

import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  probeContainerRuntime
} from "./chunk-W7AKGTAM.js";
import {
  PostgresUnavailableError,
  findServerBinaries
} from "./chunk-22WNB3OF.js";

// src/postgres/auto.ts
var NO_POSTGRES_MESSAGE = "No Postgres is available: no container runtime answered and no server binaries were found; set postgres: container with a Docker engine running, install the PostgreSQL server binaries for postgres: local, or give a server with database-url.";
async function startContainer(options, resources, logger) {
  const { startContainerPostgres } = await import("./container-OF3KF3SR.js");
  return startContainerPostgres({ image: options.image, env: options.env }, resources, logger);
}
async function startLocal(options, resources, logger) {
  const { startLocalPostgres } = await import("./local-6V2U4BEE.js");
  return startLocalPostgres({ binDir: options.binDir, env: options.env }, resources, logger);
}
async function startUrl(databaseUrl, options, resources, logger) {
  const { startUrlPostgres } = await import("./url-DGUKR6OA.js");
  return startUrlPostgres(databaseUrl, resources, logger, options.env);
}
async function startPostgres(options, resources, logger) {
  const databaseUrl = options.databaseUrl?.trim() || void 0;
  switch (options.choice) {
    case "url":
      if (!databaseUrl) {
        throw new PostgresUnavailableError("postgres: url needs a server: set database-url to postgres://user:password@host:port/database.");
      }
      return startUrl(databaseUrl, options, resources, logger);
    case "local":
      return startLocal(options, resources, logger);
    case "container":
      return startContainer(options, resources, logger);
    case "auto":
      break;
    default:
      throw new PostgresUnavailableError(
        `Unknown postgres choice "${String(options.choice)}"; use auto, container, local or url.`
      );
  }
  if (databaseUrl) {
    logger.debug("postgres: auto chose url (database-url is set)");
    return startUrl(databaseUrl, options, resources, logger);
  }
  const probe = await probeContainerRuntime();
  if (probe.available) {
    logger.debug(`postgres: auto chose container (${probe.description})`);
    try {
      return await startContainer(options, resources, logger);
    } catch (error) {
      if (!await findServerBinaries(options.binDir, options.env).catch(() => null)) throw error;
      logger.warning(`${error.message}; using the local PostgreSQL server binaries instead`);
      return startLocal(options, resources, logger);
    }
  }
  logger.debug(`postgres: no container runtime (${probe.reason})`);
  if (options.binDir || await findServerBinaries(void 0, options.env)) {
    logger.debug("postgres: auto chose local");
    return startLocal(options, resources, logger);
  }
  throw new PostgresUnavailableError(NO_POSTGRES_MESSAGE);
}

// src/rehearsal/server.ts
async function startServer(options, resources, logger) {
  const started = performance.now();
  const server = await startPostgres(
    { choice: options.postgres, env: options.env, image: options.postgresImage, databaseUrl: options.databaseUrl, binDir: options.postgresBin },
    resources,
    logger
  );
  resources.defer("postgres server", () => server.close());
  return { server, ms: Math.round(performance.now() - started) };
}

export {
  startServer
};

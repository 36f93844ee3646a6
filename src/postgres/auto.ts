// Picks where the throwaway Postgres comes from: the `postgres` input
// (container, local, url) or, for `auto`, the first that works of: a given
// database URL, a container runtime that answers, server binaries here.
import type { Logger } from '../lifecycle/logger.js'
import type { ResourceStack } from '../lifecycle/resources.js'
import { findServerBinaries } from './binaries.js'
import { probeContainerRuntime } from './container-runtime.js'
import { PostgresUnavailableError, type PostgresOptions, type PostgresServer } from './types.js'

export { PostgresUnavailableError } from './types.js'
export type { PostgresOptions, PostgresServer } from './types.js'

export const NO_POSTGRES_MESSAGE =
  'No Postgres is available: no container runtime answered and no server binaries were found; set postgres: container with a Docker engine running, install the PostgreSQL server binaries for postgres: local, or give a server with database-url.'

// The providers are imported only when chosen (the container one loads testcontainers).
async function startContainer(options: PostgresOptions, resources: ResourceStack, logger: Logger) {
  const { startContainerPostgres } = await import('./container.js')
  return startContainerPostgres({ image: options.image, env: options.env }, resources, logger)
}

async function startLocal(options: PostgresOptions, resources: ResourceStack, logger: Logger) {
  const { startLocalPostgres } = await import('./local.js')
  return startLocalPostgres({ binDir: options.binDir, env: options.env }, resources, logger)
}

async function startUrl(databaseUrl: string, options: PostgresOptions, resources: ResourceStack, logger: Logger) {
  const { startUrlPostgres } = await import('./url.js')
  return startUrlPostgres(databaseUrl, resources, logger, options.env)
}

/**
 * Starts (or, for `url`, connects to) the Postgres the run uses. Whatever it
 * creates is registered on `resources`; the server's close() releases it too.
 * Rejects with PostgresUnavailableError when the chosen way cannot work.
 */
export async function startPostgres(
  options: PostgresOptions,
  resources: ResourceStack,
  logger: Logger
): Promise<PostgresServer> {
  const databaseUrl = options.databaseUrl?.trim() || undefined
  switch (options.choice) {
    case 'url':
      if (!databaseUrl) {
        throw new PostgresUnavailableError('postgres: url needs a server: set database-url to postgres://user:password@host:port/database.')
      }
      return startUrl(databaseUrl, options, resources, logger)
    case 'local':
      return startLocal(options, resources, logger)
    case 'container':
      return startContainer(options, resources, logger)
    case 'auto':
      break
    default:
      throw new PostgresUnavailableError(
        `Unknown postgres choice "${String(options.choice)}"; use auto, container, local or url.`
      )
  }

  if (databaseUrl) {
    logger.debug('postgres: auto chose url (database-url is set)')
    return startUrl(databaseUrl, options, resources, logger)
  }
  const probe = await probeContainerRuntime()
  if (probe.available) {
    logger.debug(`postgres: auto chose container (${probe.description})`)
    try {
      return await startContainer(options, resources, logger)
    } catch (error) {
      // e.g. the image cannot be pulled: fall back to local binaries when there are some.
      if (!(await findServerBinaries(options.binDir, options.env).catch(() => null))) throw error
      logger.warning(`${(error as Error).message}; using the local PostgreSQL server binaries instead`)
      return startLocal(options, resources, logger)
    }
  }
  logger.debug(`postgres: no container runtime (${probe.reason})`)
  if (options.binDir || (await findServerBinaries(undefined, options.env))) {
    logger.debug('postgres: auto chose local')
    return startLocal(options, resources, logger)
  }
  throw new PostgresUnavailableError(NO_POSTGRES_MESSAGE)
}

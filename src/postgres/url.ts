// A server someone else runs, given as a URL (typically a workflow's
// `services:` container). The run creates its own databases there, each named
// with the run's unique prefix, and drops exactly those: it never migrates,
// seeds or drops a database it did not create.
import type { Logger } from '../lifecycle/logger.js'
import { deadRunsDatabases } from '../lifecycle/leftovers.js'
import type { ResourceStack } from '../lifecycle/resources.js'
import { DatabaseAdmin, DatabaseNamer, OwnedResources, describeEndpoint, serverHandle } from './admin.js'
import { PostgresUnavailableError, type PostgresServer } from './types.js'
import type { ConnectionParams, Environment } from '../model/options.js'

/** Query parameters understood in the URL; others (e.g. sslmode) are reported and ignored. */
const KNOWN_PARAMETERS = new Set(['host', 'port', 'user', 'password', 'dbname'])

/**
 * Parses `postgres://user:pass@host:port/db` (also `postgresql://`, and
 * `?host=/socket/dir` for a Unix socket). An empty host means localhost; the
 * user and the database default to `postgres` (the database is only used for
 * the admin connection).
 */
export function parseDatabaseUrl(url: string): { params: ConnectionParams; ignored: string[] } {
  let parsed: URL
  try {
    // An empty host after user info (`postgres://me@/db?host=/socket`) is valid for libpq, not for URL.
    parsed = new URL(url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@]*@)(?=[/?#]|$)/i, '$1localhost'))
  } catch {
    throw new PostgresUnavailableError(
      `The database URL is not a valid URL; expected postgres://user:password@host:port/database (got ${redactUrl(url)}).`
    )
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new PostgresUnavailableError(
      `The database URL must start with postgres:// or postgresql:// (got ${parsed.protocol}//…).`
    )
  }
  const query = parsed.searchParams
  const decode = (value: string): string => {
    try {
      return decodeURIComponent(value)
    } catch {
      return value
    }
  }
  const host = query.get('host') ?? (decode(parsed.hostname).replace(/^\[(.*)\]$/, '$1') || 'localhost')
  const port = Number(query.get('port') ?? (parsed.port || 5432))
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new PostgresUnavailableError(`The database URL has an invalid port: ${query.get('port') ?? parsed.port}.`)
  }
  const user = query.get('user') ?? (decode(parsed.username) || 'postgres')
  const password = query.get('password') ?? (parsed.password ? decode(parsed.password) : undefined)
  const database = query.get('dbname') ?? (decode(parsed.pathname.replace(/^\//, '')) || 'postgres')
  const ignored = [...query.keys()].filter((key) => !KNOWN_PARAMETERS.has(key))
  return { params: { host, port, user, password, database }, ignored }
}

/** The URL with its password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@').replace(/([?&]password=)[^&]*/i, '$1***')
}

/** What runs killed before they could drop their databases here left, dropped now (their journals name them). */
async function dropDeadRunsDatabases(admin: DatabaseAdmin, params: ConnectionParams, endpoint: string, resources: ResourceStack, logger: Logger): Promise<void> {
  if (resources.journalDirectory === undefined) return
  for (const dead of deadRunsDatabases(resources.journalDirectory, params, resources.runId)) {
    try {
      const dropped = await admin.dropDeadRunDatabases(dead.prefix)
      logger.info(`Dropped ${dropped.length} database${dropped.length === 1 ? '' : 's'} an earlier run (${dead.runId}, pid ${dead.pid}, gone) left on ${endpoint}`)
      dead.forget()
    } catch (error) {
      logger.warning(`Could not drop the databases an earlier run (${dead.runId}) left on ${endpoint}: ${(error as Error).message}`)
    }
  }
}

export async function startUrlPostgres(
  databaseUrl: string,
  resources: ResourceStack,
  logger: Logger,
  env: Environment
): Promise<PostgresServer> {
  const { params, ignored } = parseDatabaseUrl(databaseUrl)
  if (ignored.length > 0) logger.warning(`database-url: ignoring the parameter(s) ${ignored.join(', ')}`)
  const endpoint = describeEndpoint(params)
  const owned = new OwnedResources(resources, logger)
  try {
    let admin: DatabaseAdmin
    try {
      admin = await DatabaseAdmin.connect(params, { logger, namer: new DatabaseNamer(`dmr_${resources.runId}_`) })
    } catch (error) {
      throw new PostgresUnavailableError(
        `Could not connect to the Postgres server at ${endpoint} as ${params.user} (database ${params.database}) from database-url: ${(error as Error).message}`
      )
    }
    // Drops exactly the databases this run created, then closes the connection. The journal names their
    // prefix, so that a later run given this server drops them if this one is killed first.
    await owned.add(`databases created on ${endpoint}`, () => admin.close({ dropDatabases: true }), {
      kind: 'databases',
      host: params.host,
      port: params.port,
      user: params.user,
      prefix: admin.namer.prefix
    })
    await dropDeadRunsDatabases(admin, params, endpoint, resources, logger)

    const { role, allowed } = await admin.roleCanCreateDatabases()
    if (!allowed) {
      throw new PostgresUnavailableError(
        `The role ${role} at ${endpoint} cannot create databases, which the review needs (one per step, named ${admin.namer.prefix}*); grant it with ALTER ROLE ${role} CREATEDB, or use a superuser such as the services container's POSTGRES_USER.`
      )
    }
    const { version } = await admin.serverVersion()
    const description = `PostgreSQL ${version} at ${endpoint} from database-url (user ${params.user}; this run's databases are named ${admin.namer.prefix}*)`
    logger.info(`Using ${description}`)

    return serverHandle('url', { version, description, connection: (database) => ({ ...params, database }), env }, admin, owned)
  } catch (error) {
    await owned.releaseAll()
    throw error
  }
}

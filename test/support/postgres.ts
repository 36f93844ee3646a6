// Real Postgres servers for tests: `startTestPostgres()` starts one (a local
// throwaway cluster by default) and returns it with a cleanup that removes
// everything it created.
//
//   const pgt = await startTestPostgres()            // or 'container' / 'url'
//   const db = await pgt.server.createDatabase({ label: 'shop' })
//   const client = await pgt.client(db)               // closed by cleanup()
//   ...
//   await pgt.cleanup()                               // or `await using pgt = ...`
//
// 'container' uses the image in DMR_TEST_POSTGRES_IMAGE (scripts/ci-docker-postgres.sh
// exports local/postgres:15). 'url' uses DMR_TEST_DATABASE_URL when set, else a local
// cluster started for the test and reached through its URL (standing in for a
// workflow's services container).
import pg from 'pg'
import { silentLogger, type Logger } from '../../src/lifecycle/logger.js'
import { ResourceStack } from '../../src/lifecycle/resources.js'
import { probeContainerRuntime } from '../../src/postgres/container-runtime.js'
import { startContainerPostgres } from '../../src/postgres/container.js'
import { startLocalPostgres, type LocalPostgresServer } from '../../src/postgres/local.js'
import { startUrlPostgres } from '../../src/postgres/url.js'
import type { PostgresServer } from '../../src/postgres/types.js'
import type { PostgresProviderKind } from '../../src/model/options.js'

export const TEST_POSTGRES_IMAGE = process.env.DMR_TEST_POSTGRES_IMAGE || 'local/postgres:15'

export interface TestPostgres extends AsyncDisposable {
  server: PostgresServer
  /** The stack the server's resources are registered on; cleanup() disposes it. */
  resources: ResourceStack
  /** A connected client for `database` on the server, closed by cleanup(). */
  client(database: string): Promise<pg.Client>
  /** Closes the clients, then the server and whatever it created. Idempotent. */
  cleanup(): Promise<void>
}

export interface TestPostgresOptions {
  logger?: Logger
  /** For 'container'; default DMR_TEST_POSTGRES_IMAGE or local/postgres:15. */
  image?: string
  /** For 'url'; default DMR_TEST_DATABASE_URL, else a local cluster started for the test. */
  databaseUrl?: string
  /** For 'local'. */
  binDir?: string
}

/** The URL of a local server over TCP (127.0.0.1), as a services container would be reached. */
export function urlOf(server: LocalPostgresServer, database = 'postgres'): string {
  const { port, user } = server.connection(database)
  return `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${encodeURIComponent(database)}`
}

export async function startTestPostgres(
  kind: PostgresProviderKind = 'local',
  options: TestPostgresOptions = {}
): Promise<TestPostgres> {
  const logger = options.logger ?? silentLogger
  const resources = new ResourceStack(logger)
  const clients: pg.Client[] = []
  resources.defer('test clients', async () => {
    await Promise.all(clients.splice(0).map((client) => client.end().catch(() => {})))
  })
  let server: PostgresServer
  try {
    if (kind === 'local') {
      server = await startLocalPostgres({ env: process.env, binDir: options.binDir }, resources, logger)
    } else if (kind === 'container') {
      server = await startContainerPostgres({ env: process.env, image: options.image ?? TEST_POSTGRES_IMAGE }, resources, logger)
    } else {
      let url = options.databaseUrl ?? process.env.DMR_TEST_DATABASE_URL
      if (!url) url = urlOf(await startLocalPostgres({ env: process.env }, resources, logger))
      server = await startUrlPostgres(url, resources, logger, process.env)
    }
  } catch (error) {
    await resources.dispose()
    throw error
  }
  // The clients go first, so that the server's databases can be dropped.
  const cleanup = async (): Promise<void> => {
    await Promise.all(clients.splice(0).map((client) => client.end().catch(() => {})))
    await resources.dispose()
  }
  return {
    server,
    resources,
    async client(database) {
      const client = new pg.Client(server.connection(database))
      client.on('error', () => {}) // a server stopped under an idle client must not crash the test
      await client.connect()
      clients.push(client)
      return client
    },
    cleanup,
    [Symbol.asyncDispose]: cleanup
  }
}

/**
 * Whether container tests can run here. Outside CI a missing runtime skips them
 * (with the reason); under CI (env CI set) they always run, so that a missing
 * engine fails them instead of passing silently.
 */
export async function containerTestsGate(): Promise<{ run: true } | { run: false; reason: string }> {
  if (process.env.CI) return { run: true }
  const probe = await probeContainerRuntime(5000)
  if (probe.available) return { run: true }
  return {
    run: false,
    reason: `no container runtime answered (${probe.reason}); start one with \`sh scripts/ci-docker-postgres.sh && . "$(sh scripts/ci-docker-postgres.sh env)"\``
  }
}

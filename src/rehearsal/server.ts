// The rehearsal's throwaway server, started as soon as the static review has
// found migrations to rehearse: a container or a local cluster takes about as
// long to start as the project's Python and Django's view, so the two run side
// by side instead of one after the other.
import type { Logger } from '../lifecycle/logger.js'
import type { ResourceStack } from '../lifecycle/resources.js'
import type { Options } from '../model/options.js'
import { startPostgres } from '../postgres/auto.js'
import type { PostgresServer } from '../postgres/types.js'

export interface StartedServer {
  server: PostgresServer
  /** From the start to a server that answers. */
  ms: number
}

/** Starts the server; it is closed with `resources`. */
export async function startServer(options: Options, resources: ResourceStack, logger: Logger): Promise<StartedServer> {
  const started = performance.now()
  const server = await startPostgres(
    { choice: options.postgres, env: options.env, image: options.postgresImage, databaseUrl: options.databaseUrl, binDir: options.postgresBin },
    resources,
    logger
  )
  resources.defer('postgres server', () => server.close())
  return { server, ms: Math.round(performance.now() - started) }
}

// A throwaway server in a container (testcontainers' PostgreSqlContainer),
// its data dir on tmpfs and durability turned off. testcontainers is imported
// only here, lazily: version 12 cannot be loaded on Node 20.
import { randomBytes } from 'node:crypto'
import type { StartedPostgreSqlContainer } from '@testcontainers/postgresql'
import type { Logger } from '../lifecycle/logger.js'
import type { ResourceStack } from '../lifecycle/resources.js'
import { DatabaseAdmin, DatabaseNamer, LogTail, OwnedResources, serverHandle } from './admin.js'
import { loadTestcontainers, probeContainerRuntime } from './container-runtime.js'
import { FAST_SETTINGS } from './local.js'
import type { PostgresServer } from './types.js'
import type { Environment } from '../model/options.js'

export interface ContainerPostgresOptions {
  /** e.g. `postgres:17-alpine`. */
  image: string
  /** For pg_dump and pg_restore on this machine (the base-schema cache). */
  env: Environment
  /** How long to wait for the runtime to answer, in ms. */
  probeTimeoutMs?: number
  /** How long the container may take to accept connections, in ms. */
  startupTimeoutMs?: number
  /** Extra server settings, passed as `-c name=value`. */
  settings?: Record<string, string>
}

/** A container server also tells which container it is, for tests and diagnostics. */
export interface ContainerPostgresServer extends PostgresServer {
  readonly kind: 'container'
  readonly containerId: string
  readonly image: string
}

/** Label put on every container a run starts, so that a start that fails halfway can still be found and removed. */
export const RUN_LABEL = 'io.github.django-migration-review.run'

/** PGDATA on a tmpfs: version-independent (not the image's VOLUME path, which moved in the official 18 images). */
const TMPFS_DIR = '/var/lib/dmr-tmpfs'

export async function startContainerPostgres(
  options: ContainerPostgresOptions,
  resources: ResourceStack,
  logger: Logger
): Promise<ContainerPostgresServer> {
  const { testcontainers, postgres } = await loadTestcontainers()
  const probe = await probeContainerRuntime(options.probeTimeoutMs ?? 5000)
  if (!probe.available) {
    logger.debug(`container runtime probe: ${probe.reason}`)
    throw probe.error
  }
  logger.debug(`container runtime: ${probe.description}`)

  const runId = resources.runId
  const containerLog = new LogTail()
  const password = randomBytes(12).toString('hex')
  const command = ['postgres']
  for (const [name, value] of Object.entries({ ...FAST_SETTINGS, ...options.settings })) command.push('-c', `${name}=${value}`)
  const container = new postgres.PostgreSqlContainer(options.image)
    .withUsername('postgres')
    .withPassword(password)
    .withDatabase('postgres')
    .withCommand(command)
    .withEnvironment({ PGDATA: `${TMPFS_DIR}/data`, POSTGRES_INITDB_ARGS: '--no-sync' })
    .withTmpFs({ [TMPFS_DIR]: 'rw' })
    .withLabels({ [RUN_LABEL]: runId })
    .withStartupTimeout(options.startupTimeoutMs ?? 120_000)
    // The server's output, for the message when it does not come up (testcontainers removes that container).
    .withLogConsumer((stream) => containerLog.attach(stream))

  const owned = new OwnedResources(resources, logger)
  let started: StartedPostgreSqlContainer | null = null
  // Registered before start(): a start that fails or is interrupted after the
  // container was created leaves it behind (testcontainers does not remove it),
  // so the release also removes every container carrying this run's label.
  await owned.add(
    `postgres container (${options.image})`,
    async () => {
    // timeout 0: the data is thrown away, so no clean shutdown is needed
    if (started) await started.stop({ remove: true, removeVolumes: true, timeout: 0 })
    const client = await testcontainers.getContainerRuntimeClient()
    const leftovers = await client.container.dockerode.listContainers({
      all: true,
      filters: { label: [`${RUN_LABEL}=${runId}`] }
    })
    for (const info of leftovers) {
      await client.container.dockerode.getContainer(info.Id).remove({ force: true, v: true })
    }
    },
    { kind: 'container', label: RUN_LABEL, value: runId }
  )
  try {
    const begun = performance.now()
    try {
      started = await container.start()
    } catch (error) {
      const log = containerLog.text()
      throw new Error(
        `Could not start a Postgres container from ${options.image}: ${(error as Error).message}${log ? `\n${log}` : ''}`
      )
    }
    const startMs = Math.round(performance.now() - begun)
    const host = started.getHost()
    const port = started.getPort()
    const connection = (database: string) => ({ host, port, user: 'postgres', password, database })

    const admin = await DatabaseAdmin.connect(connection('postgres'), { logger, namer: new DatabaseNamer(`dmr_${resources.runId}_`) })
    // The container goes away whole: no need to drop its databases first.
    await owned.add('admin connection', () => admin.close({ dropDatabases: false }))
    const { version } = await admin.serverVersion()
    const containerId = started.getId()
    const description = `PostgreSQL ${version} in a container from ${options.image} (${containerId.slice(0, 12)}, ${host}:${port})`
    logger.info(`Started ${description} in ${startMs} ms`)

    return {
      ...serverHandle('container', { version, description, connection, env: options.env }, admin, owned),
      containerId,
      image: options.image
    }
  } catch (error) {
    await owned.releaseAll()
    throw error
  }
}

/** Removes every container labelled `label=value` (a killed run's, found through its journal); returns how many. */
export async function removeLabelledContainers(label: string, value: string): Promise<number> {
  const { testcontainers } = await loadTestcontainers()
  const client = await testcontainers.getContainerRuntimeClient()
  const found = await client.container.dockerode.listContainers({ all: true, filters: { label: [`${label}=${value}`] } })
  for (const info of found) await client.container.dockerode.getContainer(info.Id).remove({ force: true, v: true })
  return found.length
}

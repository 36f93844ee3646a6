// Loads testcontainers lazily (version 12 cannot even be imported on Node 20)
// and asks quickly whether a container runtime (Docker or Podman) answers.
import { PostgresUnavailableError } from './types.js'

export type Testcontainers = typeof import('testcontainers')
export type TestcontainersPostgres = typeof import('@testcontainers/postgresql')

/** testcontainers 12 declares `engines.node >= 22.22`; on Node 20 its import throws. */
export const CONTAINER_MIN_NODE = [22, 22] as const

export const NO_RUNTIME_MESSAGE =
  'No container runtime answered (Docker or Podman); start one, or set postgres: local or database-url'

function nodeTooOld(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  return major < CONTAINER_MIN_NODE[0] || (major === CONTAINER_MIN_NODE[0] && minor < CONTAINER_MIN_NODE[1])
}

function nodeMessage(): string {
  return `The container provider needs Node >= ${CONTAINER_MIN_NODE.join('.')} (this is Node ${process.versions.node}); run under Node 24, or set postgres: local or database-url`
}

let loaded: Promise<{ testcontainers: Testcontainers; postgres: TestcontainersPostgres }> | null = null

/** Imports testcontainers and its Postgres module once; PostgresUnavailableError when Node is too old. */
export function loadTestcontainers(): Promise<{ testcontainers: Testcontainers; postgres: TestcontainersPostgres }> {
  if (nodeTooOld()) return Promise.reject(new PostgresUnavailableError(nodeMessage()))
  loaded ??= (async () => {
    try {
      const [testcontainers, postgres] = await Promise.all([
        import('testcontainers'),
        import('@testcontainers/postgresql')
      ])
      return { testcontainers, postgres }
    } catch (error) {
      loaded = null
      throw new PostgresUnavailableError(
        `Could not load testcontainers for the container provider (${(error as Error).message}); it needs Node >= ${CONTAINER_MIN_NODE.join('.')}, or set postgres: local or database-url`
      )
    }
  })()
  return loaded
}

export type RuntimeProbe =
  | { available: true; description: string }
  | { available: false; reason: string; error: PostgresUnavailableError }

/**
 * Asks testcontainers for a runtime client, giving up after `timeoutMs` (a remote
 * DOCKER_HOST that does not answer can otherwise hang until the TCP timeout).
 * Never throws.
 */
export async function probeContainerRuntime(timeoutMs = 5000): Promise<RuntimeProbe> {
  let timer: NodeJS.Timeout | undefined
  try {
    const { testcontainers } = await loadTestcontainers()
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
      timer.unref()
    })
    const client = await Promise.race([testcontainers.getContainerRuntimeClient(), timeout])
    const runtime = client.info.containerRuntime
    return {
      available: true,
      description: `${runtime.operatingSystem || 'container runtime'} (server API ${runtime.serverVersion}) at ${runtime.remoteSocketPath || runtime.host}`
    }
  } catch (error) {
    const unavailable =
      error instanceof PostgresUnavailableError ? error : new PostgresUnavailableError(NO_RUNTIME_MESSAGE)
    return { available: false, reason: (error as Error).message, error: unavailable }
  } finally {
    if (timer) clearTimeout(timer)
  }
}

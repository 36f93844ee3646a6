// Choosing a provider, and what happens without a container runtime. In this
// file no runtime answers: DOCKER_HOST points at a socket that does not exist
// (set before anything asks testcontainers, which caches only a success).
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/lifecycle/logger.js'
import { ResourceStack } from '../../src/lifecycle/resources.js'
import { startPostgres } from '../../src/postgres/auto.js'
import { NO_RUNTIME_MESSAGE, probeContainerRuntime } from '../../src/postgres/container-runtime.js'
import { startContainerPostgres } from '../../src/postgres/container.js'
import type { LocalPostgresServer } from '../../src/postgres/local.js'
import { PostgresUnavailableError, type PostgresOptions } from '../../src/postgres/types.js'
import { startTestPostgres, urlOf, type TestPostgres } from '../support/postgres.js'

const missingSocket = join(tmpdir(), 'dmr-no-docker-here', 'docker.sock')
process.env.DOCKER_HOST = `unix://${missingSocket}`
// testcontainers also tries the default sockets; one may answer on a developer's machine.
const probe = await probeContainerRuntime()
const runtimeAnswers = probe.available ? `a container runtime still answers (${probe.description})` : ''

const options = (overrides: Partial<PostgresOptions>): PostgresOptions => ({
  choice: 'auto',
  env: process.env,
  image: process.env.DMR_TEST_POSTGRES_IMAGE || 'local/postgres:15',
  databaseUrl: undefined,
  binDir: undefined,
  ...overrides
})

describe('auto choice of Postgres', () => {
  let services: TestPostgres

  beforeAll(async () => {
    services = await startTestPostgres('local')
  })
  afterAll(() => services?.cleanup())

  it('picks url when a database-url is given', async () => {
    const resources = new ResourceStack(silentLogger)
    try {
      const url = urlOf(services.server as LocalPostgresServer)
      const server = await startPostgres(options({ databaseUrl: url }), resources, silentLogger)
      expect(server.kind).toBe('url')
      expect(server.version).toBe(services.server.version)
    } finally {
      await resources.dispose()
    }
  })

  it('picks local when no container runtime answers', async (ctx) => {
    if (runtimeAnswers) ctx.skip(runtimeAnswers)
    const resources = new ResourceStack(silentLogger)
    try {
      const server = await startPostgres(options({}), resources, silentLogger)
      expect(server.kind).toBe('local')
      expect(server.description).toMatch(/^local PostgreSQL/)
    } finally {
      await resources.dispose()
    }
  })

  it('postgres: url without a database-url says which input to set', async () => {
    await expect(startPostgres(options({ choice: 'url' }), new ResourceStack(), silentLogger)).rejects.toThrow(
      /postgres: url needs a server: set database-url/
    )
  })
})

describe('container Postgres without a container runtime', () => {
  it('fails quickly with one sentence saying what to do', async (ctx) => {
    if (runtimeAnswers) ctx.skip(runtimeAnswers)
    const resources = new ResourceStack(silentLogger)
    const started = performance.now()
    const error = await startContainerPostgres({ env: process.env, image: 'postgres:17-alpine' }, resources, silentLogger).catch(
      (caught: unknown) => caught
    )
    expect(error).toBeInstanceOf(PostgresUnavailableError)
    expect((error as Error).message).toBe(
      'No container runtime answered (Docker or Podman); start one, or set postgres: local or database-url'
    )
    expect((error as Error).message).toBe(NO_RUNTIME_MESSAGE)
    expect(performance.now() - started).toBeLessThan(3000)
    expect(resources.size).toBe(0)
  })
})

// The system node here is 20, where testcontainers 12 cannot be imported: the rest of the tool must still work.
const oldNode = '/usr/bin/node'
const execFileAsync = promisify(execFile)
async function oldNodeVersion(): Promise<string | null> {
  if (!existsSync(oldNode)) return null
  const { stdout } = await execFileAsync(oldNode, ['--version'])
  const [major = 0, minor = 0] = stdout.trim().replace(/^v/, '').split('.').map(Number)
  return major < 22 || (major === 22 && minor < 22) ? stdout.trim() : null
}
const node20 = await oldNodeVersion()

describe.skipIf(!node20)(`under ${node20 ?? 'Node < 22.22'} (${oldNode})`, () => {
  it('the container provider says it needs Node >= 22.22, and auto falls back to local', async () => {
    const root = resolve(import.meta.dirname, '..', '..')
    const dir = mkdtempSync(join(tmpdir(), 'dmr-node20-'))
    try {
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
      const script = `
        import { startPostgres } from ${JSON.stringify(join(root, 'src/postgres/auto.ts'))}
        import { ResourceStack } from ${JSON.stringify(join(root, 'src/lifecycle/resources.ts'))}
        const resources = new ResourceStack()
        const base = { image: 'postgres:17-alpine', databaseUrl: undefined, binDir: undefined, env: process.env }
        const out = {}
        try { await startPostgres({ ...base, choice: 'container' }, resources, console) }
        catch (error) { out.container = error.name + ': ' + error.message }
        out.auto = (await startPostgres({ ...base, choice: 'auto' }, resources, { info() {}, warning() {}, debug() {} })).kind
        await resources.dispose()
        console.log(JSON.stringify(out))
      `
      writeFileSync(join(dir, 'entry.ts'), script)
      const esbuild = await import('esbuild')
      await esbuild.build({
        entryPoints: [join(dir, 'entry.ts')],
        outfile: join(dir, 'run.mjs'),
        bundle: true,
        platform: 'node',
        format: 'esm',
        packages: 'external',
        logLevel: 'silent'
      })
      const { stdout } = await execFileAsync(oldNode, [join(dir, 'run.mjs')], { cwd: dir, env: { ...process.env } })
      const out = JSON.parse(stdout.trim().split('\n').pop()!)
      expect(out.container).toMatch(
        /^PostgresUnavailableError: The container provider needs Node >= 22\.22 \(this is Node 20\.[\d.]+\); run under Node 24, or set postgres: local or database-url$/
      )
      expect(out.auto).toBe('local')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

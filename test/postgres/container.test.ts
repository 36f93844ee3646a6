// The container provider against a real container runtime, with the image in
// DMR_TEST_POSTGRES_IMAGE (`sh scripts/ci-docker-postgres.sh` builds
// local/postgres:15 and exports it). Without a runtime these tests are skipped
// with the reason, except under CI, where they must run (and fail).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/lifecycle/logger.js'
import { ResourceStack } from '../../src/lifecycle/resources.js'
import { RUN_LABEL, startContainerPostgres, type ContainerPostgresServer } from '../../src/postgres/container.js'
import { containerTestsGate, startTestPostgres, TEST_POSTGRES_IMAGE, type TestPostgres } from '../support/postgres.js'

const gate = await containerTestsGate()
const skipReason = gate.run ? '' : gate.reason
if (skipReason) console.warn(`container tests skipped: ${skipReason}`)

async function containersWithLabel(value?: string): Promise<string[]> {
  const { getContainerRuntimeClient } = await import('testcontainers')
  const client = await getContainerRuntimeClient()
  const containers = await client.container.dockerode.listContainers({
    all: true,
    filters: { label: [value ? `${RUN_LABEL}=${value}` : RUN_LABEL] }
  })
  return containers.map((container) => container.Id)
}

describe(`container Postgres from ${TEST_POSTGRES_IMAGE}${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let pgt: TestPostgres
  let server: ContainerPostgresServer

  beforeAll(async () => {
    if (!gate.run) return
    pgt = await startTestPostgres('container')
    server = pgt.server as ContainerPostgresServer
  })
  afterAll(() => pgt?.cleanup())

  it('starts a container and reports its version', async (ctx) => {
    if (!gate.run) ctx.skip(skipReason)
    expect(server.kind).toBe('container')
    expect(server.version).toMatch(/^\d+\.\d+/)
    expect(server.description).toContain(TEST_POSTGRES_IMAGE)
    const client = await pgt.client('postgres')
    const { rows } = await client.query('SHOW server_version')
    expect(rows[0].server_version).toBe(server.version)
  })

  it('keeps its data dir on tmpfs and runs with durability turned off', async (ctx) => {
    if (!gate.run) ctx.skip(skipReason)
    const client = await pgt.client('postgres')
    const { rows } = await client.query<{ dir: string }>('SELECT current_setting($1) AS dir', ['data_directory'])
    expect(rows[0]!.dir).toBe('/var/lib/dmr-tmpfs/data')
    for (const setting of ['fsync', 'synchronous_commit', 'full_page_writes']) {
      const { rows: shown } = await client.query(`SHOW ${setting}`)
      expect(shown[0][setting]).toBe('off')
    }
  })

  it('creates a database, copies it from a template with its rows intact, and drops it', async (ctx) => {
    if (!gate.run) ctx.skip(skipReason)
    const template = await server.createDatabase({ label: 'base' })
    const source = await pgt.client(template)
    await source.query('CREATE TABLE item (id serial PRIMARY KEY, name text NOT NULL)')
    await source.query("INSERT INTO item (name) SELECT 'item ' || i FROM generate_series(1, 250) AS i")

    const copy = await server.createDatabase({ template })
    const target = await pgt.client(copy)
    const { rows } = await target.query('SELECT count(*)::int AS n FROM item')
    expect(rows[0]).toEqual({ n: 250 })
    await target.end()

    await server.dropDatabase(copy)
    const admin = await pgt.client('postgres')
    const { rows: left } = await admin.query('SELECT datname FROM pg_database WHERE datname IN ($1, $2)', [
      template,
      copy
    ])
    expect(left.map((row) => row.datname)).toEqual([template])
    await expect(server.dropDatabase('postgres')).rejects.toThrow(/this run did not create it/)
  })

  it('close stops and removes the container', async (ctx) => {
    if (!gate.run) ctx.skip(skipReason)
    const resources = new ResourceStack(silentLogger)
    const own = await startContainerPostgres({ env: process.env, image: TEST_POSTGRES_IMAGE }, resources, silentLogger)
    const { getContainerRuntimeClient } = await import('testcontainers')
    const client = await getContainerRuntimeClient()
    expect((await client.container.getById(own.containerId).inspect()).State.Running).toBe(true)

    await own.close()
    await expect(client.container.getById(own.containerId).inspect()).rejects.toThrow(/no such container/i)
    await own.close() // idempotent
    await resources.dispose()
  })

  it('a container that never becomes ready is removed, not left behind', async (ctx) => {
    if (!gate.run) ctx.skip(skipReason)
    const before = await containersWithLabel()
    const resources = new ResourceStack(silentLogger)
    // The server exits at once on the bad setting, after the container was created and started.
    const start = startContainerPostgres(
      { env: process.env, image: TEST_POSTGRES_IMAGE, startupTimeoutMs: 4000, settings: { shared_buffers: 'plenty' } },
      resources,
      silentLogger
    )
    await expect(start).rejects.toThrow(/Could not start a Postgres container from[\s\S]*shared_buffers/)
    expect(await containersWithLabel()).toEqual(before)
    await resources.dispose()
  })
})

// The whole rehearsal on each kind of Postgres: a server given by URL (a
// workflow's services container) and a real container (testcontainers).
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { containerTestsGate, TEST_POSTGRES_IMAGE, urlOf } from '../support/postgres.js'
import { BOOK_MODEL, rehearseScenario } from '../support/rehearsal.js'
import { startLocalPostgres } from '../../src/postgres/local.js'
import { ResourceStack } from '../../src/lifecycle/resources.js'
import { silentLogger } from '../../src/lifecycle/logger.js'

const notNullScenario = {
  prModel: `${BOOK_MODEL}    stock = models.IntegerField(default=0)\n`,
  pr: [{ name: '0002_book_stock', operations: ['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'] }]
}

async function fingerprint(client: pg.Client): Promise<Record<string, unknown>> {
  const count = await client.query('SELECT count(*)::int AS n, md5(string_agg(t::text, \',\' ORDER BY id)) AS sum FROM production_orders t')
  const tables = await client.query("SELECT string_agg(tablename, ',' ORDER BY tablename) AS names FROM pg_tables WHERE schemaname = 'public'")
  const migrations = await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'django_migrations'")
  return { ...count.rows[0], tables: tables.rows[0].names, djangoMigrations: migrations.rows[0].n }
}

describe('the url provider', () => {
  it('rehearses in databases of its own and leaves an existing database untouched, byte for byte', async () => {
    const resources = new ResourceStack(silentLogger)
    try {
      const server = await startLocalPostgres({ env: process.env }, resources, silentLogger)
      const admin = new pg.Client(server.connection('postgres'))
      await admin.connect()
      await admin.query('CREATE DATABASE production')
      const existing = new pg.Client(server.connection('production'))
      await existing.connect()
      await existing.query('CREATE TABLE production_orders (id serial PRIMARY KEY, item text, amount numeric(10,2))')
      await existing.query("INSERT INTO production_orders (item, amount) SELECT 'item ' || g, g * 1.5 FROM generate_series(1, 500) g")
      const before = await fingerprint(existing)
      const databasesBefore = (await admin.query('SELECT datname FROM pg_database ORDER BY datname')).rows.map((r) => r.datname)

      const { report } = await rehearseScenario(notNullScenario, { postgres: 'url', databaseUrl: urlOf(server, 'production') })

      expect(report.rehearsal).toMatchObject({ status: 'ran', provider: 'url' })
      expect(report.migrations[0]!.backwardCompatible.value).toBe(false)
      expect(await fingerprint(existing)).toEqual(before)
      const databasesAfter = (await admin.query('SELECT datname FROM pg_database ORDER BY datname')).rows.map((r) => r.datname)
      expect(databasesAfter).toEqual(databasesBefore)
      await existing.end()
      await admin.end()
    } finally {
      await resources.dispose()
    }
  })
})

const gate = await containerTestsGate()
describe.skipIf(!gate.run)(`the container provider (${gate.run ? TEST_POSTGRES_IMAGE : gate.run === false ? gate.reason : ''})`, () => {
  it('rehearses on a real container started from the image', async () => {
    const { report } = await rehearseScenario(notNullScenario, { postgres: 'container', postgresImage: TEST_POSTGRES_IMAGE })
    expect(report.rehearsal).toMatchObject({ status: 'ran', provider: 'container' })
    expect(report.rehearsal.postgresVersion).toMatch(/^\d+\.\d+/)
    const migration = report.migrations[0]!
    expect(migration.appliesOnSeededData.value).toBe(true)
    expect(migration.backwardCompatible.value).toBe(false)
    expect(migration.reversible.value).toBe(true)
  })
})

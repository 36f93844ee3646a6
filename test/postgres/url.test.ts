// The url provider against a local server started by the test, standing in
// for a workflow's services container that already holds other databases.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/lifecycle/logger.js'
import { ResourceStack } from '../../src/lifecycle/resources.js'
import { startLocalPostgres, type LocalPostgresServer } from '../../src/postgres/local.js'
import { PostgresUnavailableError } from '../../src/postgres/types.js'
import { parseDatabaseUrl, redactUrl, startUrlPostgres } from '../../src/postgres/url.js'
import { urlOf } from '../support/postgres.js'

describe('url Postgres on a server that already holds data', () => {
  const resources = new ResourceStack(silentLogger)
  let services: LocalPostgresServer
  let url: string
  let admin: pg.Client

  async function snapshotOfShop(): Promise<{ count: number; checksum: string; orders: number }> {
    const client = new pg.Client({ ...services.connection('shop') })
    await client.connect()
    try {
      const { rows } = await client.query<{ count: number; checksum: string; orders: number }>(
        `SELECT (SELECT count(*)::int FROM customer) AS count,
                (SELECT md5(string_agg(c::text, '|' ORDER BY id)) FROM customer c) AS checksum,
                (SELECT count(*)::int FROM orders) AS orders`
      )
      return rows[0]!
    } finally {
      await client.end()
    }
  }

  async function databaseNames(): Promise<string[]> {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY datname')
    return rows.map((row) => row.datname)
  }

  beforeAll(async () => {
    services = await startLocalPostgres({ env: process.env }, resources, silentLogger)
    url = urlOf(services)
    admin = new pg.Client(services.connection('postgres'))
    await admin.connect()
    // What the workflow's own services database holds before the review runs.
    await admin.query('CREATE DATABASE shop')
    const shop = new pg.Client(services.connection('shop'))
    await shop.connect()
    await shop.query(`CREATE TABLE customer (id serial PRIMARY KEY, name text, email text, visits int)`)
    await shop.query(
      `INSERT INTO customer (name, email, visits) SELECT 'c' || i, 'c' || i || '@example.com', i % 7 FROM generate_series(1, 1000) i`
    )
    await shop.query('CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customer, total numeric)')
    await shop.query('INSERT INTO orders (customer_id, total) SELECT i, i * 1.5 FROM generate_series(1, 300) i')
    await shop.end()
    await admin.query('CREATE ROLE reviewer LOGIN')
  })
  afterAll(async () => {
    await admin?.end()
    await resources.dispose()
  })

  it('leaves a pre-existing database untouched through a full create, copy, drop and close cycle', async () => {
    const before = await snapshotOfShop()
    const namesBefore = await databaseNames()

    const runResources = new ResourceStack(silentLogger)
    const server = await startUrlPostgres(url, runResources, silentLogger, process.env)
    expect(server.kind).toBe('url')
    const base = await server.createDatabase({ label: 'base' })
    const client = new pg.Client(server.connection(base))
    await client.connect()
    await client.query('CREATE TABLE t (id int)')
    await client.query('INSERT INTO t SELECT generate_series(1, 10)')
    await client.end()
    const copy = await server.createDatabase({ template: base })
    await server.dropDatabase(copy)
    await server.createDatabase({ template: base })
    await server.close()
    await runResources.dispose()

    expect(await snapshotOfShop()).toEqual(before)
    expect(before).toMatchObject({ count: 1000, orders: 300 })
    expect(await databaseNames()).toEqual(namesBefore)
  })

  it("creates only databases named with the run's prefix and drops exactly those on close", async () => {
    const namesBefore = await databaseNames()
    const runResources = new ResourceStack(silentLogger)
    const server = await startUrlPostgres(url, runResources, silentLogger, process.env)
    const first = await server.createDatabase({ label: 'base' })
    const second = await server.createDatabase({ template: first, label: 'step' })
    const prefix = first.slice(0, first.indexOf('_', 4) + 1)

    const added = (await databaseNames()).filter((name) => !namesBefore.includes(name))
    expect(added.sort()).toEqual([first, second].sort())
    expect(added.every((name) => name.startsWith(prefix))).toBe(true)
    expect(server.description).toContain(`${prefix}*`)

    await server.close()
    expect(await databaseNames()).toEqual(namesBefore)
    await runResources.dispose()
  })

  it("drops the run's databases when the run is disposed without close()", async () => {
    const namesBefore = await databaseNames()
    const runResources = new ResourceStack(silentLogger)
    const server = await startUrlPostgres(url, runResources, silentLogger, process.env)
    await server.createDatabase({ label: 'left over' })
    await runResources.dispose()
    expect(await databaseNames()).toEqual(namesBefore)
  })

  it('refuses to drop a database the run did not create', async () => {
    const runResources = new ResourceStack(silentLogger)
    const server = await startUrlPostgres(url, runResources, silentLogger, process.env)
    try {
      await expect(server.dropDatabase('shop')).rejects.toThrow(/refusing to drop "shop": this run did not create it/)
      await expect(server.createDatabase({ template: 'shop' })).rejects.toThrow(/only databases this run created/)
      expect(await databaseNames()).toContain('shop')
    } finally {
      await runResources.dispose()
    }
  })

  it('says clearly when the role cannot create databases', async () => {
    const port = services.connection('postgres').port
    const start = startUrlPostgres(`postgres://reviewer@127.0.0.1:${port}/postgres`, new ResourceStack(), silentLogger, process.env)
    await expect(start).rejects.toThrow(PostgresUnavailableError)
    await expect(start).rejects.toThrow(/The role reviewer at 127\.0\.0\.1:\d+ cannot create databases.*ALTER ROLE reviewer CREATEDB/)
  })

  it('says clearly when nothing answers at the URL, without printing the password', async () => {
    const start = startUrlPostgres('postgres://app:s3cret@127.0.0.1:1/app', new ResourceStack(), silentLogger, process.env)
    await expect(start).rejects.toThrow(/^Could not connect to the Postgres server at 127\.0\.0\.1:1 as app \(database app\)/)
    await expect(start).rejects.not.toThrow(/s3cret/)
  })
})

describe('database URL parsing', () => {
  it('reads user, password, host, port and database, decoding escapes', () => {
    expect(parseDatabaseUrl('postgresql://app%40corp:p%2Fss@db.internal:6543/my_db').params).toEqual({
      host: 'db.internal',
      port: 6543,
      user: 'app@corp',
      password: 'p/ss',
      database: 'my_db'
    })
  })

  it('defaults to port 5432, user postgres and database postgres', () => {
    expect(parseDatabaseUrl('postgres://localhost').params).toEqual({
      host: 'localhost',
      port: 5432,
      user: 'postgres',
      password: undefined,
      database: 'postgres'
    })
  })

  it('takes a Unix socket folder from ?host= and reports parameters it ignores', () => {
    const { params, ignored } = parseDatabaseUrl('postgres://me@/app?host=/var/run/postgresql&sslmode=disable')
    expect(params.host).toBe('/var/run/postgresql')
    expect(ignored).toEqual(['sslmode'])
  })

  it('rejects other schemes', () => {
    expect(() => parseDatabaseUrl('mysql://root@localhost/app')).toThrow(/must start with postgres:\/\/ or postgresql:\/\//)
  })

  it('hides the password in messages', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/app')).toBe('postgres://app:***@db:5432/app')
  })
})

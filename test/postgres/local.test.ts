// The local provider against the PostgreSQL server binaries on this machine.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/lifecycle/logger.js'
import { ResourceStack } from '../../src/lifecycle/resources.js'
import { lookupOsUser, startLocalPostgres, type LocalPostgresServer } from '../../src/postgres/local.js'
import { PostgresUnavailableError } from '../../src/postgres/types.js'
import { startTestPostgres, type TestPostgres } from '../support/postgres.js'

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Pids of postgres processes whose command line mentions `text`. */
function postgresProcessesMentioning(text: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ')
      if (cmdline.includes(text) && /postgres|initdb/.test(cmdline)) pids.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

/** A private TMPDIR for one test (readable by the postgres OS user when we run as root). */
function withPrivateTmpdir<T>(name: string, run: (dir: string) => Promise<T>): Promise<T> {
  const base = mkdtempSync(join('/tmp', `dmr-test-${name}-`))
  chmodSync(base, 0o755)
  const previous = process.env.TMPDIR
  process.env.TMPDIR = base
  return run(base).finally(() => {
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
    rmSync(base, { recursive: true, force: true })
  })
}

describe('local Postgres', () => {
  let pgt: TestPostgres
  let server: LocalPostgresServer

  beforeAll(async () => {
    pgt = await startTestPostgres('local')
    server = pgt.server as LocalPostgresServer
  })
  afterAll(() => pgt?.cleanup())

  it('starts a server and reports its version', async () => {
    expect(server.kind).toBe('local')
    expect(server.version).toMatch(/^\d+\.\d+/)
    expect(server.description).toContain(server.version)
    const client = await pgt.client('postgres')
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version')
    expect(rows[0]!.server_version).toBe(server.version)
  })

  it('runs with durability turned off', async () => {
    const client = await pgt.client('postgres')
    for (const setting of ['fsync', 'synchronous_commit', 'full_page_writes']) {
      const { rows } = await client.query(`SHOW ${setting}`)
      expect(rows[0][setting]).toBe('off')
    }
  })

  it('accepts connections on 127.0.0.1 as well as on its Unix socket', async () => {
    const { port } = server.connection('postgres')
    const { default: pg } = await import('pg')
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
    await client.connect()
    try {
      const { rows } = await client.query<{ one: number }>('SELECT 1 AS one')
      expect(rows[0]!.one).toBe(1)
    } finally {
      await client.end()
    }
    expect(server.connection('postgres').host).toBe(server.dir)
  })

  it('creates a database named with the run prefix that a client can use', async () => {
    const name = await server.createDatabase({ label: 'Shop App' })
    expect(name).toMatch(/^dmr_[a-z0-9]+_shop_app$/)
    const client = await pgt.client(name)
    await client.query('CREATE TABLE item (id int PRIMARY KEY, name text)')
    await client.query("INSERT INTO item VALUES (1, 'chair')")
    const { rows } = await client.query('SELECT name FROM item')
    expect(rows).toEqual([{ name: 'chair' }])
  })

  it('copies a database from a template with its rows intact, even while a client is connected to the template', async () => {
    const template = await server.createDatabase({ label: 'template' })
    const source = await pgt.client(template)
    await source.query('CREATE TABLE item (id serial PRIMARY KEY, name text NOT NULL)')
    await source.query("INSERT INTO item (name) SELECT 'item ' || i FROM generate_series(1, 500) AS i")

    const started = performance.now()
    const copy = await server.createDatabase({ template })
    const elapsed = performance.now() - started
    expect(copy).not.toBe(template)
    // Postgres alone would wait 5 s and then refuse, since `source` is connected to the template.
    expect(elapsed).toBeLessThan(4000)

    const target = await pgt.client(copy)
    const { rows } = await target.query('SELECT count(*)::int AS n, max(name) AS last FROM item')
    expect(rows[0]).toEqual({ n: 500, last: 'item 99' })
  })

  it('refuses to copy a database this run did not create', async () => {
    await expect(server.createDatabase({ template: 'postgres' })).rejects.toThrow(
      /only databases this run created can be templates/
    )
  })

  it('drops a database it created', async () => {
    const name = await server.createDatabase({ label: 'short lived' })
    await server.dropDatabase(name)
    const client = await pgt.client('postgres')
    const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    expect(rows).toHaveLength(0)
  })

  it('refuses to drop a database it did not create', async () => {
    await expect(server.dropDatabase('postgres')).rejects.toThrow(/refusing to drop "postgres": this run did not create it/)
  })

  it.skipIf(process.env.TMPDIR !== undefined || !existsSync('/dev/shm'))(
    'keeps the cluster in memory under /dev/shm when that is a tmpfs with room',
    () => {
      const free = statfsSync('/dev/shm')
      if (free.bavail * free.bsize < 2 * 1024 ** 3) expect(server.dir.startsWith('/dev/shm/')).toBe(false)
      else expect(server.dir).toMatch(/^\/dev\/shm\/dmr-[a-z0-9]{8}-pg-/)
    }
  )

  it.skipIf(process.getuid?.() !== 0)('runs the server as the postgres OS user when started as root', async () => {
    const user = await lookupOsUser('postgres')
    const status = readFileSync(`/proc/${server.pid}/status`, 'utf8')
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1])
    expect(uid).toBe(user!.uid)
    expect(statSync(server.dir).uid).toBe(user!.uid)
  })
})

describe('local Postgres shutdown', () => {
  it('close stops the server process and removes its temp dir', async () => {
    const resources = new ResourceStack(silentLogger)
    const server = await startLocalPostgres({ env: process.env }, resources, silentLogger)
    expect(processExists(server.pid)).toBe(true)
    expect(existsSync(join(server.dir, 'data', 'PG_VERSION'))).toBe(true)

    await server.close()
    expect(processExists(server.pid)).toBe(false)
    expect(existsSync(server.dir)).toBe(false)
    await server.close() // idempotent
    await resources.dispose()
  })

  it("disposing the run's resources stops the server and removes its temp dir", async () => {
    const resources = new ResourceStack(silentLogger)
    const server = await startLocalPostgres({ env: process.env }, resources, silentLogger)
    await resources.dispose()
    expect(processExists(server.pid)).toBe(false)
    expect(existsSync(server.dir)).toBe(false)
  })

  it('a start that fails after initdb leaves no temp dir and no process', async () => {
    await withPrivateTmpdir('fail', async (base) => {
      const resources = new ResourceStack(silentLogger)
      const start = startLocalPostgres({ env: process.env, settings: { shared_buffers: 'plenty' } }, resources, silentLogger)
      await expect(start).rejects.toThrow(/postgres exited with code \d+ before accepting connections[\s\S]*shared_buffers/)
      expect(readdirSync(base)).toEqual([])
      expect(postgresProcessesMentioning(base)).toEqual([])
      await resources.dispose()
    })
  })
})

describe('local Postgres binaries', () => {
  it('fails with a clear message when the binary folder has no initdb', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dmr-empty-bin-'))
    try {
      const start = startLocalPostgres({ env: process.env, binDir: empty }, new ResourceStack(), silentLogger)
      await expect(start).rejects.toThrow(PostgresUnavailableError)
      await expect(start).rejects.toThrow(`The Postgres binary folder ${empty} has no executable initdb`)
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it('uses a short temp dir when TMPDIR is too long for a Unix socket path', async () => {
    await withPrivateTmpdir('long', async (base) => {
      const long = join(base, 'x'.repeat(60), 'y'.repeat(30))
      mkdirSync(long, { recursive: true, mode: 0o755 })
      chmodSync(join(base, 'x'.repeat(60)), 0o755)
      process.env.TMPDIR = long
      const resources = new ResourceStack(silentLogger)
      try {
        const server = await startLocalPostgres({ env: process.env }, resources, silentLogger)
        expect(server.dir).toMatch(/^\/tmp\/dmr-[a-z0-9]{8}-pg-/)
        expect(`${server.dir}/.s.PGSQL.${server.connection('postgres').port}`.length).toBeLessThanOrEqual(107)
        expect(await server.createDatabase()).toMatch(/^dmr_/)
      } finally {
        await resources.dispose()
      }
    })
  })
})

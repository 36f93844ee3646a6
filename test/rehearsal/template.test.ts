// Rehearsing on the team's own data: a template database on a real Postgres
// (the bookshop example migrated to its base branch, with rows of its own),
// copied for every database of the run and never touched; clear refusals when
// the template is in use, behind the base branch, or the login cannot create
// databases; the URL's password nowhere.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger, type Logger } from '../../src/lifecycle/logger.js'
import { ResourceStack } from '../../src/lifecycle/resources.js'
import type { Report } from '../../src/model/report.js'
import { startLocalPostgres, type LocalPostgresServer } from '../../src/postgres/local.js'
import { renderComment } from '../../src/report/markdown.js'
import { runReview } from '../../src/review/run-review.js'
import { djangoVenv, REPO_ROOT } from '../support/python-envs.js'
import { reviewOptions } from '../support/rehearsal.js'
import { forkedRepo } from '../support/scenarios.js'
import type { FileTree } from '../support/git-repo.js'

const EXAMPLE = join(REPO_ROOT, 'examples/bookshop')
const PASSWORD = 'Pw-7f3a9c-secret'
/** 200 characters (the column's limit) that str.title() makes 201: 'ß' becomes 'Ss'. */
const GROWING_TITLE = `ß${'a'.repeat(199)}`

function tree(dir: string): FileTree {
  const files: FileTree = {}
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name)
      if (statSync(path).isDirectory()) walk(path)
      else files[relative(dir, path)] = readFileSync(path, 'utf8')
    }
  }
  walk(dir)
  return files
}

/** The bookshop's history: base, the PR on `feature`, main moving on (shop.0004_author_bio). */
const bookshop = () => forkedRepo({ base: tree(join(EXAMPLE, 'base')), pr: [tree(join(EXAMPLE, 'pr'))], main: [tree(join(EXAMPLE, 'main'))] })

let resources: ResourceStack
let server: LocalPostgresServer
let admin: pg.Client
const python = djangoVenv('5.2').python

const url = (user = 'postgres', password: string | null = PASSWORD): string =>
  `postgres://${user}${password ? `:${password}` : ''}@127.0.0.1:${server.connection('postgres').port}/postgres`

/** A template made as a team makes one: `migrate` with the base branch's code (then back to an older migration, for one behind), then rows. */
async function makeTemplate(name: string, backTo: string[] = []): Promise<void> {
  await admin.query(`CREATE DATABASE ${name}`)
  const repo = bookshop()
  try {
    const { port } = server.connection('postgres')
    const env = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres', POSTGRES_DB: name, DJANGO_SETTINGS_MODULE: 'project.settings' }
    execFileSync(python, ['manage.py', 'migrate', '--noinput', '-v', '0'], { cwd: repo.dir, env })
    if (backTo.length > 0) execFileSync(python, ['manage.py', 'migrate', ...backTo, '--noinput', '-v', '0'], { cwd: repo.dir, env })
  } finally {
    repo.cleanup()
  }
  const client = new pg.Client({ ...server.connection(name) })
  await client.connect()
  await client.query("INSERT INTO shop_author (name) VALUES ('Frank Herbert'), ('Ursula K. Le Guin')")
  await client.query(
    `INSERT INTO shop_book (title, subtitle, author_id, price, published)
     SELECT t.title, t.subtitle, (SELECT min(id) FROM shop_author), t.price, DATE '1965-08-01'
       FROM (VALUES ('dune', 'the desert planet', 1200), ('the left hand of darkness', NULL, 900), ($1, NULL, 1500)) AS t(title, subtitle, price)`,
    [GROWING_TITLE]
  )
  await client.end()
}

function dumpOf(name: string): string {
  const { port } = server.connection('postgres')
  // pg_dump 15.14 and later write a random \restrict key into each dump.
  return execFileSync('pg_dump', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name], { encoding: 'utf8' }).replace(/^\\(un)?restrict .*$/gm, '')
}

async function databases(): Promise<string[]> {
  return (await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1') ORDER BY 1")).rows.map((row) => row.datname)
}

function capture(): Logger & { text: () => string } {
  const lines: string[] = []
  const add = (message: string) => lines.push(message)
  return { info: add, warning: add, debug: add, text: () => lines.join('\n') }
}

async function review(options: Parameters<typeof reviewOptions>[1], logger: Logger = silentLogger): Promise<Report> {
  const repo = bookshop()
  try {
    return await runReview(reviewOptions(repo.dir, { postgres: 'url', databaseUrl: url(), python, syntheticSeed: false, ...options }), logger)
  } finally {
    repo.cleanup()
  }
}

beforeAll(async () => {
  resources = new ResourceStack(silentLogger)
  server = await startLocalPostgres({ env: process.env }, resources, silentLogger)
  admin = new pg.Client(server.connection('postgres'))
  await admin.connect()
  await makeTemplate('snapshot')
  await makeTemplate('snapshot_old', ['shop', '0003_book_published'])
  await admin.query('CREATE ROLE no_createdb LOGIN')
})
afterAll(async () => {
  await admin?.end().catch(() => {})
  await resources?.dispose()
})

describe('template-database', () => {
  it("finds the data migration failing on the team's real row, says so on that basis, and leaves the template byte for byte as it was", async () => {
    const before = dumpOf('snapshot')
    const log = capture()
    const report = await review({ templateDatabase: 'snapshot' }, log)
    expect(report.rehearsal.status, report.rehearsal.reason).toBe('ran')
    expect(report.rehearsal.template).toMatchObject({ database: 'snapshot', copyMs: expect.any(Number), bytes: expect.any(Number) })
    expect(report.rehearsal.template!.tables).toContainEqual({ table: 'shop_book', rows: 3 })
    expect(report.rehearsal.timings).toHaveProperty('copy-template')
    expect(report.rehearsal.seededRows).toBe(0)

    const tidy = report.migrations.find((migration) => migration.name === '0007_tidy_titles')!
    expect(tidy.appliesOnSeededData).toMatchObject({ value: false, basis: 'template-database', error: { sqlstate: '22001' } })
    // The rows it failed on are the team's: no made-up row to blame, so the failure is certain.
    expect(tidy.rehearsal.repairs[0]).toMatchObject({ syntheticOnly: false })
    expect(tidy.appliesOnSeededData.error!.message).toContain('value too long for type character varying(200)')
    expect(tidy.findings.some((finding) => finding.severity === 'unsafe' && finding.evidence === 'rehearsal')).toBe(true)
    // Every fact the rehearsal established rests on the team's data.
    for (const migration of report.migrations) {
      expect(migration.rehearsal.basis, migration.name).toBe('template-database')
      for (const fact of [migration.appliesOnSeededData, migration.backwardCompatible, migration.reversible, migration.dataLoss]) {
        if (fact.value !== null && fact.basis !== 'static') expect(fact.basis, migration.name).toBe('template-database')
      }
    }
    const subtitle = report.migrations.find((migration) => migration.name === '0005_remove_book_subtitle')!
    expect(subtitle.dataLoss.losses).toContainEqual(expect.objectContaining({ table: 'shop_book', column: 'subtitle', valuesChanged: 1 }))

    const comment = renderComment(report).body
    expect(comment).toContain('on a copy of the template database `snapshot` (rows: `shop_book` 3)')

    expect(dumpOf('snapshot')).toBe(before)
    expect(await databases()).toEqual(['snapshot', 'snapshot_old'])
    for (const text of [JSON.stringify(report), comment, log.text()]) expect(text).not.toContain(PASSWORD)
  })

  it('adds synthetic rows, when asked, only to the tables the snapshot leaves empty; the rows it has stay the team\'s', async () => {
    const report = await review({ templateDatabase: 'snapshot', syntheticSeed: true })
    expect(report.rehearsal.status, report.rehearsal.reason).toBe('ran')
    expect(report.rehearsal.seededRows).toBeGreaterThan(0)
    const books = report.rehearsal.template!.tables.find((table) => table.table === 'shop_book')!
    expect(books.rows).toBe(3)
    expect(report.rehearsal.template!.tables.find((table) => table.table === 'auth_group')!.rows).toBeGreaterThan(0)
    const tidy = report.migrations.find((migration) => migration.name === '0007_tidy_titles')!
    expect(tidy.appliesOnSeededData).toMatchObject({ value: false, basis: 'template-database' })
    expect(tidy.rehearsal.repairs[0]).toMatchObject({ syntheticOnly: false })
    expect(await databases()).toEqual(['snapshot', 'snapshot_old'])
  })

  it('refuses a template someone is connected to, and does not end their session', async () => {
    const holder = new pg.Client(server.connection('snapshot'))
    await holder.connect()
    try {
      const report = await review({ templateDatabase: 'snapshot' })
      expect(report.rehearsal.status).toBe('failed')
      expect(report.rehearsal.reason).toMatch(/^the template database 'snapshot' has 1 other connection\(s\): postgres.*PostgreSQL copies a template only while nobody is connected to it/)
      expect(report.verdict).toBe('error')
      expect((await holder.query('SELECT 1 AS one')).rows[0].one).toBe(1)
    } finally {
      await holder.end()
    }
    expect(await databases()).toEqual(['snapshot', 'snapshot_old'])
  })

  it("refuses a template behind the base branch, naming the migration, and migrates the copy forward when template-migrate says so", async () => {
    const before = dumpOf('snapshot_old')
    const refused = await review({ templateDatabase: 'snapshot_old' })
    expect(refused.rehearsal.status).toBe('failed')
    expect(refused.rehearsal.reason).toBe(
      "the template database 'snapshot_old' is behind the base branch: it lacks 1 of its migrations (shop.0004_author_bio); migrating the copy forward with the base branch's code would fix this: set template-migrate: true (--template-migrate true) to do that on the copy (the template is not touched), or restore a newer snapshot"
    )

    const migrated = await review({ templateDatabase: 'snapshot_old', templateMigrate: true })
    expect(migrated.rehearsal.status, migrated.rehearsal.reason).toBe('ran')
    expect(migrated.rehearsal.template!.migratedForward).toEqual(['shop.0004_author_bio'])
    expect(migrated.migrations.find((migration) => migration.name === '0007_tidy_titles')!.appliesOnSeededData.value).toBe(false)
    expect(dumpOf('snapshot_old')).toBe(before)
    expect(await databases()).toEqual(['snapshot', 'snapshot_old'])
  })

  it('refuses a template that records migrations the base branch does not have: migrating forward cannot fix that', async () => {
    await admin.query('CREATE DATABASE snapshot_ahead TEMPLATE snapshot')
    const client = new pg.Client(server.connection('snapshot_ahead'))
    await client.connect()
    await client.query("INSERT INTO django_migrations (app, name, applied) VALUES ('shop', '0005_from_production', now())")
    await client.end()
    try {
      const report = await review({ templateDatabase: 'snapshot_ahead', templateMigrate: true })
      expect(report.rehearsal.status).toBe('failed')
      expect(report.rehearsal.reason).toContain("records 1 migration(s) the base branch does not have (shop.0005_from_production)")
      expect(report.rehearsal.reason).toContain('Migrating the copy forward would not fix that')
    } finally {
      await admin.query('DROP DATABASE snapshot_ahead')
    }
  })

  it('copies as a login with only CREATEDB, once the template is marked as one and the login owns its tables; refuses, saying why, before that', async () => {
    await admin.query("CREATE ROLE reviewer LOGIN CREATEDB PASSWORD 'x'")
    await admin.query('CREATE DATABASE snapshot_team TEMPLATE snapshot')
    try {
      const asReviewer = { templateDatabase: 'snapshot_team', databaseUrl: url('reviewer') }
      const notTemplate = await review(asReviewer)
      expect(notTemplate.rehearsal.reason).toBe(
        "the role reviewer may not copy the template database 'snapshot_team': PostgreSQL lets only its owner (postgres) or a superuser copy a database that is not marked as a template; mark it once with ALTER DATABASE \"snapshot_team\" IS_TEMPLATE true (as postgres), which also keeps it from being dropped"
      )
      await admin.query('ALTER DATABASE snapshot_team IS_TEMPLATE true')
      const foreign = await review(asReviewer)
      expect(foreign.rehearsal.reason).toMatch(/^\d+ table\(s\) and sequence\(s\) of the template database 'snapshot_team' belong to postgres, and the role reviewer is neither/)

      const team = new pg.Client(server.connection('snapshot_team'))
      team.on('error', () => {})
      await team.connect()
      await team.query(`DO $$ DECLARE r record; BEGIN
        FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' LOOP
          EXECUTE format('ALTER TABLE public.%I OWNER TO reviewer', r.relname);
        END LOOP; END $$`)
      await team.end()
      const report = await review(asReviewer)
      expect(report.rehearsal.status, report.rehearsal.reason).toBe('ran')
      expect(report.migrations.find((migration) => migration.name === '0007_tidy_titles')!.appliesOnSeededData.value).toBe(false)
    } finally {
      await admin.query('ALTER DATABASE snapshot_team IS_TEMPLATE false')
      await admin.query('DROP DATABASE snapshot_team WITH (FORCE)')
      await admin.query('DROP OWNED BY reviewer')
      await admin.query('DROP ROLE reviewer')
    }
    expect(await databases()).toEqual(['snapshot', 'snapshot_old'])
  })

  it('refuses a login without CREATEDB, and a template that does not exist, with the URL\'s password nowhere', async () => {
    const log = capture()
    const noCreate = await review({ templateDatabase: 'snapshot', databaseUrl: url('no_createdb') }, log)
    expect(noCreate.rehearsal.status).toBe('failed')
    expect(noCreate.rehearsal.reason).toContain('The role no_createdb at 127.0.0.1:')
    expect(noCreate.rehearsal.reason).toContain('cannot create databases, which the review needs')
    expect(noCreate.rehearsal.reason).toContain('ALTER ROLE no_createdb CREATEDB')

    const missing = await review({ templateDatabase: 'no_such_snapshot' }, log)
    expect(missing.rehearsal.reason).toContain("the template database 'no_such_snapshot' does not exist on this server")

    // Whatever the project's code prints goes through the same net: a seed command echoing DATABASE_URL.
    const echoed = await review({ templateDatabase: 'snapshot', seedCommand: 'sh -c \'echo "url is $DATABASE_URL" >&2; exit 3\'' }, log)
    expect(echoed.rehearsal.reason).toContain('url is postgres://postgres:***@')
    for (const report of [noCreate, missing, echoed]) {
      expect(JSON.stringify(report)).not.toContain(PASSWORD)
      expect(renderComment(report).body).not.toContain(PASSWORD)
    }
    expect(log.text()).not.toContain(PASSWORD)
    expect(await databases()).toEqual(['snapshot', 'snapshot_old'])
  })
})

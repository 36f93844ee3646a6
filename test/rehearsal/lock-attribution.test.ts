// Which statement of a migration took which lock, and for how long it was
// held: on real Postgres and real Django, in the report and in the helper's
// own answer (startMs, endMs, heldUntilMs, the run's commitMs).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DjangoProcess } from '../../src/django/bridge.js'
import { silentLogger } from '../../src/lifecycle/logger.js'
import type { HelperRun, HelperStatement } from '../../src/model/helper.js'
import { appFiles, createModel, migrationSource, projectFiles } from '../support/django-project.js'
import { startTestPostgres, type TestPostgres } from '../support/postgres.js'
import { newestDjango } from '../support/python-envs.js'
import { BOOK_INITIAL, BOOK_MODEL, rehearseScenario } from '../support/rehearsal.js'

const ADD_ISBN = 'migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))'
const ACCESS_EXCLUSIVE_BOOK = { relation: 'shop_book', mode: 'AccessExclusiveLock' }

describe('in the report', () => {
  it('credits each statement of an atomic migration with the locks it took, not those an earlier statement holds', async () => {
    const { report } = await rehearseScenario({
      prModel: `${BOOK_MODEL}    isbn = models.CharField(max_length=13, null=True)\n\n\nclass Author(models.Model):\n    name = models.CharField(max_length=50)\n`,
      pr: [{ name: '0002_isbn_author', operations: [ADD_ISBN, createModel('Author', { name: 'models.CharField(max_length=50)' })] }]
    })
    expect(report.rehearsal.status, report.rehearsal.reason).toBe('ran')
    const migration = report.migrations[0]!
    expect(migration.atomic).toBe(true)
    const add = migration.statements.find((statement) => statement.sql.includes('ADD COLUMN "isbn"'))!
    const create = migration.statements.find((statement) => statement.sql.startsWith('CREATE TABLE "shop_author"'))!
    expect(add.locks).toContainEqual(ACCESS_EXCLUSIVE_BOOK)
    expect(create.operationIndex).toBe(1)
    expect(create.locks).not.toContainEqual(ACCESS_EXCLUSIVE_BOOK)
    expect(create.locks.map((lock) => lock.relation)).not.toContain('shop_book')
    expect(create.locks).toContainEqual({ relation: 'shop_author', mode: 'AccessExclusiveLock' })
    // The migration as a whole still holds it.
    expect(migration.locks).toContainEqual(ACCESS_EXCLUSIVE_BOOK)
  })
})

describe("in the helper's answer", () => {
  let postgres: TestPostgres
  const dirs: string[] = []
  beforeAll(async () => {
    postgres = await startTestPostgres()
  })
  afterAll(async () => {
    await postgres.cleanup()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  /** Applies shop.0001 then shop.0002 (the given operations) on a fresh database; the answer for 0002. */
  async function apply0002(spec: { operations: string[]; preamble?: string; atomic?: boolean }): Promise<HelperRun> {
    const dir = mkdtempSync(join(tmpdir(), 'dmr-locks-'))
    dirs.push(dir)
    const files = {
      ...projectFiles(['shop']),
      ...appFiles('shop', { '0001_initial': BOOK_INITIAL, '0002_pr': migrationSource({ dependencies: [['shop', '0001_initial']], ...spec }) }, BOOK_MODEL)
    }
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), content)
    }
    const database = await postgres.server.createDatabase({ label: 'locks' })
    await using django = await DjangoProcess.start({
      python: newestDjango().python,
      env: process.env,
      projectDir: dir,
      settingsModule: 'project.settings',
      database: postgres.server.connection(database),
      lockTimeoutMs: 1000,
      statementTimeoutMs: 10_000,
      label: 'test',
      logger: silentLogger
    })
    await django.call('apply', { app: 'shop', name: '0001_initial' })
    const run = await django.call('apply', { app: 'shop', name: '0002_pr' })
    expect(run.error).toBeNull()
    return run
  }

  const SLOW_FILL = {
    preamble: 'import time\n\ndef slow(apps, schema_editor):\n    time.sleep(0.3)',
    operations: [ADD_ISBN, 'migrations.RunPython(slow, migrations.RunPython.noop)']
  }
  const addColumn = (run: HelperRun): HelperStatement => run.statements.find((statement) => statement.sql.includes('ADD COLUMN "isbn"'))!

  it('shows an ALTER in an atomic migration holding its lock across a slow RunPython, until COMMIT', async () => {
    const run = await apply0002(SLOW_FILL)
    const add = addColumn(run)
    expect(add.locks).toContainEqual(ACCESS_EXCLUSIVE_BOOK)
    expect(add.inTransaction).toBe(true)
    expect(run.commitMs).not.toBeNull()
    // The ALTER is quick; the RunPython after it sleeps 300 ms inside the same transaction.
    expect(add.startMs).toBeLessThanOrEqual(add.endMs)
    expect(run.commitMs! - add.endMs).toBeGreaterThanOrEqual(290)
    expect(add.heldUntilMs).toBe(run.commitMs)
    expect(run.commitMs!).toBeLessThanOrEqual(run.endMs)
    expect(run.endMs).toBeLessThan(run.ms + 50)
  })

  it('shows the same ALTER in a non-atomic migration releasing its lock when it ends', async () => {
    const run = await apply0002({ ...SLOW_FILL, atomic: false })
    const add = addColumn(run)
    expect(add.locks).toContainEqual(ACCESS_EXCLUSIVE_BOOK)
    expect(add.inTransaction).toBe(false)
    expect(add.heldUntilMs).toBe(add.endMs)
    expect(run.commitMs).toBeNull()
    expect(run.endMs - add.endMs).toBeGreaterThanOrEqual(290)
  })
})

// The rehearsal on real Postgres, real Django and real git: each behaviour on
// its own small project, asserted on what the report tells the user.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import type { MigrationReport, Report } from '../../src/model/report.js'
import { djangoVenvs } from '../support/python-envs.js'
import { BOOK_MODEL, rehearseScenario } from '../support/rehearsal.js'

const only = (report: Report): MigrationReport => {
  expect(report.rehearsal.status, report.rehearsal.reason).toBe('ran')
  expect(report.migrations).toHaveLength(1)
  return report.migrations[0]!
}
const rules = (migration: MigrationReport) => migration.findings.filter((f) => f.ignored === undefined).map((f) => f.rule)

describe('the rehearsal', () => {
  it('finds a nullable field safe: applies, backward compatible, reversible, no data loss', async () => {
    const { report } = await rehearseScenario({
      prModel: `${BOOK_MODEL}    isbn = models.CharField(max_length=13, null=True)\n`,
      pr: [{ name: '0002_book_isbn', operations: ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))'] }]
    })
    const migration = only(report)
    expect(migration.appliesOnSeededData.value).toBe(true)
    expect(migration.backwardCompatible.value).toBe(true)
    expect(migration.reversible.value).toBe(true)
    expect(migration.dataLoss.value).toBe(false)
    expect(migration.reappliesAfterReverse.value).toBe(true)
    expect(migration.verdict).toBe('safe')
    expect(migration.deployOrder).toBe('migrate-first')
    expect(report.missingMigrations.value).toBe(false)
  })

  it('finds a NOT NULL field with a Python default breaks the old code: its INSERT fails', async () => {
    const { report } = await rehearseScenario({
      prModel: `${BOOK_MODEL}    stock = models.IntegerField(default=0)\n`,
      pr: [{ name: '0002_book_stock', operations: ['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'] }]
    })
    const migration = only(report)
    expect(migration.appliesOnSeededData.value).toBe(true)
    expect(migration.backwardCompatible.value).toBe(false)
    expect(migration.backwardCompatible.failures).toEqual([
      expect.objectContaining({ model: 'shop.Book', probe: 'insert', sqlstate: '23502', message: expect.stringContaining('null value in column "stock"') })
    ])
    const finding = migration.findings.find((f) => f.rule === 'add-field-not-null')!
    expect(finding).toMatchObject({ severity: 'unsafe', evidence: 'rehearsal', line: 11 })
    expect(finding.proof!.join('\n')).toContain('null value in column "stock"')
    expect(report.verdict).toBe('unsafe')
  })

  it("keeps a database error to its first line in the notes: PostgreSQL's DETAIL repeats the whole seeded row", async () => {
    const { report } = await rehearseScenario({
      // The migration adds a NOT NULL column the PR's models do not declare: the new code cannot write a row.
      pr: [{ name: '0002_book_stock', operations: ['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'] }]
    })
    const notes = only(report).rehearsal.notes ?? []
    const note = notes.find((line) => line.startsWith('the new code could not write a shop.Book before the reverse'))
    expect(note, notes.join('\n')).toContain('null value in column "stock"')
    expect(note).not.toContain('DETAIL')
    expect(note).not.toContain('\n')
    expect(only(report).forwardCompatible.reason ?? '').not.toContain('DETAIL')
  })

  it('finds a removed field breaks the old code, works with the new code first, and counts the values the reverse cannot bring back', async () => {
    let nonNullNotes = -1
    const { report } = await rehearseScenario(
      {
        prModel: BOOK_MODEL.replace('    note = models.CharField(max_length=50, null=True)\n', ''),
        pr: [{ name: '0002_remove_book_note', operations: ['migrations.RemoveField(model_name="book", name="note")'] }]
      },
      {},
      {
        onPhase: async (phase, context) => {
          if (phase !== 'snapshot') return
          const client = new pg.Client(context.server.connection((await databases(context.server)).find((name) => name.endsWith('_base'))!))
          await client.connect()
          nonNullNotes = Number((await client.query('SELECT count(note) AS n FROM shop_book')).rows[0].n)
          await client.end()
        }
      }
    )
    const migration = only(report)
    expect(migration.backwardCompatible.value).toBe(false)
    expect(migration.backwardCompatible.failures![0]).toMatchObject({ probe: 'select', message: expect.stringContaining('does not exist') })
    expect(migration.forwardCompatible.value).toBe(true)
    expect(migration.deployOrder).toBe('deploy-first')
    expect(nonNullNotes).toBeGreaterThan(0)
    expect(migration.dataLoss.value).toBe(true)
    expect(migration.dataLoss.losses).toContainEqual({ table: 'shop_book', column: 'note', rowsLost: 0, valuesChanged: nonNullNotes, when: 'round-trip', operationIndex: 0 })
    expect(migration.dataLoss.losses).toContainEqual({ table: 'shop_book', column: 'note', rowsLost: 0, valuesChanged: nonNullNotes, when: 'forward', operationIndex: 0 })
  })

  it('finds NOT NULL on a column with NULLs does not apply, naming the column', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace(', null=True', ''),
      pr: [{ name: '0002_note_required', operations: ['migrations.AlterField(model_name="book", name="note", field=models.CharField(max_length=50))'] }]
    })
    const migration = only(report)
    expect(migration.appliesOnSeededData.value).toBe(false)
    expect(migration.appliesOnSeededData.error).toMatchObject({ sqlstate: '23502', message: expect.stringContaining('column "note" of relation "shop_book" contains null values') })
    expect(rules(migration)).toContain('alter-field-not-null')
    expect(migration.findings.find((f) => f.rule === 'alter-field-not-null')!.evidence).toBe('rehearsal')
  })

  it('finds a unique constraint fails on the seeded duplicates, gives the query to run on production, and answers the rest without them', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('title = models.CharField(max_length=100)', 'title = models.CharField(max_length=100, unique=True)'),
      pr: [{ name: '0002_title_unique', operations: ['migrations.AlterField(model_name="book", name="title", field=models.CharField(max_length=100, unique=True))'] }]
    })
    const migration = only(report)
    expect(migration.appliesOnSeededData).toMatchObject({ value: false, basis: 'adversarial-seed', error: { sqlstate: '23505' } })
    // Only rows the seeder made up repeat a title: a warning with the query that tells whether production has such rows.
    const finding = migration.findings.find((f) => f.rule === 'add-unique')!
    expect(finding).toMatchObject({ severity: 'warning', evidence: 'rehearsal', outcome: 'seen' })
    expect(finding.productionCheck!.sql).toBe('SELECT "title", count(*) AS copies FROM "shop_book" GROUP BY "title" HAVING count(*) > 1 ORDER BY copies DESC LIMIT 20;')
    expect(finding.productionCheck!.seededRows).toBeGreaterThan(1)
    expect(migration.rehearsal).toMatchObject({ status: 'rehearsed', basis: 'conforming-seed', repairs: [expect.objectContaining({ kind: 'unique', syntheticOnly: true })] })
    expect(migration.reversible).toMatchObject({ value: true, basis: 'conforming-seed' })
    expect(migration.backwardCompatible.value).not.toBeNull()
    expect(migration.verdict).toBe('warning')
  })

  it('finds a max_length shrunk below existing values does not apply', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('max_length=100', 'max_length=10'),
      pr: [{ name: '0002_short_title', operations: ['migrations.AlterField(model_name="book", name="title", field=models.CharField(max_length=10))'] }]
    })
    const migration = only(report)
    expect(migration.appliesOnSeededData.value).toBe(false)
    expect(migration.appliesOnSeededData.error).toMatchObject({ sqlstate: '22001', message: expect.stringContaining('character varying(10)') })
    expect(migration.findings.find((f) => f.rule === 'alter-field-type')).toMatchObject({ severity: 'unsafe', evidence: 'rehearsal' })
  })

  it('sees IntegerField to BigIntegerField rewrite the table under an ACCESS EXCLUSIVE lock', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('pages = models.IntegerField(default=0)', 'pages = models.BigIntegerField(default=0)'),
      pr: [{ name: '0002_pages_bigint', operations: ['migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField(default=0))'] }]
    })
    const migration = only(report)
    expect(migration.rewrites).toContain('shop_book')
    expect(migration.locks).toContainEqual({ relation: 'shop_book', mode: 'AccessExclusiveLock' })
    const alter = migration.statements.find((statement) => statement.sql.includes('TYPE bigint'))!
    expect(alter).toMatchObject({ operationIndex: 0, line: 11 })
    expect(alter.rewrite).toContain('shop_book')
    const finding = migration.findings.find((f) => f.rule === 'alter-field-type')!
    expect(finding).toMatchObject({ evidence: 'rehearsal', severity: 'warning' })
    expect(finding.proof!.join(' ')).toContain('AccessExclusiveLock on shop_book')
  })

  it('finds RunPython without reverse_code irreversible', async () => {
    const { report } = await rehearseScenario({
      pr: [{ name: '0002_fill', preamble: 'def fill(apps, schema_editor):\n    apps.get_model("shop", "Book").objects.filter(note=None).update(note="n/a")', operations: ['migrations.RunPython(fill)'] }]
    })
    const migration = only(report)
    expect(migration.reversible.value).toBe(false)
    expect(migration.reversible.error).toMatchObject({ exception: 'IrreversibleError', operationIndex: 0, line: 14 })
    expect(migration.findings.find((f) => f.rule === 'run-python-irreversible')).toMatchObject({ evidence: 'rehearsal' })
  })

  it('counts the values a RunPython.noop reverse does not restore', async () => {
    const { report } = await rehearseScenario({
      pr: [
        {
          name: '0002_upper_titles',
          preamble: 'def upper(apps, schema_editor):\n    apps.get_model("shop", "Book").objects.update(title="X")',
          operations: ['migrations.RunPython(upper, migrations.RunPython.noop)']
        }
      ]
    })
    const migration = only(report)
    expect(migration.reversible.value).toBe(true)
    expect(migration.dataLoss.value).toBe(true)
    expect(migration.dataLoss.losses).toEqual([expect.objectContaining({ table: 'shop_book', column: 'title', when: 'round-trip' })])
    expect(migration.dataLoss.losses![0]!.valuesChanged).toBeGreaterThan(0)
  })

  it('finds a reverse that fails on data: re-adding a NOT NULL column to a table with rows', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('    title = models.CharField(max_length=100)\n', ''),
      pr: [{ name: '0002_remove_title', operations: ['migrations.RemoveField(model_name="book", name="title")'] }]
    })
    const migration = only(report)
    expect(migration.reversible.value).toBe(false)
    expect(migration.reversible.error).toMatchObject({ sqlstate: '23502' })
    expect(rules(migration)).toContain('reverse-failed')
  })

  it('finds a forward that only works once', async () => {
    const { report } = await rehearseScenario({
      pr: [{ name: '0002_audit', operations: ['migrations.RunSQL("CREATE TABLE shop_audit (id serial PRIMARY KEY)", migrations.RunSQL.noop)'] }]
    })
    const migration = only(report)
    expect(migration.reversible.value).toBe(true)
    expect(migration.reappliesAfterReverse.value).toBe(false)
    expect(migration.reappliesAfterReverse.error!.sqlstate).toBe('42P07')
    expect(rules(migration)).toContain('reapply-failed')
  })

  it('stops a migration blocked by a lock from another connection at lock_timeout, and reports it', async () => {
    let holder: pg.Client | null = null
    const { report } = await rehearseScenario(
      {
        prModel: `${BOOK_MODEL}    isbn = models.CharField(max_length=13, null=True)\n`,
        pr: [{ name: '0002_book_isbn', operations: ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))'] }]
      },
      { lockTimeoutMs: 300 },
      {
        onPhase: async (phase, context) => {
          if (phase === 'forward') {
            holder = new pg.Client(context.server.connection(context.database!))
            await holder.connect()
            await holder.query('BEGIN')
            await holder.query('LOCK TABLE shop_book IN ACCESS SHARE MODE')
          } else if (holder !== null) {
            await holder.query('ROLLBACK')
            await holder.end()
            holder = null
          }
        }
      }
    )
    const migration = only(report)
    expect(migration.appliesOnSeededData.value).toBe(false)
    expect(migration.appliesOnSeededData.error).toMatchObject({ sqlstate: '55P03', message: expect.stringContaining('lock timeout') })
    const finding = migration.findings.find((f) => f.rule === 'lock-timeout')!
    expect(finding).toMatchObject({ severity: 'unsafe', evidence: 'rehearsal', line: 11 })
    expect(finding.message).toContain('lock_timeout (300 ms)')
  })

  it('finds a model change no migration covers unsafe: the deployed code would query a column that does not exist', async () => {
    const { report } = await rehearseScenario({
      prModel: `${BOOK_MODEL}    isbn = models.CharField(max_length=13, null=True)\n    rating = models.IntegerField(null=True)\n`,
      pr: [{ name: '0002_book_isbn', operations: ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))'] }]
    })
    expect(report.missingMigrations.value).toBe(true)
    expect(report.missingMigrations.changes).toEqual([
      { app: 'shop', operations: [expect.stringContaining('rating')], databaseOperations: [expect.stringContaining('rating')] }
    ])
    expect(report.missingMigrations.command).toBe('python manage.py makemigrations shop')
    expect(report.verdict).toBe('unsafe')
    expect(report.summary).toContain('model changes without a migration')
  })
})

describe.each(djangoVenvs())('the rehearsal with Django $django', ({ python }) => {
  it('traces a NOT NULL field breaking the old code', async () => {
    const { report } = await rehearseScenario(
      {
        prModel: `${BOOK_MODEL}    stock = models.IntegerField(default=0)\n`,
        pr: [{ name: '0002_book_stock', operations: ['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'] }]
      },
      { python }
    )
    const migration = only(report)
    expect(migration.backwardCompatible.value).toBe(false)
    expect(migration.statements.some((statement) => statement.sql.includes('ADD COLUMN "stock"'))).toBe(true)
    expect(migration.reversible.value).toBe(true)
  })
})

async function databases(server: { connection(database: string): pg.ClientConfig }): Promise<string[]> {
  const client = new pg.Client(server.connection('postgres'))
  await client.connect()
  const names = (await client.query('SELECT datname FROM pg_database')).rows.map((row) => row.datname as string)
  await client.end()
  return names
}

describe('a non-atomic migration', () => {
  it('shows the lock AddIndexConcurrently holds while it runs, seen from a second connection', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('title = models.CharField(max_length=100)', 'title = models.CharField(max_length=100, db_index=True)'),
      pr: [
        {
          name: '0002_title_index',
          atomic: false,
          preamble: 'from django.contrib.postgres.operations import AddIndexConcurrently',
          operations: ['AddIndexConcurrently(model_name="book", index=models.Index(fields=["title"], name="book_title_idx"))']
        }
      ]
    })
    const migration = only(report)
    expect(migration.atomic).toBe(false)
    const create = migration.statements.find((statement) => statement.sql.includes('CREATE INDEX CONCURRENTLY'))!
    expect(create.locks).toContainEqual({ relation: 'shop_book', mode: 'ShareUpdateExclusiveLock' })
    expect(rules(migration)).not.toContain('add-index')
  })

  it('reads the locks of a plain statement it runs outside a transaction', async () => {
    const { report } = await rehearseScenario({
      prModel: `${BOOK_MODEL}    isbn = models.CharField(max_length=13, null=True)\n`,
      pr: [{ name: '0002_book_isbn', atomic: false, operations: ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))'] }]
    })
    const add = only(report).statements.find((statement) => statement.sql.includes('ADD COLUMN "isbn"'))!
    expect(add.locks).toContainEqual({ relation: 'shop_book', mode: 'AccessExclusiveLock' })
  })
})

describe('the user seed', () => {
  it('runs a SQL file on the base schema, and the migration meets that data', async () => {
    const { report } = await rehearseScenario(
      {
        prModel: BOOK_MODEL.replace(', null=True', ''),
        pr: [{ name: '0002_note_required', operations: ['migrations.AlterField(model_name="book", name="note", field=models.CharField(max_length=50))'] }],
        prFiles: { 'seed/books.sql': "INSERT INTO shop_book (title, note, pages) VALUES ('Dune', NULL, 412);\n" }
      },
      { syntheticSeed: false, seedSql: 'seed/books.sql' }
    )
    const migration = only(report)
    expect(report.rehearsal.seededRows).toBe(0)
    expect(migration.appliesOnSeededData.error).toMatchObject({ sqlstate: '23502', message: expect.stringContaining('column "note"') })
  })

  it('runs a command in the base checkout against the base database', async () => {
    const { report } = await rehearseScenario(
      {
        prModel: BOOK_MODEL.replace(', null=True', ''),
        pr: [{ name: '0002_note_required', operations: ['migrations.AlterField(model_name="book", name="note", field=models.CharField(max_length=50))'] }]
      },
      {
        syntheticSeed: false,
        seedCommand: 'python -c "import django; django.setup(); from shop.models import Book; Book.objects.create(title=\'Dune\', note=None)"'
      }
    )
    expect(only(report).appliesOnSeededData.value).toBe(false)
  })

  it('says which command failed, with its output', async () => {
    const { report } = await rehearseScenario(
      { pr: [{ name: '0002_nothing', operations: [] }] },
      { seedCommand: 'python -c "raise SystemExit(\'no fixtures here\')"' }
    )
    expect(report.rehearsal.status).toBe('failed')
    expect(report.rehearsal.reason).toContain('the seed command exited 1')
    expect(report.rehearsal.reason).toContain('no fixtures here')
  })
})

it('says so when the seed SQL file is nowhere', async () => {
  const { report } = await rehearseScenario({ pr: [{ name: '0002_nothing', operations: [] }] }, { seedSql: 'seed/missing.sql' })
  expect(report.rehearsal).toMatchObject({
    status: 'failed',
    reason: "the seed-sql file 'seed/missing.sql' is neither in the base branch nor in the pull request (the path is relative to the repository root)"
  })
  expect(report.verdict).toBe('error')
})

it('rehearses a Django project that sits in a folder of the repository (project-root)', async () => {
  const { report } = await rehearseScenario({
    root: 'services/backend',
    prModel: `${BOOK_MODEL}    stock = models.IntegerField(default=0)\n`,
    pr: [{ name: '0002_book_stock', operations: ['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'] }]
  })
  const migration = only(report)
  expect(migration.path).toBe('services/backend/shop/migrations/0002_book_stock.py')
  expect(report.projectRoot).toBe('services/backend')
  expect(migration.backwardCompatible.value).toBe(false)
})

// The running code's queries, played beside each migration: a SELECT of the
// old code waits behind an ALTER whose lock lasts through a slow RunPython to
// the COMMIT, and a statement of the migration that waits for its own second
// connection is named with the holder. Real Django, real Postgres.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { renderJobSummary } from '../../src/report/markdown.js'
import { renderText } from '../../src/report/text.js'
import { migrationSource } from '../support/django-project.js'
import { rehearseScenario } from '../support/rehearsal.js'

const WITH_ISBN = 'class Book(models.Model):\n    title = models.CharField(max_length=100)\n    note = models.CharField(max_length=50, null=True)\n    pages = models.IntegerField(default=0)\n    isbn = models.CharField(max_length=13, null=True)\n'
const SLOW = 'import time\n\ndef backfill(apps, schema_editor):\n    time.sleep(2.5)'
const ISBN_THEN_SLOW = ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))', 'migrations.RunPython(backfill, migrations.RunPython.noop)']

function slowAfterAlter(atomic: boolean, options: { contention?: boolean } = {}) {
  return rehearseScenario({ prModel: WITH_ISBN, pr: [{ name: '0002_isbn_backfill', preamble: SLOW, operations: ISBN_THEN_SLOW, atomic }] }, options)
}

describe('the running code beside an atomic migration whose RunPython follows an ALTER', () => {
  it('waits behind the ALTER until the COMMIT: a running-code-waits finding with the waiting SELECT', async () => {
    const { report } = await slowAfterAlter(true)
    const migration = report.migrations[0]!
    const finding = migration.findings.find((entry) => entry.rule === 'running-code-waits')!
    expect(finding.severity).toBe('unsafe')
    expect(finding.message).toBe("the running code's reads of shop_book waited over 1000 ms behind its ACCESS EXCLUSIVE lock")
    expect(finding.proof).toContainEqual('`SELECT * FROM "shop_book" LIMIT 1` waited more than 1000 ms and gave up (lock_timeout) behind ACCESS EXCLUSIVE on shop_book')
    expect(finding.proof).toContainEqual(expect.stringMatching(/^the lock was taken by `ALTER TABLE "shop_book" ADD COLUMN "isbn".*` and held to the COMMIT, on the seeded rows$/))
    expect(finding.line).toBe(migration.operations[0]!.line)
    expect(migration.verdict).toBe('unsafe')
  })

  it('records every wait in the report, and the longest in the job summary and the terminal', async () => {
    const { report } = await slowAfterAlter(true)
    const migration = report.migrations[0]!
    expect(migration.contention!.maxWaitMs).toBeGreaterThanOrEqual(1000)
    expect(migration.contention!.blocked[0]).toMatchObject({ table: 'shop_book', timedOut: true, lock: 'AccessExclusiveLock' })
    expect(renderJobSummary(report)).toMatch(/Longest wait of the running code: `SELECT \* FROM "shop_book" LIMIT 1` waited \d+(\.\d)? s and gave up behind ACCESS EXCLUSIVE on `shop_book` \(\d+ queries played beside the migration, on the seeded rows\)/)
    expect(renderText(report, { color: false }).replace(/\s+/g, ' ')).toMatch(/the running code's reads of shop_book waited \d\.\d s \(gave up\)/)
  })
})

describe('the running code beside the same migration, non-atomic', () => {
  it('does not wait: the ALTER commits before the RunPython', async () => {
    const { report } = await slowAfterAlter(false)
    const migration = report.migrations[0]!
    expect(migration.findings.map((entry) => entry.rule)).not.toContain('running-code-waits')
    expect(migration.contention!.maxWaitMs).toBeLessThan(1000)
  })
})

describe('with contention: false', () => {
  it('plays no query and reports none', async () => {
    const { report } = await slowAfterAlter(true, { contention: false })
    const migration = report.migrations[0]!
    expect(migration.contention).toBeUndefined()
    expect(migration.findings.map((entry) => entry.rule)).not.toContain('running-code-waits')
  })
})

const SECOND_CONNECTION = `from django.db import connection


def touch_from_another_connection(apps, schema_editor):
    from django.db.backends.postgresql.base import DatabaseWrapper
    other = DatabaseWrapper(dict(connection.settings_dict), alias="second")
    try:
        with other.cursor() as cursor:
            cursor.execute("UPDATE shop_book SET note = note")
    finally:
        other.close()`

describe('a data migration that opens a second connection', () => {
  it("waits for its own migration's lock until lock_timeout, and the lock wait names the holder", async () => {
    const { report } = await rehearseScenario({
      prModel: WITH_ISBN,
      pr: [
        {
          name: '0002_isbn_second_connection',
          preamble: SECOND_CONNECTION,
          operations: ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))', 'migrations.RunPython(touch_from_another_connection, migrations.RunPython.noop)']
        }
      ]
    }, { lockTimeoutMs: 3000 })
    const migration = report.migrations[0]!
    expect(migration.appliesOnSeededData.value).toBe(false)
    const wait = migration.findings.find((entry) => entry.rule === 'lock-wait')!
    expect(wait.severity).toBe('unsafe')
    expect(wait.message).toMatch(/^a statement of the migration waited [\d.]+ m?s or more for a lock on shop_book held by another session of the same run: the migration's own transaction, which took it with `ALTER TABLE "shop_book" ADD COLUMN "isbn".*` \(pid \d+, idle in transaction\)$/)
    expect(wait.proof![0]).toMatch(/^`UPDATE shop_book SET note = note` waited for /)
    expect(migration.lockWaits![0]!.holders[0]!.state).toBe('idle in transaction')
  })
})

const AUDIT = migrationSource({
  dependencies: [['shop', '0001_initial']],
  operations: [
    `migrations.RunSQL("""
        CREATE TABLE shop_audit (at timestamptz NOT NULL DEFAULT now());
        CREATE FUNCTION shop_audit_book() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO shop_audit DEFAULT VALUES; RETURN NULL; END $$;
        CREATE TRIGGER shop_book_audit AFTER UPDATE ON shop_book FOR EACH STATEMENT EXECUTE FUNCTION shop_audit_book();
    """, migrations.RunSQL.noop)`
  ]
})

describe('the played write', () => {
  it('leaves no trace, even through a statement-level trigger', async () => {
    const auditRows = async (contention: boolean): Promise<number> => {
      let rows = -1
      await rehearseScenario(
        { baseMigrations: { '0002_audit': AUDIT }, prModel: WITH_ISBN, pr: [{ name: '0003_isbn_backfill', preamble: SLOW.replace('2.5', '0.5'), operations: ISBN_THEN_SLOW }] },
        { contention },
        {
          onPhase: async (phase, context) => {
            if (phase !== 'done' || !context.database) return
            const client = new pg.Client(context.server.connection(context.database))
            await client.connect()
            rows = Number((await client.query('SELECT count(*) AS n FROM shop_audit')).rows[0].n)
            await client.end()
          }
        }
      )
      return rows
    }
    const [played, quiet] = [await auditRows(true), await auditRows(false)]
    expect(quiet).toBeGreaterThanOrEqual(0)
    expect(played).toBe(quiet)
  })
})

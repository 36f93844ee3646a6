// The rehearsal with a project whose settings use a third-party PostgreSQL
// ENGINE: django-pg-zero-downtime-migrations (from PyPI, its own virtualenv),
// whose schema editor builds SQL out of objects that are not strings
// (MultiStatementSQL, PGLock) and rewrites statements: CREATE INDEX
// CONCURRENTLY, foreign keys added NOT VALID then validated, all outside a
// transaction.
import { describe, expect, it } from 'vitest'
import type { MigrationReport, Report } from '../../src/model/report.js'
import { djangoVenv } from '../support/python-envs.js'
import { BOOK_MODEL, rehearseScenario } from '../support/rehearsal.js'

const ZDM_SETTINGS = 'DATABASES["default"]["ENGINE"] = "django_zero_downtime_migrations.backends.postgres"'

const REVIEW_MODEL = `
class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    stars = models.IntegerField(null=True)
`

function migrationNamed(report: Report, name: string): MigrationReport {
  const migration = report.migrations.find((m) => m.name === name)
  expect(migration, report.migrations.map((m) => m.name).join(', ')).toBeDefined()
  return migration!
}

/** What a user would read as the migration crashing. */
function expectNoCrash(migration: MigrationReport): void {
  expect(migration.appliesOnSeededData, JSON.stringify(migration.appliesOnSeededData)).toEqual({ value: true, basis: 'adversarial-seed' })
  expect(migration.statements.filter((statement) => statement.error)).toEqual([])
  expect(migration.reversible.value, JSON.stringify(migration.reversible)).toBe(true)
  expect(migration.reappliesAfterReverse.value, JSON.stringify(migration.reappliesAfterReverse)).toBe(true)
  const rules = migration.findings.map((finding) => finding.rule)
  for (const failure of ['apply-failed', 'reverse-failed', 'reapply-failed', 'lock-timeout', 'statement-timeout']) expect(rules).not.toContain(failure)
}

describe('a project on django-pg-zero-downtime-migrations', () => {
  it('rehearses an AddField, an AddIndex and a model with a foreign key: they apply, the statements are the ones the backend ran', async () => {
    const { report } = await rehearseScenario(
      {
        settings: ZDM_SETTINGS,
        prModel: `${BOOK_MODEL}    isbn = models.CharField(max_length=13, null=True)\n\n    class Meta:\n        indexes = [models.Index(fields=["title"], name="book_title_idx")]\n${REVIEW_MODEL}`,
        pr: [
          {
            name: '0002_isbn_title_index',
            operations: [
              'migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))',
              'migrations.AddIndex(model_name="book", index=models.Index(fields=["title"], name="book_title_idx"))'
            ]
          },
          {
            name: '0003_review',
            operations: [
              `migrations.CreateModel(name="Review", fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("stars", models.IntegerField(null=True)),
                ("book", models.ForeignKey(on_delete=models.deletion.CASCADE, to="shop.book")),
            ])`
            ]
          }
        ]
      },
      { python: djangoVenv('5.2-zdm').python }
    )
    expect(report.rehearsal.status, report.rehearsal.reason).toBe('ran')
    expect(report.verdict).not.toBe('error')

    const first = migrationNamed(report, '0002_isbn_title_index')
    expectNoCrash(first)
    const sql = first.statements.map((statement) => statement.sql)
    expect(first.statements.find((statement) => statement.sql.includes('ADD COLUMN "isbn"'))!.operationIndex).toBe(0)
    // What the cursor ran: the backend's concurrent build, not Django's plain CREATE INDEX.
    const index = first.statements.find((statement) => statement.sql.startsWith('CREATE INDEX CONCURRENTLY "book_title_idx" ON "shop_book"'))
    expect(index, sql.join('\n')).toBeDefined()
    expect(index!.operationIndex).toBe(1)
    expect(index!.locks).toContainEqual({ relation: 'shop_book', mode: 'ShareUpdateExclusiveLock' })
    expect(sql.filter((text) => /^CREATE INDEX "book_title_idx"/.test(text))).toEqual([])
    // The backend's own reads of its timeouts are not the migration's statements.
    expect(sql.filter((text) => text.includes('pg_settings'))).toEqual([])

    // Deferred SQL made of the backend's objects: the foreign key NOT VALID, then
    // validated, and the index on it built concurrently, all owned by the CreateModel.
    const second = migrationNamed(report, '0003_review')
    expectNoCrash(second)
    const deferred = second.statements.map((statement) => [statement.sql, statement.operationIndex] as const)
    expect(deferred).toContainEqual([expect.stringMatching(/^ALTER TABLE "shop_review" ADD CONSTRAINT "\w+" FOREIGN KEY \("book_id"\) REFERENCES "shop_book" \("id"\) DEFERRABLE INITIALLY DEFERRED NOT VALID$/), 0])
    expect(deferred).toContainEqual([expect.stringMatching(/^ALTER TABLE "shop_review" VALIDATE CONSTRAINT "\w+"$/), 0])
    expect(deferred).toContainEqual([expect.stringMatching(/^CREATE INDEX CONCURRENTLY "\w+" ON "shop_review" \("book_id"\)$/), 0])
  })
})

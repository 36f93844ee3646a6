// The helper keeps Django's migration graph and the project states it folds
// between requests (python/dmr_helper/project_states.py) instead of building
// them for every migration as Django's `migrate` does. What a team reads must
// not depend on it: the same PR, rehearsed with the states kept and with
// every request building afresh (DMR_STATE_CACHE=0), gives the same report.
import { describe, expect, it } from 'vitest'
import type { Report } from '../../src/model/report.js'
import { createModel, migrationSource } from '../support/django-project.js'
import { rehearseScenario, type Scenario } from '../support/rehearsal.js'

const LIBRARY_INITIAL = migrationSource({
  initial: true,
  dependencies: [['shop', '0001_initial']],
  operations: [createModel('Loan', { book: 'models.ForeignKey("shop.Book", on_delete=models.CASCADE)', borrower: 'models.CharField(max_length=40)' })]
})
const LIBRARY_MODEL = `
class Loan(models.Model):
    book = models.ForeignKey("shop.Book", on_delete=models.CASCADE)
    borrower = models.CharField(max_length=40)
`

// A chain across two apps whose later steps need the earlier ones' state: a
// rename, then a data migration that writes the renamed field through the
// historical model, then another app's migration between them in Django's plan.
const SCENARIO: Scenario = {
  apps: [{ name: 'library', migrations: { '0001_initial': LIBRARY_INITIAL }, models: LIBRARY_MODEL }],
  prModel: `
class Book(models.Model):
    title = models.CharField(max_length=100)
    remark = models.CharField(max_length=50, null=True)
    pages = models.BigIntegerField(default=0)
    isbn = models.CharField(max_length=13, null=True)
`,
  pr: [
    { name: '0002_book_isbn', operations: ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))'] },
    { name: '0003_rename_note', operations: ['migrations.RenameField(model_name="book", old_name="note", new_name="remark")'] },
    {
      name: '0004_fill_remark',
      preamble: `
def fill(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    for book in Book.objects.all():
        book.remark = ("r-" + book.title)[:50]
        book.save(update_fields=["remark"])
`,
      operations: ['migrations.RunPython(fill, migrations.RunPython.noop)']
    },
    { name: '0005_pages_bigint', operations: ['migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField(default=0))'] }
  ],
  prFiles: {
    'library/models.py': `from django.db import models\n${LIBRARY_MODEL}    due = models.DateField(null=True)\n`,
    'library/migrations/0002_loan_due.py': migrationSource({
      dependencies: [
        ['library', '0001_initial'],
        ['shop', '0003_rename_note']
      ],
      operations: ['migrations.AddField(model_name="loan", name="due", field=models.DateField(null=True))']
    })
  }
}

/** What a team reads of each migration: verdict, rehearsal, findings, and the SQL each way. */
function whatTheTeamReads(report: Report) {
  return {
    verdict: report.verdict,
    rehearsal: report.rehearsal.status,
    migrations: report.migrations.map((migration) => ({
      key: `${migration.app}.${migration.name}`,
      verdict: migration.verdict,
      status: migration.rehearsal.status,
      findings: migration.findings.map((finding) => `${finding.severity} ${finding.rule}`).sort(),
      reversible: migration.reversible,
      dataLoss: migration.dataLoss,
      statements: migration.statements?.map((statement) => statement.sql),
      reverseStatements: migration.reverseStatements?.map((statement) => statement.sql)
    }))
  }
}

describe('keeping Django’s graph and project states between migrations', () => {
  it('gives the report that building them afresh for every migration gives', async () => {
    const kept = await rehearseScenario(SCENARIO)
    const fresh = await rehearseScenario(SCENARIO, { env: { ...process.env, DMR_STATE_CACHE: '0' } })
    const read = whatTheTeamReads(kept.report)
    expect(read.rehearsal, kept.report.rehearsal.reason).toBe('ran')
    expect(read.migrations.map((migration) => [migration.key, migration.status])).toEqual([
      ['shop.0002_book_isbn', 'rehearsed'],
      ['shop.0003_rename_note', 'rehearsed'],
      ['library.0002_loan_due', 'rehearsed'],
      ['shop.0004_fill_remark', 'rehearsed'],
      ['shop.0005_pages_bigint', 'rehearsed']
    ])
    // The data migration ran on the renamed field of the historical model, forward and back.
    expect(read.migrations.find((migration) => migration.key === 'shop.0004_fill_remark')!.statements?.join('\n')).toContain('"remark"')
    expect(read).toEqual(whatTheTeamReads(fresh.report))
  })
})

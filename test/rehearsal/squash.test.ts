// Squashed migrations as Django runs them: a squash whose replaced migrations
// are applied is recorded as applied, not run; a squash whose replaced files
// are only partly present loads as it does for Django.
import { describe, expect, it } from 'vitest'
import { createModel, migrationSource } from '../support/django-project.js'
import { BOOK_MODEL, rehearseScenario } from '../support/rehearsal.js'

const ADD_ISBN = migrationSource({
  dependencies: [['shop', '0001_initial']],
  operations: ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))']
})
const WITH_ISBN = `${BOOK_MODEL}    isbn = models.CharField(max_length=13, null=True)\n`
const SQUASH = migrationSource({
  initial: true,
  replaces: [
    ['shop', '0001_initial'],
    ['shop', '0002_book_isbn']
  ],
  operations: [
    createModel('Book', {
      title: 'models.CharField(max_length=100)',
      note: 'models.CharField(max_length=50, null=True)',
      pages: 'models.IntegerField(default=0)',
      isbn: 'models.CharField(max_length=13, null=True)'
    })
  ]
})

describe('a squash', () => {
  it('whose replaced migrations are applied is recorded as applied, not run: no "already applied" failure', async () => {
    const { report } = await rehearseScenario({
      baseMigrations: { '0002_book_isbn': ADD_ISBN },
      baseModel: WITH_ISBN,
      pr: [],
      prFiles: { 'shop/migrations/0001_squashed_0002_book_isbn.py': SQUASH }
    })
    expect(report.rehearsal.status, report.rehearsal.reason).toBe('ran')
    const squash = report.migrations.find((migration) => migration.name === '0001_squashed_0002_book_isbn')!
    expect(squash.rehearsal).toMatchObject({ status: 'recorded-applied', reason: expect.stringContaining('the migrations it replaces (shop.0001_initial, shop.0002_book_isbn) are applied') })
    expect(squash.findings).toContainEqual(expect.objectContaining({ rule: 'recorded-as-applied', severity: 'info' }))
    expect(squash.verdict).toBe('safe')
    expect(report.verdict).toBe('safe')
  })

  it('whose replaced files are only half present loads as Django loads it, and is recorded as applied', async () => {
    const { report } = await rehearseScenario({
      baseMigrations: { '0002_book_isbn': ADD_ISBN },
      baseModel: WITH_ISBN,
      pr: [],
      prFiles: { 'shop/migrations/0001_squashed_0002_book_isbn.py': SQUASH, 'shop/migrations/0001_initial.py': null }
    })
    expect(report.rehearsal.status, report.rehearsal.reason).toBe('ran')
    expect(report.migrations.find((migration) => migration.name === '0001_squashed_0002_book_isbn')!.rehearsal.status).toBe('recorded-applied')
    expect(report.verdict).not.toBe('error')
  })
})

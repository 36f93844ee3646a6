// How long each lock is held, as production feels it: in an atomic migration
// every lock lasts until the COMMIT, so a quick ALTER before a slow RunPython
// blocks the table for the whole RunPython. Real Django, real Postgres.
import { describe, expect, it } from 'vitest'
import { renderJobSummary, renderMarkdown } from '../../src/report/markdown.js'
import { renderText } from '../../src/report/text.js'
import type { MigrationReport } from '../../src/model/report.js'
import { rehearseScenario } from '../support/rehearsal.js'

const SLOW = 'import time\n\ndef wait(apps, schema_editor):\n    time.sleep(0.4)'
const operations = ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))', 'migrations.RunPython(wait, migrations.RunPython.noop)']

async function slowAfterAlter(atomic: boolean): Promise<{ migration: MigrationReport; report: Awaited<ReturnType<typeof rehearseScenario>>['report'] }> {
  const { report } = await rehearseScenario({
    prModel: 'class Book(models.Model):\n    title = models.CharField(max_length=100)\n    note = models.CharField(max_length=50, null=True)\n    pages = models.IntegerField(default=0)\n    isbn = models.CharField(max_length=13, null=True)\n',
    pr: [{ name: '0002_isbn_then_wait', preamble: SLOW, operations, atomic }]
  })
  return { migration: report.migrations[0]!, report }
}

describe('the locks of an atomic migration', () => {
  it('are held from the statement that took them to the COMMIT, through the RunPython after it', async () => {
    const { migration } = await slowAfterAlter(true)
    const [alter, wait] = migration.operations
    const hold = migration.lockHolds![0]!
    expect(hold).toMatchObject({ relation: 'shop_book', mode: 'AccessExclusiveLock', until: 'commit', line: alter!.line, releasedAfterLine: wait!.line })
    expect(hold.heldMs).toBeGreaterThanOrEqual(400)
    // The ALTER itself took a few milliseconds: the hold is the RunPython's time, not the statement's.
    expect(migration.statements.find((statement) => statement.sql.includes('ADD COLUMN'))!.ms).toBeLessThan(hold.heldMs)
  })

  it('lead the comment and the job summary with the longest blocking hold', async () => {
    const { migration, report } = await slowAfterAlter(true)
    const [alter, wait] = migration.operations
    expect(renderMarkdown(report)).toMatch(/\| ACCESS EXCLUSIVE `shop_book` \d+ ms \|/)
    expect(renderJobSummary(report)).toMatch(
      new RegExp(`Longest blocking lock: ACCESS EXCLUSIVE on \`shop_book\` for \\d+ ms: from the ALTER TABLE at line ${alter!.line} to the COMMIT, after the operation at line ${wait!.line} \\(on the seeded rows\\)`)
    )
    expect(renderText(report, { color: false }).replace(/\s+/g, ' ')).toMatch(new RegExp(`ACCESS EXCLUSIVE on shop_book held \\d+ ms from line ${alter!.line} to the COMMIT`))
  })
})

describe('a migration that mixes schema and data changes', () => {
  it('shows the lock its schema change kept through the data code as the proof', async () => {
    const { migration } = await slowAfterAlter(true)
    const mixed = migration.findings.find((finding) => finding.rule === 'mixed-schema-and-data')!
    expect(mixed.outcome).toBe('seen')
    expect(mixed.proof).toContainEqual(expect.stringMatching(/^ACCESS EXCLUSIVE on shop_book held \d+ ms, from the ALTER TABLE at line \d+ through the operation at line \d+ to the COMMIT$/))
  })
})

describe('the locks of a non-atomic migration', () => {
  it('are held only while their statement runs', async () => {
    const { migration } = await slowAfterAlter(false)
    const hold = migration.lockHolds!.find((entry) => entry.relation === 'shop_book' && entry.mode === 'AccessExclusiveLock')!
    expect(hold.until).toBe('statement')
    expect(hold.heldMs).toBeLessThan(400)
    expect(hold.releasedAfterLine).toBeUndefined()
  })
})

// Production's sizes (table-stats): the rehearsal measures this runner's speed
// and scales each rewrite, scan and index build to the real table, so a
// rewrite of a 40-million-row table is unsafe and the same rewrite of a small
// one stays a warning. Real Django, real Postgres.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Report, TableSize } from '../../src/model/report.js'
import { renderJobSummary, renderMarkdown } from '../../src/report/markdown.js'
import { renderText } from '../../src/report/text.js'
import { rehearseScenario } from '../support/rehearsal.js'

const folder = mkdtempSync(join(tmpdir(), 'dmr-test-stats-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

function statsFile(name: string, tables: Record<string, TableSize>): string {
  const file = join(folder, `${name}.json`)
  writeFileSync(file, JSON.stringify(tables))
  return file
}

const BIG = statsFile('big', { shop_book: { rows: 40_000_000, bytes: 12 * 1024 ** 3, indexBytes: 2 * 1024 ** 3 } })
const SMALL = statsFile('small', { shop_book: { rows: 40, bytes: 8192, indexBytes: 16384 } })

const TO_BIGINT = {
  prModel: 'class Book(models.Model):\n    title = models.CharField(max_length=100)\n    note = models.CharField(max_length=50, null=True)\n    pages = models.BigIntegerField(default=0)\n',
  pr: [{ name: '0002_pages_bigint', operations: ['migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField(default=0))'] }]
}

const INDEX_TITLE = {
  prModel:
    'class Book(models.Model):\n    title = models.CharField(max_length=100)\n    note = models.CharField(max_length=50, null=True)\n    pages = models.IntegerField(default=0)\n\n    class Meta:\n        indexes = [models.Index(fields=["title"], name="book_title_idx")]\n',
  pr: [{ name: '0002_title_index', operations: ['migrations.AddIndex(model_name="book", index=models.Index(fields=["title"], name="book_title_idx"))'] }]
}

const cache = new Map<string, Promise<Report>>()
function review(name: string, scenario: typeof TO_BIGINT, tableStats?: string): Promise<Report> {
  if (!cache.has(name)) cache.set(name, rehearseScenario(scenario, tableStats ? { tableStats } : {}).then((run) => run.report))
  return cache.get(name)!
}

describe('a bigint conversion with table-stats', () => {
  it('is unsafe on a 40-million-row table, with the estimate in the message', async () => {
    const report = await review('big', TO_BIGINT, BIG)
    const migration = report.migrations[0]!
    expect(migration.verdict).toBe('unsafe')
    const finding = migration.findings.find((entry) => entry.rule === 'alter-field-type')!
    expect(finding.severity).toBe('unsafe')
    expect(finding.message).toMatch(/on production's 40,000,000 rows of shop_book \(14\.0 GB\), about .+ under ACCESS EXCLUSIVE/)
    expect(finding.proof).toContainEqual(expect.stringMatching(/^production's size: .*a rewrite at .+\/s, measured on this runner/))
  })

  it("reports the estimate, its basis and the hold on production's sizes", async () => {
    const migration = (await review('big', TO_BIGINT, BIG)).migrations[0]!
    const estimate = migration.estimates!.find((entry) => entry.kind === 'rewrite')!
    expect(estimate).toMatchObject({ table: 'shop_book', rows: 40_000_000, bytes: 14 * 1024 ** 3, lock: 'AccessExclusiveLock' })
    expect(estimate.estimatedMs).toBeGreaterThan(1000)
    const hold = migration.lockHolds!.find((entry) => entry.relation === 'shop_book' && entry.mode === 'AccessExclusiveLock')!
    expect(hold.estimatedMs).toBeGreaterThanOrEqual(estimate.estimatedMs)
  })

  it('shows the production hold in the comment, the job summary and the terminal', async () => {
    const report = await review('big', TO_BIGINT, BIG)
    expect(renderMarkdown(report)).toMatch(/\| ACCESS EXCLUSIVE `shop_book` ~[^|]+ in production, rewrite \|/)
    expect(renderMarkdown(report)).toContain("times scaled to production's sizes (1 tables in table-stats)")
    const summary = renderJobSummary(report)
    expect(summary).toMatch(/Longest blocking lock: ACCESS EXCLUSIVE on `shop_book` for .+ \(on the seeded rows; about .+ on production's sizes\)/)
    expect(summary).toMatch(/On production's size: the rewrite of `shop_book` \(40,000,000 rows\) about .+ under ACCESS EXCLUSIVE/)
    expect(renderText(report, { color: false }).replace(/\s+/g, ' ')).toMatch(/ACCESS EXCLUSIVE on shop_book held .+ to the COMMIT, about .+ on production's sizes/)
    expect(report.rehearsal.sizes!.throughput.map((entry) => entry.kind).sort()).toEqual(['index-build', 'rewrite', 'scan'])
  })

  it('stays a warning on a 40-row table', async () => {
    const migration = (await review('small', TO_BIGINT, SMALL)).migrations[0]!
    expect(migration.findings.find((entry) => entry.rule === 'alter-field-type')!.severity).toBe('warning')
    expect(migration.verdict).toBe('warning')
    expect(migration.estimates![0]!.estimatedMs).toBeLessThan(1000)
  })
})

describe('without table-stats', () => {
  it('says every time is for the seeded rows and estimates nothing', async () => {
    const report = await review('none', TO_BIGINT)
    const migration = report.migrations[0]!
    expect(migration.findings.find((entry) => entry.rule === 'alter-field-type')!.severity).toBe('warning')
    expect(migration.estimates).toBeUndefined()
    expect(report.rehearsal.sizes).toBeUndefined()
    const summary = renderJobSummary(report)
    expect(summary).not.toContain("production's size")
    expect(summary).toMatch(/Longest blocking lock: ACCESS EXCLUSIVE on `shop_book` for .+ \(on the seeded rows\)/)
  })
})

describe('an index built without CONCURRENTLY, with table-stats', () => {
  it('is unsafe on a large table: the build blocks writes for the estimate', async () => {
    const migration = (await review('index', INDEX_TITLE, BIG)).migrations[0]!
    const finding = migration.findings.find((entry) => entry.rule === 'add-index')!
    expect(finding.severity).toBe('unsafe')
    expect(finding.message).toMatch(/reads every row on production's 40,000,000 rows of shop_book \(12\.0 GB\), about .+ under SHARE/)
    expect(migration.estimates).toContainEqual(expect.objectContaining({ kind: 'index-build', table: 'shop_book', lock: 'ShareLock' }))
  })
})

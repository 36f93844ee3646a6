// From the stages' values to the judged report: the verdict and deploy order
// of each migration and of the pull request. The static review is real (a git
// history made by the scenarios); where a rehearsal matters it is a real one
// (the Python helper on a real Postgres).
import { afterEach, describe, expect, it } from 'vitest'
import { EMPTY_CONFIG } from '../../src/config/repo-config.js'
import { GitRepository } from '../../src/git/repository.js'
import { DEFAULT_SWAPPABLE } from '../../src/graph/graph.js'
import type { MigrationReport, RehearsalInfo, Report } from '../../src/model/report.js'
import type { StaticReview } from '../../src/model/static-review.js'
import { summarize } from '../../src/report/summary.js'
import { reviewStatically } from '../../src/review/static-review.js'
import { evaluateRules } from '../../src/rules/evaluate.js'
import { assembleReport } from '../../src/verdict/assemble.js'
import { migrationSource } from '../support/django-project.js'
import type { FileTree, TestRepo } from '../support/git-repo.js'
import { BOOK_MODEL, rehearseScenario } from '../support/rehearsal.js'
import { addField, forkedRepo, shopMigration, shopProject } from '../support/scenarios.js'

// ---- a real static review ---------------------------------------------------

const repos: TestRepo[] = []
afterEach(() => repos.splice(0).forEach((repo) => repo.cleanup()))

/** The static review of a PR (commits on `feature`) against main, which may have moved on. */
async function staticReview(pr: FileTree[], main: FileTree[] = []): Promise<StaticReview> {
  const repo = forkedRepo({ base: shopProject(), pr, main })
  repos.push(repo)
  return reviewStatically(await GitRepository.open(repo.dir, process.env), { base: 'main', head: 'feature', projectRoot: '', exclude: [], swappable: DEFAULT_SWAPPABLE })
}

/** The judged report of a static review, with the rules run on it; a rehearsal's state when given. */
function report(review: StaticReview, options: { rehearsal?: RehearsalInfo } = {}): Report {
  const ruleFindings = evaluateRules({ merged: review.trees.merge.graph, added: review.added, sources: review.sources, config: EMPTY_CONFIG })
  const result = assembleReport({ review, projectRoot: '', ruleFindings, ...(options.rehearsal ? { rehearsal: options.rehearsal } : {}), lockTimeoutMs: 1000, timings: {} })
  result.summary = summarize(result)
  return result
}

const migration = (result: Report, name: string): MigrationReport => result.migrations.find((entry) => entry.name === name)!
const activeRules = (entry: MigrationReport) => entry.findings.filter((finding) => finding.ignored === undefined).map((finding) => finding.rule)

// ---- the PR's migrations, as a team writes them ------------------------------------

const removeNote = (name = '0005_remove_book_note', after = '0004_book_pages') =>
  shopMigration(name, after, ['migrations.RemoveField(model_name="book", name="note")'])
const addSummary = (name = '0005_book_summary', after = '0004_book_pages') => shopMigration(name, after, [addField('book', 'summary')])

const bigintModel = BOOK_MODEL.replace('pages = models.IntegerField(default=0)', 'pages = models.BigIntegerField(default=0)')
const removeBookNote = { name: '0002_remove_book_note', operations: ['migrations.RemoveField(model_name="book", name="note")'] }
const withoutNote = BOOK_MODEL.replace('    note = models.CharField(max_length=50, null=True)\n', '')

describe('a migration with rehearsal evidence', () => {
  it('shows the rule and its proof as one finding, with the statements, locks and rewrites it ran', async () => {
    const { report: result } = await rehearseScenario({
      prModel: bigintModel,
      pr: [{ name: '0002_pages_bigint', operations: ['migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField(default=0))'] }]
    })
    const entry = result.migrations[0]!
    const line = entry.operations[0]!.line
    expect(entry.findings).toEqual([
      expect.objectContaining({ rule: 'alter-field-type', severity: 'warning', line, evidence: 'rehearsal', outcome: 'seen', proof: expect.arrayContaining([expect.stringContaining('rewrote shop_book')]) }),
      // Rolling back to integer fails once the new code has written a number only bigint holds.
      expect.objectContaining({ rule: 'reverse-failed', severity: 'warning', line, outcome: 'seen', message: expect.stringContaining('integer out of range') })
    ])
    expect(entry.verdict).toBe('warning')
    expect(entry.evidence).toContain('rehearsal')
    expect(entry.rewrites).toContain('shop_book')
    expect(entry.locks).toContainEqual({ relation: 'shop_book', mode: 'AccessExclusiveLock' })
    expect(entry.statements).toContainEqual(expect.objectContaining({ sql: expect.stringContaining('TYPE bigint'), operationIndex: 0, line }))
    expect(result.summary).toBe('warning: 1 new migration; 1 warning (static review and rehearsal, 1 of 1 rehearsed)')
    expect(entry.reversible).toMatchObject({ value: false, error: { sqlstate: '22003' } })
  })

  it('lowers a rule the rehearsal refuted and counts only the lowered grade', async () => {
    const { report: result } = await rehearseScenario(
      {
        prModel: BOOK_MODEL.replace('pages = models.IntegerField(default=0)', 'pages = models.PositiveIntegerField(default=0)'),
        pr: [{ name: '0002_pages_positive', operations: ['migrations.AlterField(model_name="book", name="pages", field=models.PositiveIntegerField(default=0))'] }]
      },
      { syntheticSeed: false }
    )
    const entry = result.migrations[0]!
    expect(entry.findings).toEqual([expect.objectContaining({ rule: 'alter-field-type', severity: 'info', outcome: 'not-seen' })])
    expect(entry.verdict).toBe('safe')
  })

  it('answers what is certain from the file even when the rehearsal could not run it: RunPython without reverse_code is irreversible', async () => {
    const review = await staticReview([shopMigration('0005_fill', '0004_book_pages', ['migrations.RunPython(fill)'])])
    const entry = migration(report(review, { rehearsal: { status: 'failed', reason: 'Postgres did not start' } }), '0005_fill')
    expect(entry.reversible).toEqual({ value: false, basis: 'static', reason: expect.stringContaining('IrreversibleError') })
    expect(entry.appliesOnSeededData).toEqual({ value: null, reason: 'not established: Postgres did not start' })
  })

  it('answers from the file that the running code keeps working when the database fills the new column (a volatile db_default)', async () => {
    const review = await staticReview([
      {
        'shop/migrations/0005_book_token.py': migrationSource({
          preamble: 'from django.contrib.postgres.functions import RandomUUID',
          dependencies: [['shop', '0004_book_pages']],
          operations: ['migrations.AddField(model_name="book", name="token", field=models.UUIDField(db_default=RandomUUID()))']
        })
      }
    ])
    const entry = migration(report(review, { rehearsal: { status: 'failed', reason: 'Postgres did not start' } }), '0005_book_token')
    expect(entry.findings.map((finding) => finding.rule)).toContain('add-field-volatile-default')
    expect(entry.backwardCompatible).toMatchObject({ value: true, basis: 'static' })
  })
})

describe('the deploy order of a migration', () => {
  it('is deploy-first when the old code breaks after it and the new code works before it', async () => {
    const { report: result } = await rehearseScenario({ prModel: withoutNote, pr: [removeBookNote] })
    const entry = result.migrations[0]!
    expect(entry.backwardCompatible).toMatchObject({ value: false, basis: 'adversarial-seed' })
    expect(entry.forwardCompatible).toMatchObject({ value: true })
    expect(entry.deployOrder).toBe('deploy-first')
    expect(entry.findings.find((finding) => finding.rule === 'remove-field')).toMatchObject({ evidence: 'rehearsal', severity: 'unsafe' })
  })

  it('is migrate-first when the new code breaks on the old schema and the old code keeps working', async () => {
    const { report: result } = await rehearseScenario({
      prModel: `${BOOK_MODEL}    isbn = models.CharField(max_length=13, null=True)\n`,
      pr: [{ name: '0002_book_isbn', operations: ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))'] }]
    })
    const entry = result.migrations[0]!
    expect(entry.forwardCompatible.value).toBe(false)
    expect(entry.deployOrder).toBe('migrate-first')
    expect(entry.verdict).toBe('safe')
  })

  it('is multi-step when both break: a column renamed', async () => {
    const { report: result } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('note = models.CharField', 'remark = models.CharField'),
      pr: [{ name: '0002_rename_note', operations: ['migrations.RenameField(model_name="book", old_name="note", new_name="remark")'] }]
    })
    const entry = result.migrations[0]!
    expect(entry.deployOrder).toBe('multi-step')
    expect(entry.findings.find((finding) => finding.rule === 'rename-field')).toMatchObject({ evidence: 'rehearsal', outcome: 'seen' })
  })

  it('is multi-step for a NOT NULL column dropped: the old code selects it, the new code cannot insert without it', async () => {
    const { report: result } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('    title = models.CharField(max_length=100)\n', ''),
      pr: [{ name: '0002_remove_title', operations: ['migrations.RemoveField(model_name="book", name="title")'] }]
    })
    const entry = result.migrations[0]!
    expect(entry.deployOrder).toBe('multi-step')
    expect(entry.findings.find((finding) => finding.rule === 'remove-field')).toMatchObject({ deployOrder: 'multi-step', evidence: 'rehearsal' })
  })

  it('is the strictest order of its rules without a rehearsal', async () => {
    const review = await staticReview([
      shopMigration('0005_swap', '0004_book_pages', [addField('book', 'summary'), 'migrations.RemoveField(model_name="book", name="note")'])
    ])
    const result = report(review)
    expect(result.rehearsal.status).toBe('skipped')
    expect(migration(result, '0005_swap').deployOrder).toBe('deploy-first')
  })

  it('is null for a migration nothing orders (a reversible data fix)', async () => {
    const review = await staticReview([
      shopMigration('0005_fill', '0004_book_pages', ['migrations.RunSQL("UPDATE shop_book SET note = \'\' WHERE note IS NULL", migrations.RunSQL.noop)'])
    ])
    expect(migration(report(review), '0005_fill').deployOrder).toBeNull()
  })
})

describe('the deploy order of the pull request', () => {
  it('is multi-step when one migration needs deploy-first and another migrate-first', async () => {
    const { report: result } = await rehearseScenario({
      prModel: `${withoutNote}    isbn = models.CharField(max_length=13, null=True)\n`,
      pr: [removeBookNote, { name: '0003_book_isbn', operations: ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))'] }]
    })
    expect(result.migrations.map((entry) => entry.deployOrder)).toEqual(['deploy-first', 'migrate-first'])
    expect(result.deployOrder).toBe('multi-step')
  })

  it('is deploy-first when every ordered migration is', async () => {
    const { report: result } = await rehearseScenario({
      prModel: withoutNote,
      pr: [removeBookNote, { name: '0003_noop', operations: ['migrations.RunSQL("SELECT 1", migrations.RunSQL.noop)'] }]
    })
    expect(result.migrations.map((entry) => entry.deployOrder)).toEqual(['deploy-first', null])
    expect(result.deployOrder).toBe('deploy-first')
  })

  it('does not blame a later migration for what an earlier one broke, nor call it compatible: it follows its own rules', async () => {
    const { report: result } = await rehearseScenario({
      prModel: withoutNote.replace('    pages = models.IntegerField(default=0)\n', ''),
      pr: [removeBookNote, { name: '0003_remove_book_pages', operations: ['migrations.RemoveField(model_name="book", name="pages")'] }]
    })
    const [first, second] = result.migrations
    expect(first!.backwardCompatible.value).toBe(false)
    // The probes cannot tell (the old code already fails on shop.Book), so the answer rests on the file: a column it selects is dropped.
    expect(second!.backwardCompatible).toMatchObject({ value: false, basis: 'static' })
    // A NOT NULL column dropped: the rule says no single order works.
    expect(second!.deployOrder).toBe('multi-step')
    expect(result.deployOrder).toBe('multi-step')
  })

  it('is migrate-first when every ordered migration is', async () => {
    const review = await staticReview([addSummary(), shopMigration('0006_fill', '0005_book_summary', ['migrations.RunSQL("SELECT 1", migrations.RunSQL.noop)'])])
    const result = report(review)
    expect(result.migrations.map((entry) => entry.deployOrder)).toEqual(['migrate-first', null])
    expect(result.deployOrder).toBe('migrate-first')
  })
})

describe('the verdict of the pull request', () => {
  it('is the worst verdict of its migrations', async () => {
    const review = await staticReview([addSummary(), removeNote('0006_remove_book_note', '0005_book_summary')])
    const result = report(review)
    expect(result.migrations.map((entry) => entry.verdict)).toEqual(['safe', 'unsafe'])
    expect(result.verdict).toBe('unsafe')
    expect(result.summary).toBe('unsafe: 2 new migrations; 1 unsafe (static review only)')
  })

  it('is unsafe when the merge leaves conflicting leaves, even with safe migrations', async () => {
    const mainPrice = shopMigration('0005_book_price', '0004_book_pages', [addField('book', 'price', 'models.IntegerField(null=True)')])
    const review = await staticReview([addSummary()], [mainPrice])
    const result = report(review)
    expect(result.conflicts).toHaveLength(1)
    expect(result.verdict).toBe('unsafe')
    expect(activeRules(migration(result, '0005_book_summary'))).toEqual(['conflicting-leaves', 'add-field-nullable'])
    expect(result.summary).toContain("conflicting leaves in 'shop' after merge")
  })

  it('is a warning when the PR edits a migration that is already on the base branch', async () => {
    const edited = {
      'shop/migrations/0004_book_pages.py': migrationSource({
        dependencies: [['shop', '0003_book_isbn']],
        operations: [addField('book', 'pages', 'models.IntegerField(null=True, help_text="pages")')]
      })
    }
    const review = await staticReview([edited, addSummary()])
    const result = report(review)
    expect(result.editedMigrations).toEqual([expect.objectContaining({ name: '0004_book_pages', change: 'modified' })])
    expect(migration(result, '0005_book_summary').verdict).toBe('safe')
    expect(result.verdict).toBe('warning')
  })

  it('is an error when the migration graph does not load', async () => {
    const review = await staticReview([
      { 'shop/migrations/0005_book_summary.py': migrationSource({ dependencies: [['shop', '0099_missing']], operations: [addField('book', 'summary')] }) }
    ])
    const result = report(review)
    expect(result.graphProblems).toEqual([expect.objectContaining({ path: 'shop/migrations/0005_book_summary.py' })])
    expect(result.verdict).toBe('error')
  })

  it('is an error when the rehearsal failed to run', async () => {
    const review = await staticReview([addSummary()])
    const result = report(review, { rehearsal: { status: 'failed', reason: 'Postgres did not start: initdb exited with code 1' } })
    // Never safe without evidence: the migration the rehearsal meant to run says it was not rehearsed.
    expect(migration(result, '0005_book_summary').verdict).toBe('warning')
    expect(migration(result, '0005_book_summary').findings[0]).toMatchObject({
      rule: 'not-rehearsed',
      message: expect.stringContaining('not rehearsed: Postgres did not start: initdb exited with code 1')
    })
    expect(result.verdict).toBe('error')
    expect(result.summary).toContain('the rehearsal could not run: Postgres did not start')
  })

  it('does not count ignored findings, and keeps the order the rehearsal saw', async () => {
    const { report: result } = await rehearseScenario({
      prModel: withoutNote,
      pr: [
        {
          name: '0002_remove_book_note',
          operations: ['# migration-review: ignore remove-field -- note has been unused since release 40\n        migrations.RemoveField(model_name="book", name="note")']
        }
      ]
    })
    const entry = result.migrations[0]!
    expect(entry.findings.filter((finding) => finding.ignored === undefined)).toEqual([])
    expect(entry.findings).toEqual([expect.objectContaining({ rule: 'remove-field', ignored: { reason: 'note has been unused since release 40', source: 'inline' } })])
    expect(entry.verdict).toBe('safe')
    expect(result.verdict).toBe('safe')
    expect(entry.deployOrder).toBe('deploy-first')
  })
})

// From evidence to the report: the verdict and deploy order of each migration
// and of the pull request. The static review is real (a git history made by
// the scenarios); the rehearsal's evidence is written by hand in the shapes
// the Python helper answers with.
import { afterEach, describe, expect, it } from 'vitest'
import { EMPTY_CONFIG } from '../../src/config/repo-config.js'
import type { HelperError, HelperRun, HelperStatement } from '../../src/model/helper.js'
import { GitRepository } from '../../src/git/repository.js'
import { DEFAULT_SWAPPABLE } from '../../src/graph/graph.js'
import type { MigrationEvidence, RehearsalEvidence } from '../../src/model/evidence.js'
import type { MigrationReport, ProbeFailure, RehearsalInfo, Report } from '../../src/model/report.js'
import { reviewStatically } from '../../src/review/static-review.js'
import type { StaticReview } from '../../src/model/static-review.js'
import { evaluateRules } from '../../src/rules/evaluate.js'
import { assembleReport } from '../../src/verdict/assemble.js'
import { migrationSource } from '../support/django-project.js'
import type { FileTree, TestRepo } from '../support/git-repo.js'
import { addField, forkedRepo, shopMigration, shopProject } from '../support/scenarios.js'

// ---- a real static review ---------------------------------------------------

const repos: TestRepo[] = []
afterEach(() => repos.splice(0).forEach((repo) => repo.cleanup()))

/** The static review of a PR (commits on `feature`) against main, which may have moved on. */
async function staticReview(pr: FileTree[], main: FileTree[] = []): Promise<StaticReview> {
  const repo = forkedRepo({ base: shopProject(), pr, main })
  repos.push(repo)
  return reviewStatically(await GitRepository.open(repo.dir), { base: 'main', head: 'feature', projectRoot: '', exclude: [], swappable: DEFAULT_SWAPPABLE })
}

const RAN: RehearsalInfo = {
  status: 'ran',
  provider: 'local',
  postgresVersion: '17.5',
  djangoVersion: '5.2.19',
  pythonVersion: '3.13.5',
  timings: { forward: 412 },
  seededRows: 120
}

/** The report, with the rules run on the review and, when given, the rehearsal's evidence for these migrations. */
function report(
  review: StaticReview,
  migrations: MigrationEvidence[] | null,
  options: { rehearsal?: RehearsalInfo; inconclusiveModels?: string[] } = {}
): Report {
  const ruleFindings = evaluateRules({ merged: review.trees.merge.graph, added: review.added, sources: review.sources, config: EMPTY_CONFIG })
  const evidence: RehearsalEvidence | null =
    migrations === null
      ? null
      : {
          info: RAN,
          migrations: new Map(migrations.map((entry) => [entry.key, entry])),
          schemaDifferences: [],
          missingMigrations: [],
          seed: null,
          inconclusiveModels: options.inconclusiveModels ?? []
        }
  const { rehearsal } = options
  return assembleReport({ review, projectRoot: '', ruleFindings, evidence, ...(rehearsal ? { rehearsal } : {}), lockTimeoutMs: 1000, timings: {} })
}

const migration = (result: Report, name: string): MigrationReport => result.migrations.find((entry) => entry.name === name)!
const activeRules = (entry: MigrationReport) => entry.findings.filter((finding) => finding.ignored === undefined).map((finding) => finding.rule)

// ---- evidence by hand ----------------------------------------------------------

function run(statements: HelperStatement[], error: HelperError | null = null): HelperRun {
  return { statements, droppedStatements: 0, error, ms: 25, atomic: true, operations: [], commitMs: null, endMs: 0 }
}

function evidence(key: string, overrides: Partial<MigrationEvidence> = {}): MigrationEvidence {
  return {
    key,
    forward: run([]),
    oldCodeFailures: [],
    oldCodeProbed: true,
    newCodeFailures: [],
    newCodeProbed: true,
    reverse: run([]),
    reapply: run([]),
    dataLoss: [],
    dataLossMeasured: true,
    ...overrides
  }
}

const oldCodeSelectFails = (column: string): ProbeFailure => ({
  model: 'shop.Book',
  table: 'shop_book',
  probe: 'select',
  message: `column shop_book.${column} does not exist\nLINE 1: SELECT "shop_book"."id", "shop_book"."title", "shop_book"."${column}" ...`,
  sqlstate: '42703'
})
const newCodeSelectFails = oldCodeSelectFails

// ---- the PR's migrations, as a team writes them ------------------------------------

const pagesBigint = shopMigration('0005_pages_bigint', '0004_book_pages', [
  'migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField(null=True))'
])
const removeNote = (name = '0005_remove_book_note', after = '0004_book_pages') =>
  shopMigration(name, after, ['migrations.RemoveField(model_name="book", name="note")'])
const addSummary = (name = '0005_book_summary', after = '0004_book_pages') => shopMigration(name, after, [addField('book', 'summary')])
const renameIsbn = shopMigration('0005_rename_isbn', '0004_book_pages', ['migrations.RenameField(model_name="book", old_name="isbn", new_name="ean")'])

const PAGES_TO_BIGINT: HelperStatement = {
  sql: 'ALTER TABLE "shop_book" ALTER COLUMN "pages" TYPE bigint USING "pages"::bigint',
  ms: 38.4,
  locks: [
    { relation: 'shop_book', mode: 'AccessExclusiveLock' },
    { relation: 'django_migrations', mode: 'RowExclusiveLock' }
  ],
  rewrite: ['shop_book', 'shop_book_pkey'],
  operationIndex: 0,
  startMs: 0,
  endMs: 38.4,
  heldUntilMs: 38.4,
  inTransaction: true
}

describe('a migration with rehearsal evidence', () => {
  it('shows the rule and its proof as one finding, with the statements, locks and rewrites it ran', async () => {
    const review = await staticReview([pagesBigint])
    const result = report(review, [evidence('shop.0005_pages_bigint', { forward: run([PAGES_TO_BIGINT]) })])
    const entry = migration(result, '0005_pages_bigint')
    const line = entry.operations[0]!.line
    expect(entry.findings).toEqual([
      expect.objectContaining({
        rule: 'alter-field-type',
        severity: 'warning',
        line,
        evidence: 'rehearsal',
        proof: [expect.stringContaining('rewrote shop_book, shop_book_pkey holding AccessExclusiveLock on shop_book')]
      })
    ])
    expect(entry.verdict).toBe('warning')
    expect(entry.evidence).toContain('rehearsal')
    expect(entry.rewrites).toEqual(['shop_book', 'shop_book_pkey'])
    expect(entry.locks).toEqual([
      { relation: 'django_migrations', mode: 'RowExclusiveLock' },
      { relation: 'shop_book', mode: 'AccessExclusiveLock' }
    ])
    expect(entry.statements).toEqual([expect.objectContaining({ sql: PAGES_TO_BIGINT.sql, operationIndex: 0, line })])
    expect(result.verdict).toBe('warning')
    expect(result.summary).toBe('warning: 1 new migration; 1 warning (static review and rehearsal)')
  })

  it('lowers a rule the rehearsal refuted and counts only the lowered grade', async () => {
    const review = await staticReview([
      shopMigration('0005_pages_positive', '0004_book_pages', ['migrations.AlterField(model_name="book", name="pages", field=models.PositiveIntegerField(null=True))'])
    ])
    const check: HelperStatement = {
      sql: 'ALTER TABLE "shop_book" ADD CONSTRAINT "shop_book_pages_check" CHECK ("pages" >= 0)',
      ms: 2.1,
      locks: [{ relation: 'shop_book', mode: 'AccessExclusiveLock' }],
      rewrite: [],
      operationIndex: 0,
      startMs: 0,
      endMs: 2.1,
      heldUntilMs: 2.1,
      inTransaction: true
    }
    const entry = migration(report(review, [evidence('shop.0005_pages_positive', { forward: run([check]) })]), '0005_pages_positive')
    expect(entry.findings).toEqual([expect.objectContaining({ rule: 'alter-field-type', severity: 'info', evidence: 'rehearsal' })])
    expect(entry.findings[0]!.message).toContain('The rehearsal did not see this happen on seeded data (no table or index was rewritten)')
    expect(entry.verdict).toBe('safe')
  })

  it('reports a lock timeout at the operation\'s line, and does not count the rules as refuted by a run that never finished', async () => {
    const review = await staticReview([
      shopMigration('0005_pages_check', '0004_book_pages', [
        'migrations.AddConstraint(model_name="book", constraint=models.CheckConstraint(condition=models.Q(pages__gte=0), name="shop_book_pages_gte_0"))'
      ])
    ])
    const error: HelperError = {
      exception: 'OperationalError',
      message: 'canceling statement due to lock timeout\n',
      sqlstate: '55P03',
      statement: 'ALTER TABLE "shop_book" ADD CONSTRAINT "shop_book_pages_gte_0" CHECK ("pages" >= 0)',
      operationIndex: 0
    }
    const entry = migration(
      report(review, [evidence('shop.0005_pages_check', { forward: run([], error), oldCodeProbed: false, newCodeProbed: false, reverse: null, reapply: null })]),
      '0005_pages_check'
    )
    const line = entry.operations[0]!.line
    expect(entry.appliesOnSeededData).toEqual({ value: false, error: { ...error, line } })
    expect(entry.findings.map((finding) => [finding.rule, finding.severity, finding.line, finding.evidence])).toEqual([
      ['lock-timeout', 'unsafe', line, 'rehearsal'],
      ['add-check-constraint', 'warning', line, 'static']
    ])
    expect(entry.findings[1]!.message).not.toContain('The rehearsal did not see this happen')
    expect(entry.verdict).toBe('unsafe')
  })
})

describe('the deploy order of a migration', () => {
  it('is deploy-first when the old code breaks after it and the new code works before it', async () => {
    const review = await staticReview([removeNote()])
    const entry = migration(report(review, [evidence('shop.0005_remove_book_note', { oldCodeFailures: [oldCodeSelectFails('note')] })]), '0005_remove_book_note')
    expect(entry.backwardCompatible).toMatchObject({ value: false })
    expect(entry.forwardCompatible).toMatchObject({ value: true })
    expect(entry.deployOrder).toBe('deploy-first')
    expect(entry.findings.find((finding) => finding.rule === 'remove-field')).toMatchObject({ evidence: 'rehearsal', severity: 'unsafe' })
  })

  it('is migrate-first when the new code breaks on the old schema and the old code keeps working', async () => {
    const review = await staticReview([addSummary()])
    const entry = migration(report(review, [evidence('shop.0005_book_summary', { newCodeFailures: [newCodeSelectFails('summary')] })]), '0005_book_summary')
    expect(entry.deployOrder).toBe('migrate-first')
    expect(entry.verdict).toBe('safe')
  })

  it('is multi-step when both break', async () => {
    const review = await staticReview([renameIsbn])
    const entry = migration(
      report(review, [evidence('shop.0005_rename_isbn', { oldCodeFailures: [oldCodeSelectFails('isbn')], newCodeFailures: [newCodeSelectFails('ean')] })]),
      '0005_rename_isbn'
    )
    expect(entry.deployOrder).toBe('multi-step')
    expect(entry.findings.find((finding) => finding.rule === 'rename-field')).toMatchObject({ evidence: 'rehearsal' })
  })

  it('is multi-step for a NOT NULL column dropped: the old code selects it, the new code cannot insert without it', async () => {
    const review = await staticReview([shopMigration('0005_remove_title', '0004_book_pages', ['migrations.RemoveField(model_name="book", name="title")'])])
    const newInsertFails: ProbeFailure = {
      model: 'shop.Book',
      table: 'shop_book',
      probe: 'insert',
      message: 'null value in column "title" of relation "shop_book" violates not-null constraint\nDETAIL:  Failing row contains (13, null, null, null, null).',
      sqlstate: '23502'
    }
    const entry = migration(
      report(review, [evidence('shop.0005_remove_title', { oldCodeFailures: [oldCodeSelectFails('title')], newCodeFailures: [newInsertFails] })]),
      '0005_remove_title'
    )
    expect(entry.deployOrder).toBe('multi-step')
    expect(entry.findings.find((finding) => finding.rule === 'remove-field')).toMatchObject({ deployOrder: 'multi-step', evidence: 'rehearsal' })
  })

  it('keeps the order of a rule the rehearsal could not judge (probes of the model inconclusive)', async () => {
    const review = await staticReview([renameIsbn])
    const entry = migration(report(review, [evidence('shop.0005_rename_isbn')], { inconclusiveModels: ['shop.Book'] }), '0005_rename_isbn')
    expect(entry.findings.find((finding) => finding.rule === 'rename-field')).toMatchObject({ evidence: 'static', severity: 'unsafe' })
    expect(entry.deployOrder).toBe('multi-step')
  })

  it('is the strictest order of its rules without a rehearsal', async () => {
    const review = await staticReview([
      shopMigration('0005_swap', '0004_book_pages', [addField('book', 'summary'), 'migrations.RemoveField(model_name="book", name="note")'])
    ])
    const result = report(review, null)
    expect(result.rehearsal.status).toBe('skipped')
    expect(migration(result, '0005_swap').deployOrder).toBe('deploy-first')
  })

  it('is null for a migration nothing orders (a reversible data fix)', async () => {
    const review = await staticReview([
      shopMigration('0005_fill', '0004_book_pages', ['migrations.RunSQL("UPDATE shop_book SET note = \'\' WHERE note IS NULL", migrations.RunSQL.noop)'])
    ])
    expect(migration(report(review, null), '0005_fill').deployOrder).toBeNull()
  })
})

describe('the deploy order of the pull request', () => {
  it('is multi-step when one migration needs deploy-first and another migrate-first', async () => {
    const review = await staticReview([removeNote(), addSummary('0006_book_summary', '0005_remove_book_note')])
    const result = report(review, [
      evidence('shop.0005_remove_book_note', { oldCodeFailures: [oldCodeSelectFails('note')] }),
      evidence('shop.0006_book_summary', { newCodeFailures: [newCodeSelectFails('summary')] })
    ])
    expect(result.migrations.map((entry) => entry.deployOrder)).toEqual(['deploy-first', 'migrate-first'])
    expect(result.deployOrder).toBe('multi-step')
  })

  it('is deploy-first when every migration is', async () => {
    const review = await staticReview([
      removeNote(),
      shopMigration('0006_remove_book_isbn', '0005_remove_book_note', ['migrations.RemoveField(model_name="book", name="isbn")'])
    ])
    const result = report(review, [
      evidence('shop.0005_remove_book_note', { oldCodeFailures: [oldCodeSelectFails('note')] }),
      evidence('shop.0006_remove_book_isbn', { oldCodeFailures: [oldCodeSelectFails('isbn')] })
    ])
    expect(result.deployOrder).toBe('deploy-first')
  })

  it('is migrate-first when every ordered migration is', async () => {
    const review = await staticReview([addSummary(), shopMigration('0006_fill', '0005_book_summary', ['migrations.RunSQL("SELECT 1", migrations.RunSQL.noop)'])])
    const result = report(review, null)
    expect(result.migrations.map((entry) => entry.deployOrder)).toEqual(['migrate-first', null])
    expect(result.deployOrder).toBe('migrate-first')
  })
})

describe('the verdict of the pull request', () => {
  it('is the worst verdict of its migrations', async () => {
    const review = await staticReview([addSummary(), removeNote('0006_remove_book_note', '0005_book_summary')])
    const result = report(review, null)
    expect(result.migrations.map((entry) => entry.verdict)).toEqual(['safe', 'unsafe'])
    expect(result.verdict).toBe('unsafe')
    expect(result.summary).toBe('unsafe: 2 new migrations; 1 unsafe (static review only)')
  })

  it('is unsafe when the merge leaves conflicting leaves, even with safe migrations', async () => {
    const mainPrice = shopMigration('0005_book_price', '0004_book_pages', [addField('book', 'price', 'models.IntegerField(null=True)')])
    const review = await staticReview([addSummary()], [mainPrice])
    const result = report(review, null)
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
    const result = report(review, null)
    expect(result.editedMigrations).toEqual([expect.objectContaining({ name: '0004_book_pages', change: 'modified' })])
    expect(migration(result, '0005_book_summary').verdict).toBe('safe')
    expect(result.verdict).toBe('warning')
  })

  it('is an error when the migration graph does not load', async () => {
    const review = await staticReview([
      { 'shop/migrations/0005_book_summary.py': migrationSource({ dependencies: [['shop', '0099_missing']], operations: [addField('book', 'summary')] }) }
    ])
    const result = report(review, null)
    expect(result.graphProblems).toEqual([expect.objectContaining({ path: 'shop/migrations/0005_book_summary.py' })])
    expect(result.verdict).toBe('error')
  })

  it('is an error when the rehearsal failed to run', async () => {
    const review = await staticReview([addSummary()])
    const result = report(review, null, { rehearsal: { status: 'failed', reason: 'Postgres did not start: initdb exited with code 1' } })
    expect(migration(result, '0005_book_summary').verdict).toBe('safe')
    expect(result.verdict).toBe('error')
    expect(result.summary).toContain('the rehearsal could not run: Postgres did not start')
  })

  it('does not count ignored findings', async () => {
    const ignored = {
      'shop/migrations/0005_remove_book_note.py': migrationSource({
        dependencies: [['shop', '0004_book_pages']],
        operations: ['# migration-review: ignore remove-field -- note has been unused since release 40\n        migrations.RemoveField(model_name="book", name="note")']
      })
    }
    const review = await staticReview([ignored])
    const result = report(review, [evidence('shop.0005_remove_book_note', { oldCodeFailures: [oldCodeSelectFails('note')] })])
    const entry = migration(result, '0005_remove_book_note')
    expect(entry.findings).toEqual([
      expect.objectContaining({ rule: 'remove-field', ignored: { reason: 'note has been unused since release 40', source: 'inline' } })
    ])
    expect(entry.verdict).toBe('safe')
    expect(result.verdict).toBe('safe')
    // The order still follows what the rehearsal saw.
    expect(entry.deployOrder).toBe('deploy-first')
  })
})

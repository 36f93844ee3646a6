// The rules and the rehearsal about the same operation become one finding: a
// rule the rehearsal saw happen carries its proof, a rule it looked for and
// did not see is lowered one level and says so, and what the rehearsal saw
// that no rule claimed is reported on its own. Evidence is written by hand in
// the shapes the Python helper answers with.
import { describe, expect, it } from 'vitest'
import { EMPTY_CONFIG } from '../../src/config/repo-config.js'
import type { HelperError, HelperRun, HelperStatement } from '../../src/model/helper.js'
import { DEFAULT_SWAPPABLE } from '../../src/graph/graph.js'
import { migrationKey } from '../../src/model/migration.js'
import type { MigrationEvidence } from '../../src/model/evidence.js'
import type { ProbeFailure } from '../../src/model/report.js'
import { evaluateRules } from '../../src/rules/evaluate.js'
import type { ProofKind, RuleFinding } from '../../src/model/findings.js'
import { migrationsFromFiles } from '../../src/review/tree-migrations.js'
import { factsOf } from '../../src/verdict/facts.js'
import { fuse, type Checked } from '../../src/verdict/fuse.js'
import { appFiles, createModel, migrationSource, type MigrationSpec } from '../support/django-project.js'

// ---- the static side: real migrations through the real rules --------------

const INITIAL = migrationSource({
  initial: true,
  operations: [
    createModel('Book', {
      title: 'models.CharField(max_length=100)',
      subtitle: 'models.CharField(max_length=200, null=True)',
      pages: 'models.IntegerField()'
    })
  ]
})

const FILL = 'def fill(apps, schema_editor):\n    apps.get_model("shop", "Book").objects.filter(subtitle=None).update(subtitle="")'

/** The rules' findings for `shop.0002_pr` with these operations. */
function ruleFindings(operations: string[], spec: Omit<MigrationSpec, 'operations'> = {}): RuleFinding[] {
  const source = migrationSource({ dependencies: [['shop', '0001_initial']], operations, ...spec })
  const files = new Map(Object.entries(appFiles('shop', { '0001_initial': INITIAL, '0002_pr': source })))
  const tree = migrationsFromFiles(files, { projectRoot: '', exclude: [], swappable: DEFAULT_SWAPPABLE })
  const file = tree.files.find((candidate) => candidate.name === '0002_pr')!
  return evaluateRules({ merged: tree.graph, added: [file], sources: new Map([[migrationKey(file), source]]), config: EMPTY_CONFIG }).get('shop.0002_pr')!
}

// ---- the rehearsal side, by hand -----------------------------------------

function run(statements: HelperStatement[], error: HelperError | null = null): HelperRun {
  return { statements, droppedStatements: 0, error, ms: statements.reduce((sum, statement) => sum + statement.ms, 0), atomic: true, operations: [], commitMs: null, endMs: 0 }
}

/** A migration that applied, was probed with old and new code, reversed and re-applied cleanly, unless told otherwise. */
function evidence(overrides: Partial<MigrationEvidence>): MigrationEvidence {
  return {
    key: 'shop.0002_pr',
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

const LOCK_TIMEOUT_MS = 1000
const facts = (entry: MigrationEvidence) => factsOf(entry, LOCK_TIMEOUT_MS)

/** The rehearsal looked for these kinds of fact (and so their absence refutes a rule). */
const lookedFor =
  (...kinds: ProofKind[]): Checked =>
  (kind) =>
    kinds.includes(kind)
const LOOKED_FOR_EVERYTHING: Checked = () => true

const PAGES_TO_BIGINT: HelperStatement = {
  sql: 'ALTER TABLE "shop_book" ALTER COLUMN "pages" TYPE bigint USING "pages"::bigint',
  ms: 41.7,
  locks: [{ relation: 'shop_book', mode: 'AccessExclusiveLock' }],
  rewrite: ['shop_book', 'shop_book_pkey'],
  operationIndex: 0,
  startMs: 0,
  endMs: 41.7,
  heldUntilMs: 41.7,
  inTransaction: true
}

const STOCK_INSERT_FAILS: ProbeFailure = {
  model: 'shop.Book',
  table: 'shop_book',
  probe: 'insert',
  message: 'null value in column "stock" of relation "shop_book" violates not-null constraint\nDETAIL:  Failing row contains (13, Probe, null, 0, null).',
  sqlstate: '23502'
}

describe('a rule the rehearsal saw happen', () => {
  it('becomes one finding with evidence "rehearsal" and the statement, its locks and rewrites as proof', () => {
    const rules = ruleFindings(['migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField())'])
    const fused = fuse(rules, facts(evidence({ forward: run([PAGES_TO_BIGINT]) })), LOOKED_FOR_EVERYTHING)
    expect(fused).toHaveLength(1)
    const [finding] = fused
    expect(finding).toMatchObject({ rule: 'alter-field-type', severity: 'warning', evidence: 'rehearsal', line: rules[0]!.line, operationIndex: 0 })
    expect(finding!.proof).toEqual([
      '`ALTER TABLE "shop_book" ALTER COLUMN "pages" TYPE bigint USING "pages"::bigint` rewrote shop_book, shop_book_pkey holding AccessExclusiveLock on shop_book'
    ])
  })

  it('is proved by the old code failing on the same model, with the failing probe in the proof', () => {
    const rules = ruleFindings(['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'])
    const fused = fuse(rules, facts(evidence({ oldCodeFailures: [STOCK_INSERT_FAILS] })), LOOKED_FOR_EVERYTHING)
    expect(fused.map((finding) => finding.rule)).toEqual(['add-field-not-null'])
    expect(fused[0]).toMatchObject({ severity: 'unsafe', evidence: 'rehearsal', deployOrder: 'multi-step' })
    expect(fused[0]!.proof).toEqual([
      'old code INSERT on shop.Book: null value in column "stock" of relation "shop_book" violates not-null constraint (SQLSTATE 23502)'
    ])
  })

  it('is proved by the migration failing at that operation, with the error and statement as proof', () => {
    const rules = ruleFindings(['migrations.AlterField(model_name="book", name="subtitle", field=models.CharField(max_length=200))'])
    const error: HelperError = {
      exception: 'IntegrityError',
      message: 'column "subtitle" of relation "shop_book" contains null values\n',
      sqlstate: '23502',
      statement: 'ALTER TABLE "shop_book" ALTER COLUMN "subtitle" SET NOT NULL',
      operationIndex: 0
    }
    const fused = fuse(rules, facts(evidence({ forward: run([], error), oldCodeProbed: false, newCodeProbed: false, reverse: null, reapply: null })), lookedFor('apply-error'))
    expect(fused.map((finding) => finding.rule)).toEqual(['alter-field-not-null'])
    expect(fused[0]).toMatchObject({ severity: 'unsafe', evidence: 'rehearsal' })
    expect(fused[0]!.proof).toEqual([
      'IntegrityError: column "subtitle" of relation "shop_book" contains null values (SQLSTATE 23502)',
      'statement: `ALTER TABLE "shop_book" ALTER COLUMN "subtitle" SET NOT NULL`'
    ])
  })

  it('is raised to unsafe when the migration failed at that operation', () => {
    const rules = ruleFindings([
      'migrations.AddConstraint(model_name="book", constraint=models.CheckConstraint(condition=models.Q(pages__gte=1), name="shop_book_pages_positive"))'
    ])
    expect(rules[0]!.severity).toBe('warning')
    const error: HelperError = {
      exception: 'IntegrityError',
      message: 'check constraint "shop_book_pages_positive" of relation "shop_book" is violated by some row',
      sqlstate: '23514',
      statement: 'ALTER TABLE "shop_book" ADD CONSTRAINT "shop_book_pages_positive" CHECK ("pages" >= 1)',
      operationIndex: 0
    }
    const fused = fuse(rules, facts(evidence({ forward: run([], error), oldCodeProbed: false, newCodeProbed: false })), lookedFor('apply-error'))
    expect(fused).toHaveLength(1)
    expect(fused[0]).toMatchObject({ rule: 'add-check-constraint', severity: 'unsafe', evidence: 'rehearsal' })
  })

  it('takes only the facts about its own operation', () => {
    const rules = ruleFindings([
      'migrations.AlterField(model_name="book", name="title", field=models.CharField(max_length=50))',
      'migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField())'
    ])
    const shortenTitle: HelperStatement = {
      sql: 'ALTER TABLE "shop_book" ALTER COLUMN "title" TYPE varchar(50)',
      ms: 12.9,
      locks: [{ relation: 'shop_book', mode: 'AccessExclusiveLock' }],
      rewrite: ['shop_book', 'shop_book_pkey'],
      operationIndex: 0,
      startMs: 0,
      endMs: 12.9,
      heldUntilMs: 12.9,
      inTransaction: true
    }
    const fused = fuse(rules, facts(evidence({ forward: run([shortenTitle, { ...PAGES_TO_BIGINT, operationIndex: 1 }]) })), LOOKED_FOR_EVERYTHING)
    expect(fused.map((finding) => [finding.rule, finding.operationIndex, finding.severity, finding.evidence])).toEqual([
      ['alter-field-type', 0, 'unsafe', 'rehearsal'],
      ['alter-field-type', 1, 'warning', 'rehearsal']
    ])
    expect(fused[0]!.proof).toEqual([expect.stringContaining('TYPE varchar(50)')])
    expect(fused[1]!.proof).toEqual([expect.stringContaining('TYPE bigint')])
  })
})

describe('a rule the rehearsal looked for and did not see', () => {
  it('drops one severity level and says what the rehearsal saw instead', () => {
    // IntegerField → PositiveIntegerField keeps the integer column: Postgres adds a CHECK, it does not rewrite.
    const rules = ruleFindings(['migrations.AlterField(model_name="book", name="pages", field=models.PositiveIntegerField())'])
    expect(rules[0]).toMatchObject({ rule: 'alter-field-type', severity: 'warning' })
    const check: HelperStatement = {
      sql: 'ALTER TABLE "shop_book" ADD CONSTRAINT "shop_book_pages_check" CHECK ("pages" >= 0)',
      ms: 3.2,
      locks: [{ relation: 'shop_book', mode: 'AccessExclusiveLock' }],
      rewrite: [],
      operationIndex: 0,
      startMs: 0,
      endMs: 3.2,
      heldUntilMs: 3.2,
      inTransaction: true
    }
    const fused = fuse(rules, facts(evidence({ forward: run([check]) })), LOOKED_FOR_EVERYTHING)
    expect(fused).toHaveLength(1)
    expect(fused[0]).toMatchObject({ rule: 'alter-field-type', severity: 'info', evidence: 'rehearsal' })
    expect(fused[0]!.message).toBe(`${rules[0]!.message}. The rehearsal did not see this happen on seeded data (no table or index was rewritten)`)
  })

  it('drops from unsafe to warning when the old code kept working', () => {
    const rules = ruleFindings(['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'])
    const fused = fuse(rules, facts(evidence({})), LOOKED_FOR_EVERYTHING)
    expect(fused[0]).toMatchObject({ rule: 'add-field-not-null', severity: 'warning', evidence: 'rehearsal' })
    expect(fused[0]!.message).toContain("The rehearsal did not see this happen on seeded data (the base code's SELECT, INSERT and UPDATE still work after it)")
  })

  it('stays as it was when the rehearsal did not look (e.g. the old code was not probed)', () => {
    const rules = ruleFindings(['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'])
    const fused = fuse(rules, facts(evidence({ oldCodeProbed: false })), lookedFor('rewrite', 'apply-error'))
    expect(fused).toEqual([withoutInternals(rules[0]!)])
  })
})

describe('what the rehearsal saw that no rule claimed', () => {
  it('reports a migration that does not apply as apply-failed, unsafe', () => {
    const rules = ruleFindings(['migrations.RunPython(fill, migrations.RunPython.noop)'], { preamble: FILL })
    expect(rules).toEqual([])
    const error: HelperError = {
      exception: 'IntegrityError',
      message: 'duplicate key value violates unique constraint "shop_book_title_key"\nDETAIL:  Key (title)=() already exists.',
      sqlstate: '23505',
      statement: 'UPDATE "shop_book" SET "subtitle" = %s WHERE "shop_book"."subtitle" IS NULL',
      operationIndex: 0,
      params: ["''"]
    }
    const fused = fuse(rules, facts(evidence({ forward: run([], error), oldCodeProbed: false, newCodeProbed: false })), lookedFor('apply-error'))
    expect(fused).toEqual([
      {
        rule: 'apply-failed',
        severity: 'unsafe',
        message: 'does not apply on the seeded data: duplicate key value violates unique constraint "shop_book_title_key"',
        line: null,
        evidence: 'rehearsal',
        operationIndex: 0,
        breaks: ['data'],
        proof: [
          'IntegrityError: duplicate key value violates unique constraint "shop_book_title_key" (SQLSTATE 23505)',
          'statement: `UPDATE "shop_book" SET "subtitle" = %s WHERE "shop_book"."subtitle" IS NULL` with \'\''
        ]
      }
    ])
  })

  it('reports SQLSTATE 55P03 as lock-timeout, naming the lock_timeout it waited for', () => {
    const rules = ruleFindings(['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))'])
    const error: HelperError = {
      exception: 'OperationalError',
      message: 'canceling statement due to lock timeout\n',
      sqlstate: '55P03',
      statement: 'ALTER TABLE "shop_book" ADD COLUMN "isbn" varchar(13) NULL',
      operationIndex: 0
    }
    const fused = fuse(rules, facts(evidence({ forward: run([], error), oldCodeProbed: false, newCodeProbed: false })), lookedFor('apply-error'))
    expect(fused.map((finding) => finding.rule)).toEqual(['add-field-nullable', 'lock-timeout'])
    const timeout = fused[1]!
    expect(timeout).toMatchObject({ severity: 'unsafe', evidence: 'rehearsal', breaks: ['locks'], operationIndex: 0 })
    expect(timeout.message).toBe(`waited more than lock_timeout (${LOCK_TIMEOUT_MS} ms) for a lock and gave up`)
    expect(timeout.proof![0]).toBe('OperationalError: canceling statement due to lock timeout (SQLSTATE 55P03)')
    expect(timeout.safeAlternative).toContain('lock_timeout')
    // The rule about the column itself is neither proved nor refuted by a lock it never got.
    expect(fused[0]).toEqual(withoutInternals(rules[0]!))
  })

  it('reports an IrreversibleError no rule foresaw as irreversible', () => {
    const rules = ruleFindings(['LoadCatalogue("books.json")'], { preamble: 'from shop.operations import LoadCatalogue' })
    expect(rules).toEqual([])
    const reverse = run([], {
      exception: 'IrreversibleError',
      message: 'Operation <LoadCatalogue> in shop.0002_pr is not reversible',
      sqlstate: null,
      statement: null,
      operationIndex: 0
    })
    const fused = fuse(rules, facts(evidence({ reverse, reapply: null })), LOOKED_FOR_EVERYTHING)
    expect(fused).toEqual([
      expect.objectContaining({
        rule: 'irreversible',
        severity: 'warning',
        message: 'cannot be reversed (IrreversibleError)',
        evidence: 'rehearsal',
        operationIndex: 0,
        proof: ['migrate back: Operation <LoadCatalogue> in shop.0002_pr is not reversible']
      })
    ])
  })

  it('claims an IrreversibleError for run-python-irreversible when the rule foresaw it', () => {
    const rules = ruleFindings(['migrations.RunPython(fill)'], { preamble: FILL })
    const reverse = run([], {
      exception: 'IrreversibleError',
      message: 'Operation <RunPython <function fill at 0x7f3a2c1b5e40>> in shop.0002_pr is not reversible',
      sqlstate: null,
      statement: null,
      operationIndex: 0
    })
    const fused = fuse(rules, facts(evidence({ reverse, reapply: null })), LOOKED_FOR_EVERYTHING)
    expect(fused.map((finding) => [finding.rule, finding.evidence])).toEqual([['run-python-irreversible', 'rehearsal']])
  })

  it('reports old code breaking on a model no rule mentioned, deploy first', () => {
    const fused = fuse([], facts(evidence({ oldCodeFailures: [STOCK_INSERT_FAILS] })), LOOKED_FOR_EVERYTHING)
    expect(fused).toEqual([expect.objectContaining({ rule: 'old-code-breaks', severity: 'unsafe', deployOrder: 'deploy-first', breaks: ['old-code'] })])
  })

  it('reports new code breaking on the old schema as info, migrate first', () => {
    const failure: ProbeFailure = {
      model: 'shop.Book',
      table: 'shop_book',
      probe: 'select',
      message: 'column shop_book.isbn does not exist\nLINE 1: SELECT "shop_book"."id", "shop_book"."isbn" FROM "shop_book"',
      sqlstate: '42703'
    }
    const fused = fuse([], facts(evidence({ newCodeFailures: [failure] })), LOOKED_FOR_EVERYTHING)
    expect(fused).toEqual([expect.objectContaining({ rule: 'new-code-breaks', severity: 'info', deployOrder: 'migrate-first' })])
    expect(fused[0]!.message).toContain('run the migration before deploying the new code')
  })

  it('reports a rewrite no rule expected as table-rewrite', () => {
    const rules = ruleFindings(['migrations.RunSQL(\'ALTER TABLE "shop_book" ALTER COLUMN "pages" TYPE bigint\', \'ALTER TABLE "shop_book" ALTER COLUMN "pages" TYPE integer\')'])
    expect(rules).toEqual([])
    const fused = fuse(rules, facts(evidence({ forward: run([{ ...PAGES_TO_BIGINT, sql: 'ALTER TABLE "shop_book" ALTER COLUMN "pages" TYPE bigint' }]) })), LOOKED_FOR_EVERYTHING)
    expect(fused).toEqual([expect.objectContaining({ rule: 'table-rewrite', severity: 'warning', evidence: 'rehearsal', operationIndex: 0, breaks: ['locks'] })])
    expect(fused[0]!.message).toBe('rewrote shop_book, shop_book_pkey in 42 ms')
  })

  it('leaves out a blocking lock no rule claimed: the locks are in the report, not a finding', () => {
    const insert: HelperStatement = {
      sql: 'INSERT INTO "shop_book" ("title", "subtitle", "pages") VALUES (\'Dune\', NULL, 412)',
      ms: 0.4,
      locks: [{ relation: 'shop_book', mode: 'RowExclusiveLock' }],
      rewrite: [],
      operationIndex: 0,
      startMs: 0,
      endMs: 0.4,
      heldUntilMs: 0.4,
      inTransaction: true
    }
    const lock: HelperStatement = { sql: 'LOCK TABLE "shop_book" IN SHARE MODE', ms: 0.1, locks: [{ relation: 'shop_book', mode: 'ShareLock' }], rewrite: [], operationIndex: 0, startMs: 0, endMs: 0.1, heldUntilMs: 0.1, inTransaction: true }
    const rules = ruleFindings(['migrations.RunSQL("LOCK TABLE shop_book IN SHARE MODE", migrations.RunSQL.noop)'])
    expect(fuse(rules, facts(evidence({ forward: run([lock, insert]) })), LOOKED_FOR_EVERYTHING)).toEqual([])
  })
})

describe('without a rehearsal', () => {
  it('leaves the static findings as they are', () => {
    const rules = ruleFindings([
      'migrations.RemoveField(model_name="book", name="subtitle")',
      'migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField())',
      'migrations.RunPython(fill)'
    ], { preamble: FILL })
    expect(rules.map((finding) => finding.rule)).toEqual(['remove-field', 'alter-field-type', 'run-python-irreversible', 'mixed-schema-and-data'])
    expect(fuse(rules, [], null)).toEqual(rules.map(withoutInternals))
  })
})

describe('an ignored rule', () => {
  it('stays ignored, and the rehearsal facts about its operation do not come back as findings of their own', () => {
    const rules = ruleFindings(['# migration-review: ignore run-python-irreversible -- we never roll back data fixes\n        migrations.RunPython(fill)'], {
      preamble: FILL
    })
    expect(rules[0]!.ignored).toEqual({ reason: 'we never roll back data fixes', source: 'inline' })
    const reverse = run([], {
      exception: 'IrreversibleError',
      message: 'Operation <RunPython <function fill at 0x7f3a2c1b5e40>> in shop.0002_pr is not reversible',
      sqlstate: null,
      statement: null,
      operationIndex: 0
    })
    const fused = fuse(rules, facts(evidence({ reverse, reapply: null })), LOOKED_FOR_EVERYTHING)
    expect(fused).toHaveLength(1)
    expect(fused[0]).toMatchObject({
      rule: 'run-python-irreversible',
      severity: 'warning',
      evidence: 'rehearsal',
      proof: ['migrate back: Operation <RunPython <function fill at 0x7f3a2c1b5e40>> in shop.0002_pr is not reversible'],
      ignored: { reason: 'we never roll back data fixes', source: 'inline' }
    })
  })

  it('is not lowered or reworded when the rehearsal did not see it', () => {
    const rules = ruleFindings([
      '# migration-review: ignore add-field-not-null -- nothing inserts books\n        migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'
    ])
    expect(rules[0]!.ignored?.reason).toBe('nothing inserts books')
    const fused = fuse(rules, facts(evidence({})), LOOKED_FOR_EVERYTHING)
    expect(fused[0]).toMatchObject({ severity: 'unsafe', message: rules[0]!.message })
  })
})

/** A rule finding as the report shows it: without the rules' internal fields. */
function withoutInternals(finding: RuleFinding) {
  const { model: _model, provenBy: _provenBy, ...shown } = finding
  return shown
}

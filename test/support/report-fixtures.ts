// Complete reports built by hand, for tests of what renders them.
import type { ConflictReport, Finding, MigrationReport, Report, StatementRecord } from '../../src/model/report.js'

const notRun = { value: null, reason: 'not established: the rehearsal was switched off' }

export function finding(overrides: Partial<Finding> = {}): Finding {
  return { rule: 'add-field-not-null', severity: 'unsafe', message: 'adds book.stock as NOT NULL', line: 10, evidence: 'static', ...overrides }
}

export function statement(overrides: Partial<StatementRecord> = {}): StatementRecord {
  return {
    sql: 'ALTER TABLE "shop_book" ADD COLUMN "stock" integer DEFAULT 0 NOT NULL',
    ms: 3.2,
    locks: [{ relation: 'shop_book', mode: 'AccessExclusiveLock' }],
    rewrite: [],
    operationIndex: 0,
    line: 10,
    ...overrides
  }
}

export function migration(overrides: Partial<MigrationReport> = {}): MigrationReport {
  return {
    app: 'shop',
    name: '0005_book_stock',
    path: 'shop/migrations/0005_book_stock.py',
    operations: [{ index: 0, type: 'AddField', line: 10 }],
    findings: [finding()],
    verdict: 'unsafe',
    deployOrder: 'multi-step',
    evidence: ['static'],
    atomic: true,
    rehearsal: { status: 'skipped', reason: 'the rehearsal was switched off', repairs: [] },
    appliesOnSeededData: notRun,
    backwardCompatible: notRun,
    forwardCompatible: notRun,
    reversible: notRun,
    dataLoss: notRun,
    reappliesAfterReverse: notRun,
    locks: [],
    rewrites: [],
    reverseRewrites: [],
    statements: [],
    reverseStatements: [],
    durationMs: null,
    ...overrides
  }
}

/** A migration with these findings, each a warning `<rule> matched` at line 10 unless it says otherwise. */
export function migrationWith(name: string, findings: Array<Partial<Finding> & { rule: string }>, app = 'shop'): MigrationReport {
  return migration({
    app,
    name,
    path: `${app}/migrations/${name}.py`,
    operations: [],
    verdict: 'warning',
    deployOrder: null,
    findings: findings.map((f) => ({ severity: 'warning', message: `${f.rule} matched`, line: 10, evidence: 'static', ...f }))
  })
}

/** A report with no migration (tests add what they look at). */
export function emptyReport(overrides: Partial<Report> = {}): Report {
  return report({ pullRequest: null, summary: 'Unsafe.', migrations: [], deployOrder: null, ...overrides })
}

export function conflict(overrides: Partial<ConflictReport> = {}): ConflictReport {
  return {
    app: 'shop',
    leaves: [
      { name: '0005_book_price', path: 'shop/migrations/0005_book_price.py', side: 'main' },
      { name: '0005_book_stock', path: 'shop/migrations/0005_book_stock.py', side: 'pr' }
    ],
    commonAncestor: 'shop.0004_book_pages',
    branches: { main: ['shop.0005_book_price'], pr: ['shop.0005_book_stock'] },
    overlap: { models: [], fields: [], opaque: [] },
    needsHumanReview: false,
    reason: 'the branches touch different models, so their order does not matter',
    preexisting: false,
    fix: {
      renames: [{ from: 'shop.0005_book_stock', to: 'shop.0006_book_stock', fromPath: 'shop/migrations/0005_book_stock.py', toPath: 'shop/migrations/0006_book_stock.py' }],
      patch: 'diff --git a/x b/y\n--- a/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n',
      unavailable: null,
      mergeCommand: 'python manage.py makemigrations --merge shop'
    },
    ...overrides
  }
}

export function report(overrides: Partial<Report> = {}): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'django-migration-review', version: '0.1.0' },
    base: { ref: 'origin/main', sha: 'b'.repeat(40) },
    head: { ref: 'HEAD', sha: 'a'.repeat(40) },
    pullRequest: { number: 7 },
    mergeBase: 'c'.repeat(40),
    merge: { tree: 'd'.repeat(40), clean: true, conflictedPaths: [] },
    projectRoot: '',
    verdict: 'unsafe',
    summary: 'unsafe: 1 new migration; 1 unsafe (static review only)',
    conflicts: [],
    editedMigrations: [],
    duplicateNumbers: [],
    graphProblems: [],
    migrations: [migration()],
    rehearsal: { status: 'skipped', reason: 'the rehearsal was switched off' },
    schemaDifferences: [],
    missingMigrations: notRun,
    deployOrder: 'multi-step',
    timings: { staticMs: 12 },
    ...overrides
  }
}

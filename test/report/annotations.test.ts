// Findings as workflow annotations: worst first, plain text, at most 10 per
// level, and a closing notice when some were left out.
import { describe, expect, it } from 'vitest'
import { annotationsOf } from '../../src/report/annotations.js'
import type { Finding } from '../../src/model/report.js'
import { emptyReport as report, migrationWith as migration } from '../support/report-fixtures.js'


const many = (count: number, severity: Finding['severity'], rule: string) =>
  Array.from({ length: count }, (_, i) => ({ rule, severity, line: i + 1 }))

describe('annotations', () => {
  it('annotates warnings and worse at their file and line, and leaves info findings out', () => {
    const annotations = annotationsOf(
      report({
        migrations: [
          migration('0005_a', [
            { rule: 'add-model', severity: 'info' },
            { rule: 'add-index', severity: 'warning', line: 12 },
            { rule: 'add-field-not-null', severity: 'unsafe', line: 7 },
            { rule: 'remove-field', severity: 'unsafe', ignored: { reason: 'unused', source: 'inline' } }
          ])
        ]
      })
    )
    expect(annotations).toEqual([
      { level: 'error', title: 'unsafe: add-field-not-null in shop.0005_a', message: 'Add-field-not-null matched.', file: 'shop/migrations/0005_a.py', startLine: 7 },
      { level: 'warning', title: 'warning: add-index in shop.0005_a', message: 'Add-index matched.', file: 'shop/migrations/0005_a.py', startLine: 12 }
    ])
  })

  it('orders the worst first: error, then unsafe, then warning, keeping report order within each', () => {
    const annotations = annotationsOf(
      report({
        migrations: [
          migration('0005_a', [
            { rule: 'w1', severity: 'warning' },
            { rule: 'u1', severity: 'unsafe' }
          ]),
          migration('0006_b', [
            { rule: 'e1', severity: 'error' },
            { rule: 'u2', severity: 'unsafe' },
            { rule: 'w2', severity: 'warning' }
          ])
        ]
      })
    )
    expect(annotations.map((a) => a.title.split(' ')[1])).toEqual(['e1', 'u1', 'u2', 'w1', 'w2'])
  })

  it('caps errors and warnings at 10 each and ends with one notice pointing at the job summary', () => {
    const annotations = annotationsOf(
      report({ migrations: [migration('0005_a', [...many(14, 'unsafe', 'u'), ...many(3, 'error', 'e'), ...many(12, 'warning', 'w')])] })
    )
    expect(annotations.filter((a) => a.level === 'error')).toHaveLength(10)
    expect(annotations.filter((a) => a.level === 'warning')).toHaveLength(10)
    expect(annotations.filter((a) => a.level === 'error').slice(0, 3).map((a) => a.title.split(' ')[1])).toEqual(['e', 'e', 'e'])
    expect(annotations).toHaveLength(21)
    expect(annotations.at(-1)).toEqual({
      level: 'notice',
      title: 'More migration findings',
      message: '9 more findings are not annotated here (GitHub shows at most 10 errors and 10 warnings per step); the job summary lists all of them.'
    })
  })

  it('adds no notice when nothing was left out', () => {
    const annotations = annotationsOf(report({ migrations: [migration('0005_a', many(10, 'unsafe', 'u'))] }))
    expect(annotations).toHaveLength(10)
    expect(annotations.some((a) => a.level === 'notice')).toBe(false)
  })

  it('honours a smaller limit', () => {
    const annotations = annotationsOf(report({ migrations: [migration('0005_a', many(3, 'warning', 'w'))] }), 2)
    expect(annotations.map((a) => a.level)).toEqual(['warning', 'warning', 'notice'])
    expect(annotations.at(-1)!.message).toMatch(/^1 more finding is not annotated/)
  })

  it('writes messages as one plain line: no markdown code spans or emphasis, no line breaks', () => {
    const [annotation] = annotationsOf(
      report({
        migrations: [
          migration('0005_a', [
            {
              rule: 'add-field-not-null',
              severity: 'unsafe',
              message: 'adds `book.summary` as **NOT NULL**\nwithout a default',
              safeAlternative: 'Use a `db_default`\r\nor backfill.'
            }
          ])
        ]
      })
    )
    expect(annotation!.message).toBe('Adds "book.summary" as NOT NULL without a default. Instead: Use a "db_default" or backfill.')
    expect(annotation!.message).not.toMatch(/[\r\n`*]/)
  })

  it('leaves the line out when the finding has none', () => {
    const [annotation] = annotationsOf(report({ migrations: [migration('0005_a', [{ rule: 'x', severity: 'error', line: null }])] }))
    expect(annotation).not.toHaveProperty('startLine')
    expect(annotation!.file).toBe('shop/migrations/0005_a.py')
  })

  it('annotates graph problems and conflicts as errors', () => {
    const annotations = annotationsOf(
      report({
        graphProblems: [{ kind: 'missing-dependency', message: 'depends on shop.0009_gone', path: 'shop/migrations/0006_x.py', line: 4, tree: 'merge' }],
        conflicts: [
          {
            app: 'shop',
            leaves: [
              { name: '0005_price', path: 'shop/migrations/0005_price.py', side: 'main' },
              { name: '0005_summary', path: 'shop/migrations/0005_summary.py', side: 'pr' }
            ],
            commonAncestor: 'shop.0004',
            branches: { main: [], pr: [] },
            overlap: { models: [], fields: [], opaque: [] },
            needsHumanReview: false,
            reason: '',
            preexisting: false,
            fix: { renames: [], patch: null, unavailable: null, mergeCommand: 'python manage.py makemigrations --merge shop' }
          }
        ]
      })
    )
    expect(annotations).toEqual([
      expect.objectContaining({ level: 'error', title: 'error: missing-dependency', file: 'shop/migrations/0006_x.py', startLine: 4 }),
      expect.objectContaining({ level: 'error', title: 'unsafe: conflicting-leaves in shop.0005_summary', file: 'shop/migrations/0005_summary.py' })
    ])
    expect(annotations[1]!.message).toMatch(/^After the merge, app 'shop' has 2 leaf migrations: 0005_price \(base branch\), 0005_summary \(this PR\); "migrate" will stop/)
  })

  it('annotates a graph problem Django only warns about as a warning', () => {
    const [annotation] = annotationsOf(
      report({ graphProblems: [{ kind: 'sourceless-migration', severity: 'warning', message: 'only a .pyc', path: 'shop/migrations/0006_x.pyc', line: 1, tree: 'merge' }] })
    )
    expect(annotation).toMatchObject({ level: 'warning', title: 'warning: sourceless-migration' })
  })

  it('gives the read-only query to run on production, then the safe alternative', () => {
    const [annotation] = annotationsOf(
      report({
        migrations: [
          migration('0006_unique_isbn', [
            {
              rule: 'alter-field-unique',
              severity: 'warning',
              message: 'makes book.isbn unique',
              productionCheck: { sql: 'SELECT isbn, count(*) FROM shop_book GROUP BY 1 HAVING count(*) > 1 LIMIT 10', meaning: 'rows here: the migration would fail', seededRows: 0 },
              safeAlternative: 'Remove the duplicates first.'
            }
          ])
        ]
      })
    )
    expect(annotation!.message).toBe(
      'Makes book.isbn unique. Check production (read-only; rows here: the migration would fail): SELECT isbn, count(*) FROM shop_book GROUP BY 1 HAVING count(*) > 1 LIMIT 10 Instead: Remove the duplicates first.'
    )
  })

  it('returns nothing for a clean report', () => {
    expect(annotationsOf(report({ verdict: 'safe' }))).toEqual([])
  })
})

// The report as SARIF 2.1.0: the structure code scanning requires, levels,
// locations, and the graph problems and conflicts the findings do not cover.
import { describe, expect, it } from 'vitest'
import { renderSarif } from '../../src/report/sarif.js'
import type { ConflictReport, Report } from '../../src/model/report.js'
import { conflict as sharedConflict, emptyReport as report, migrationWith as migration } from '../support/report-fixtures.js'

/** A conflict without a rename patch (SARIF reports it on the PR leaf's file). */
const conflict = (overrides: Partial<ConflictReport> = {}): ConflictReport =>
  sharedConflict({
    leaves: [
      { name: '0005_book_price', path: 'shop/migrations/0005_book_price.py', side: 'main' },
      { name: '0005_book_summary', path: 'shop/migrations/0005_book_summary.py', side: 'pr' }
    ],
    branches: { main: ['shop.0005_book_price'], pr: ['shop.0005_book_summary'] },
    reason: '',
    fix: { renames: [], patch: null, unavailable: null, mergeCommand: 'python manage.py makemigrations --merge shop' },
    ...overrides
  })


interface SarifResult {
  ruleId: string
  ruleIndex: number
  level: string
  message: { text: string }
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn?: number } } }>
}
interface Sarif {
  $schema: string
  version: string
  runs: Array<{
    tool: { driver: { name: string; version: string; informationUri: string; rules: Array<{ id: string; shortDescription: { text: string } }> } }
    results: SarifResult[]
  }>
}
const sarif = (r: Report) => renderSarif(r) as Sarif

const sample = () =>
  report({
    migrations: [
      migration('0005_book_summary', [
        { rule: 'add-field-not-null', severity: 'unsafe', line: 14, message: 'adds book.summary as NOT NULL', safeAlternative: 'Give it a `db_default`.' },
        { rule: 'add-index', severity: 'warning', line: 20 },
        { rule: 'add-model', severity: 'info', line: 8 },
        { rule: 'run-python-irreversible', severity: 'error', line: null },
        { rule: 'remove-field', severity: 'unsafe', line: 30, ignored: { reason: 'column unused', source: 'inline' } }
      ])
    ]
  })

describe('SARIF output', () => {
  it('has the required top-level structure: schema, version 2.1.0, one run with a named, versioned driver', () => {
    const output = sarif(sample())
    expect(output.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/)
    expect(output.version).toBe('2.1.0')
    expect(output.runs).toHaveLength(1)
    const { driver } = output.runs[0]!.tool
    expect(driver.name).toBe('django-migration-review')
    expect(driver.version).toBe('0.1.0')
    expect(driver.informationUri).toMatch(/^https:\/\//)
  })

  it('has one rule per distinct rule id used, with a short description, and results point at them', () => {
    const run = sarif(sample()).runs[0]!
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual(['add-field-not-null', 'add-index', 'add-model', 'run-python-irreversible'])
    expect(run.tool.driver.rules[0]!.shortDescription.text).toBe('Add field not null')
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId)
  })

  it('maps error and unsafe to error, warning to warning and info to note', () => {
    const levels = Object.fromEntries(sarif(sample()).runs[0]!.results.map((r) => [r.ruleId, r.level]))
    expect(levels).toEqual({ 'add-field-not-null': 'error', 'add-index': 'warning', 'add-model': 'note', 'run-python-irreversible': 'error' })
  })

  it('leaves out ignored findings', () => {
    expect(sarif(sample()).runs[0]!.results.map((r) => r.ruleId)).not.toContain('remove-field')
  })

  it('locates each result in the migration file at its line', () => {
    const [first] = sarif(sample()).runs[0]!.results
    expect(first!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'shop/migrations/0005_book_summary.py' },
      region: { startLine: 14 }
    })
    expect(first!.message.text).toBe('Adds book.summary as NOT NULL. Instead: Give it a `db_default`.')
  })

  it('gives a finding with no line no region at all', () => {
    const result = sarif(sample()).runs[0]!.results.find((r) => r.ruleId === 'run-python-irreversible')!
    expect(result.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'shop/migrations/0005_book_summary.py' } })
  })

  it('reports graph problems at their path, line and column', () => {
    const output = sarif(
      report({
        graphProblems: [{ kind: 'missing-dependency', message: 'depends on shop.0009_gone, which does not exist', path: 'shop/migrations/0006_x.py', line: 9, column: 5, tree: 'merge' }]
      })
    )
    expect(output.runs[0]!.results).toEqual([
      expect.objectContaining({
        ruleId: 'missing-dependency',
        level: 'error',
        locations: [{ physicalLocation: { artifactLocation: { uri: 'shop/migrations/0006_x.py' }, region: { startLine: 9, startColumn: 5 } } }]
      })
    ])
  })

  it('reports a conflict on the PR leaf’s file, as an error, or a warning when it was already on the base branch', () => {
    const fresh = sarif(report({ conflicts: [conflict()] })).runs[0]!.results
    expect(fresh).toHaveLength(1)
    expect(fresh[0]).toMatchObject({ ruleId: 'conflicting-leaves', level: 'error' })
    expect(fresh[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('shop/migrations/0005_book_summary.py')
    expect(fresh[0]!.message.text).toMatch(/makemigrations --merge shop/)

    const old = sarif(report({ conflicts: [conflict({ preexisting: true })] })).runs[0]!.results
    expect(old[0]).toMatchObject({ level: 'warning' })
  })

  it('does not repeat a conflict or graph problem that a finding on the same migration already reports', () => {
    const output = sarif(
      report({
        conflicts: [conflict()],
        graphProblems: [{ kind: 'syntax-error', message: 'invalid syntax', path: 'shop/migrations/0005_book_summary.py', line: 3, tree: 'head' }],
        migrations: [
          migration('0005_book_summary', [
            { rule: 'conflicting-leaves', severity: 'unsafe', line: 6 },
            { rule: 'syntax-error', severity: 'error', line: 3 }
          ])
        ]
      })
    )
    expect(output.runs[0]!.results.map((r) => r.ruleId)).toEqual(['conflicting-leaves', 'syntax-error'])
  })

  it('keeps an ignored conflict finding silent instead of resurrecting it from the conflict list', () => {
    const output = sarif(
      report({
        conflicts: [conflict()],
        migrations: [migration('0005_book_summary', [{ rule: 'conflicting-leaves', severity: 'unsafe', ignored: { reason: 'merging soon', source: 'config' } }])]
      })
    )
    expect(output.runs[0]!.results).toEqual([])
  })

  it('percent-encodes unusual characters in paths', () => {
    const m = migration('0002_ümlaut name', [{ rule: 'add-index' }])
    const output = sarif(report({ migrations: [m] }))
    expect(output.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('shop/migrations/0002_%C3%BCmlaut%20name.py')
  })

  it('is deterministic: the same report renders to the same JSON', () => {
    expect(JSON.stringify(renderSarif(sample()))).toBe(JSON.stringify(renderSarif(sample())))
  })

  it('renders a report with nothing to say as a run with no rules and no results', () => {
    const run = sarif(report({ verdict: 'safe' })).runs[0]!
    expect(run.results).toEqual([])
    expect(run.tool.driver.rules).toEqual([])
  })
})

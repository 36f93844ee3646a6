// Running the rules with the repository's config and inline ignores: a rule
// switched off or re-graded, a finding silenced with a reason (and only with
// one), by the config file or by a comment at the operation.
import { describe, expect, it } from 'vitest'
import { EMPTY_CONFIG } from '../../src/config/repo-config.js'
import type { RepoConfig } from '../../src/model/options.js'
import { DEFAULT_SWAPPABLE } from '../../src/graph/graph.js'
import { migrationKey } from '../../src/model/migration.js'
import { evaluateRules } from '../../src/rules/evaluate.js'
import type { RuleFinding } from '../../src/model/findings.js'
import { migrationsFromFiles } from '../../src/review/tree-migrations.js'
import { appFiles, createModel, migrationSource } from '../support/django-project.js'

const INITIAL = migrationSource({
  initial: true,
  operations: [createModel('Book', { title: 'models.CharField(max_length=100)', subtitle: 'models.CharField(max_length=200, null=True)' })]
})

const REMOVE_SUBTITLE = 'migrations.RemoveField(model_name="book", name="subtitle")'
const ADD_INDEX = 'migrations.AddIndex(model_name="book", index=models.Index(fields=["title"], name="shop_book_title_idx"))'

/** A PR migration `shop.0002_pr` whose operations list holds these lines verbatim (comments included). */
function prMigration(lines: string[]): string {
  return [
    'from django.db import migrations, models',
    '',
    '',
    'class Migration(migrations.Migration):',
    '    dependencies = [',
    '        ("shop", "0001_initial"),',
    '    ]',
    '',
    '    operations = [',
    ...lines.map((line) => `        ${line}`),
    '    ]',
    ''
  ].join('\n')
}

function evaluate(source: string, config: Partial<RepoConfig> = {}): RuleFinding[] {
  const files = new Map(Object.entries(appFiles('shop', { '0001_initial': INITIAL, '0002_pr': source })))
  const tree = migrationsFromFiles(files, { projectRoot: '', exclude: [], swappable: DEFAULT_SWAPPABLE })
  expect(tree.parseErrors).toEqual([])
  const file = tree.files.find((candidate) => candidate.name === '0002_pr')!
  const results = evaluateRules({
    merged: tree.graph,
    added: [file],
    sources: new Map([[migrationKey(file), source]]),
    config: { ...EMPTY_CONFIG, ...config }
  })
  return results.get('shop.0002_pr')!
}

const lineOf = (source: string, text: string): number => source.split('\n').findIndex((line) => line.includes(text)) + 1
const active = (findings: RuleFinding[]) => findings.filter((finding) => finding.ignored === undefined).map((finding) => finding.rule)
const find = (findings: RuleFinding[], rule: string) => findings.find((finding) => finding.rule === rule)

describe('the config file', () => {
  const source = prMigration([`${REMOVE_SUBTITLE},`, `${ADD_INDEX},`])

  it('drops the findings of a rule set to "off", and only those', () => {
    const findings = evaluate(source, { rules: { 'add-index': 'off' } })
    expect(findings.map((finding) => finding.rule)).toEqual(['remove-field'])
  })

  it('re-grades a rule set to another level, keeping its message and line', () => {
    const plain = find(evaluate(source), 'remove-field')!
    const regraded = find(evaluate(source, { rules: { 'remove-field': 'info' } }), 'remove-field')!
    expect(regraded).toEqual({ ...plain, severity: 'info' })
    expect(regraded.ignored).toBeUndefined()
  })

  it('re-grades every case of a rule, also those the rule grades on its own', () => {
    // A nullable unique column is add-unique's milder case (warning); the configured level wins.
    const findings = evaluate(prMigration(['migrations.AddField(model_name="book", name="ean", field=models.CharField(max_length=13, null=True, unique=True)),']), {
      rules: { 'add-unique': 'unsafe' }
    })
    expect(find(findings, 'add-unique')!.severity).toBe('unsafe')
  })

  it('silences a finding listed under "ignore", keeping it in the list with the reason', () => {
    const findings = evaluate(source, {
      ignore: [{ rule: 'remove-field', migration: 'shop.0002_pr', reason: 'no code has read subtitle since release 41' }]
    })
    expect(find(findings, 'remove-field')!.ignored).toEqual({ reason: 'no code has read subtitle since release 41', source: 'config' })
    expect(active(findings)).toEqual(['add-index'])
  })

  it('does not silence the same rule in another migration', () => {
    const findings = evaluate(source, { ignore: [{ rule: 'remove-field', migration: 'shop.0003_other', reason: 'not this one' }] })
    expect(active(findings)).toEqual(['remove-field', 'add-index'])
  })
})

describe('inline ignores', () => {
  it('silence a finding with a comment and reason on the operation\'s line', () => {
    const source = prMigration([`${REMOVE_SUBTITLE},  # migration-review: ignore remove-field -- the column has been unused since 2023`])
    const finding = find(evaluate(source), 'remove-field')!
    expect(finding.ignored).toEqual({ reason: 'the column has been unused since 2023', source: 'inline' })
    expect(finding.line).toBe(lineOf(source, 'RemoveField'))
  })

  it('silence a finding with the comment on the line above the operation', () => {
    const source = prMigration(['# migration-review: ignore add-index -- the table has 40 rows', `${ADD_INDEX},`])
    expect(find(evaluate(source), 'add-index')!.ignored).toEqual({ reason: 'the table has 40 rows', source: 'inline' })
  })

  it('silence a finding with the comment inside a multi-line operation', () => {
    const source = prMigration([
      'migrations.RemoveField(',
      '    model_name="book",  # migration-review: ignore remove-field -- unused since 2023',
      '    name="subtitle",',
      '),'
    ])
    expect(find(evaluate(source), 'remove-field')!.ignored?.source).toBe('inline')
  })

  it('name several rules, separated by commas', () => {
    const source = prMigration([
      '# migration-review: ignore add-foreign-key, add-field-nullable -- the book table has 3 rows',
      'migrations.AddField(model_name="book", name="sequel", field=models.ForeignKey(null=True, on_delete=models.SET_NULL, to="shop.book")),'
    ])
    expect(active(evaluate(source))).toEqual([])
  })

  it('do not silence another rule', () => {
    const source = prMigration([`${REMOVE_SUBTITLE},  # migration-review: ignore add-index -- the table has 40 rows`])
    expect(find(evaluate(source), 'remove-field')!.ignored).toBeUndefined()
  })

  it('do not reach an operation two lines further down', () => {
    const source = prMigration(['# migration-review: ignore add-index -- the table has 40 rows', `${REMOVE_SUBTITLE},`, `${ADD_INDEX},`])
    const findings = evaluate(source)
    expect(find(findings, 'add-index')!.ignored).toBeUndefined()
  })

  it('at the end of an operation\'s line do not reach the next operation', () => {
    const source = prMigration([
      'migrations.AddIndex(model_name="book", index=models.Index(fields=["subtitle"], name="shop_book_sub_idx")),  # migration-review: ignore add-index -- subtitles are rarely set',
      `${ADD_INDEX},`
    ])
    const findings = evaluate(source).filter((finding) => finding.rule === 'add-index')
    expect(findings.map((finding) => [finding.line, finding.ignored?.reason ?? null])).toEqual([
      [lineOf(source, 'shop_book_sub_idx'), 'subtitles are rarely set'],
      [lineOf(source, 'shop_book_title_idx'), null]
    ])
  })

  it('without a reason leave the finding active and add a warning at the comment\'s line', () => {
    const source = prMigration(['# migration-review: ignore add-index', `${ADD_INDEX},`])
    const findings = evaluate(source)
    expect(find(findings, 'add-index')!.ignored).toBeUndefined()
    const warning = find(findings, 'ignore-without-reason')!
    expect(warning).toMatchObject({ severity: 'warning', line: lineOf(source, '# migration-review'), evidence: 'static' })
    expect(warning.message).toContain('add-index')
    expect(warning.message).toContain('--')
    expect(active(findings)).toEqual(['add-index', 'ignore-without-reason'])
  })

  it('take precedence over a config ignore of the same finding, and the reason shown is the inline one', () => {
    const source = prMigration([`${REMOVE_SUBTITLE},  # migration-review: ignore remove-field -- read by nothing`])
    const findings = evaluate(source, { ignore: [{ rule: 'remove-field', migration: 'shop.0002_pr', reason: 'from the config' }] })
    expect(find(findings, 'remove-field')!.ignored).toEqual({ reason: 'read by nothing', source: 'inline' })
  })

  it('without a reason still leave a config ignore in force', () => {
    const source = prMigration([`${REMOVE_SUBTITLE},  # migration-review: ignore remove-field`])
    const findings = evaluate(source, { ignore: [{ rule: 'remove-field', migration: 'shop.0002_pr', reason: 'from the config' }] })
    expect(find(findings, 'remove-field')!.ignored).toEqual({ reason: 'from the config', source: 'config' })
    expect(active(findings)).toEqual(['ignore-without-reason'])
  })
})

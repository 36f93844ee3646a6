// Mechanical fixes as replacement lines: offered only where the edit is
// certain, on the operation's own lines.
import { describe, expect, it } from 'vitest'
import { EMPTY_CONFIG } from '../../src/config/repo-config.js'
import { DEFAULT_SWAPPABLE } from '../../src/graph/graph.js'
import { migrationKey } from '../../src/model/migration.js'
import { migrationsFromFiles } from '../../src/review/tree-migrations.js'
import { evaluateRules } from '../../src/rules/evaluate.js'
import { suggestFixes } from '../../src/rules/suggestions.js'
import { appFiles, createModel, migrationSource, type MigrationSpec } from '../support/django-project.js'

const INITIAL = migrationSource({ initial: true, operations: [createModel('Book', { title: 'models.CharField(max_length=100)' })] })

function suggestions(operations: string[], djangoVersion: string | null = '5.2.19', spec: Omit<MigrationSpec, 'operations'> = {}) {
  const source = migrationSource({ dependencies: [['shop', '0001_initial']], operations, ...spec })
  const files = new Map(Object.entries(appFiles('shop', { '0001_initial': INITIAL, '0002_pr': source })))
  const tree = migrationsFromFiles(files, { projectRoot: '', exclude: [], swappable: DEFAULT_SWAPPABLE })
  const file = tree.files.find((candidate) => candidate.name === '0002_pr')!
  const sources = new Map([[migrationKey(file), source]])
  const findings = evaluateRules({ merged: tree.graph, added: [file], sources, config: EMPTY_CONFIG })
  const lines = source.split('\n')
  return (suggestFixes({ added: [file], sources, findings, djangoVersion: djangoVersion ?? undefined }).get('shop.0002_pr') ?? []).map((s) => ({
    ...s,
    replaced: lines.slice(s.line - 1, s.endLine).join('\n')
  }))
}

const PREAMBLE = 'def fill(apps, schema_editor):\n    pass'

describe('a suggested fix', () => {
  it('gives a RunPython without reverse_code `migrations.RunPython.noop`, on its own line', () => {
    const [fix] = suggestions(['migrations.RunPython(fill)'], null, { preamble: PREAMBLE })
    expect(fix).toMatchObject({ rule: 'run-python-irreversible', replaced: '        migrations.RunPython(fill),', replacement: '        migrations.RunPython(fill, reverse_code=migrations.RunPython.noop),' })
  })

  it('keeps the lines of a RunPython written over several', () => {
    const [fix] = suggestions(['migrations.RunPython(\n            fill,\n            elidable=True,\n        )'], null, { preamble: PREAMBLE })
    expect(fix!.line).toBeLessThan(fix!.endLine)
    expect(fix!.replacement).toBe('        migrations.RunPython(\n            fill,\n            elidable=True,\n            reverse_code=migrations.RunPython.noop,\n        ),')
  })

  it('gives a NOT NULL field with a literal Python default the same db_default on Django 5.0 and later, not before', () => {
    const operation = 'migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'
    const [fix] = suggestions([operation])
    expect(fix).toMatchObject({ rule: 'add-field-not-null', replacement: '        migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0, db_default=0)),' })
    expect(suggestions([operation], '4.2.30')).toEqual([])
    expect(suggestions([operation], null)).toEqual([])
  })

  it('is not offered for a callable default, nor where another operation shares the lines', () => {
    expect(suggestions(['migrations.AddField(model_name="book", name="code", field=models.UUIDField(default=uuid.uuid4))'], '5.2.19', { preamble: 'import uuid' })).toEqual([])
    expect(suggestions(['migrations.RunPython(fill), migrations.RunPython(fill)'], null, { preamble: PREAMBLE })).toEqual([])
  })
})

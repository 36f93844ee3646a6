// The rules table as a specification: for every rule, a migration a Django
// team would write that triggers it (with the line, severity, what breaks, the
// deploy order and the safe alternative), and the near misses that must not.
// Migrations are Python source, read by the real parser and evaluated on a
// graph built from the files.
import { describe, expect, it } from 'vitest'
import { EMPTY_CONFIG } from '../../src/config/repo-config.js'
import { DEFAULT_SWAPPABLE } from '../../src/graph/graph.js'
import { migrationKey } from '../../src/model/migration.js'
import { evaluateRules } from '../../src/rules/evaluate.js'
import type { RuleFinding } from '../../src/model/findings.js'
import { RULES } from '../../src/rules/table.js'
import { migrationsFromFiles } from '../../src/review/tree-migrations.js'
import { appFiles, createModel, migrationSource, type MigrationSpec } from '../support/django-project.js'

// ---- a shop app with authors and books on the base branch -----------------

const INITIAL = migrationSource({
  initial: true,
  operations: [
    createModel('Author', { name: 'models.CharField(max_length=100)' }),
    createModel('Book', {
      title: 'models.CharField(max_length=100)',
      subtitle: 'models.CharField(max_length=200, null=True)',
      pages: 'models.IntegerField()',
      isbn: 'models.CharField(max_length=13, null=True)',
      slug: 'models.SlugField(max_length=100, db_index=True)',
      author: 'models.ForeignKey(on_delete=models.CASCADE, to="shop.author")'
    })
  ]
})

const POSTGRES_OPERATIONS = 'from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently'
const FORWARDS = 'def forwards(apps, schema_editor):\n    apps.get_model("shop", "Book").objects.filter(subtitle=None).update(subtitle="")'
/** A base migration giving Book a `price` numeric(8, 2). */
const WITH_PRICE = [{ operations: ['migrations.AddField(model_name="book", name="price", field=models.DecimalField(decimal_places=2, max_digits=8, null=True))'] }]
const alterPrice = (digits: number, places: number, extra = '') =>
  `migrations.AlterField(model_name="book", name="price", field=models.DecimalField(decimal_places=${places}, max_digits=${digits}, null=True${extra ? `, ${extra}` : ''}))`

interface Evaluated {
  /** Findings of the last PR migration. */
  findings: RuleFinding[]
  /** Its source text. */
  source: string
  /** Findings of every PR migration, in order. */
  each: RuleFinding[][]
}

/**
 * Evaluates the PR's migrations (each depending on the one before it, the
 * first on the base's last) on top of 0001_initial and any further base
 * migrations.
 */
function evaluate(pr: MigrationSpec[], base: MigrationSpec[] = []): Evaluated {
  const migrations: Record<string, string> = { '0001_initial': INITIAL }
  const prNames: string[] = []
  let previous = '0001_initial'
  const add = (spec: MigrationSpec, kind: 'base' | 'pr') => {
    const name = `${String(Object.keys(migrations).length + 1).padStart(4, '0')}_${kind}`
    migrations[name] = migrationSource({ dependencies: [['shop', previous]], ...spec })
    previous = name
    return name
  }
  base.forEach((spec) => add(spec, 'base'))
  pr.forEach((spec) => prNames.push(add(spec, 'pr')))

  const files = new Map(Object.entries(appFiles('shop', migrations)))
  const tree = migrationsFromFiles(files, { projectRoot: '', exclude: [], swappable: DEFAULT_SWAPPABLE })
  expect(tree.parseErrors).toEqual([])
  const added = prNames.map((name) => tree.files.find((file) => file.name === name)!)
  const sources = new Map(added.map((file) => [migrationKey(file), migrations[file.name]!]))
  const results = evaluateRules({ merged: tree.graph, added, sources, config: EMPTY_CONFIG })
  const each = added.map((file) => results.get(migrationKey(file))!)
  return { findings: each[each.length - 1]!, source: migrations[prNames[prNames.length - 1]!]!, each }
}

/** One PR migration with these operations. */
const review = (operations: string[], spec: Omit<MigrationSpec, 'operations'> = {}): Evaluated => evaluate([{ ...spec, operations }])

const rulesOf = (findings: readonly RuleFinding[]) => findings.map((finding) => finding.rule)

/** The one finding of `rule`. */
function only(findings: readonly RuleFinding[], rule: string): RuleFinding {
  const matching = findings.filter((finding) => finding.rule === rule)
  expect(matching, `findings: ${rulesOf(findings).join(', ')}`).toHaveLength(1)
  return matching[0]!
}

/** The 1-based line of the first line holding `text` (independent of the parser). */
function lineOf(source: string, text: string, from = 1): number {
  const index = source.split('\n').findIndex((line, i) => i + 1 >= from && line.includes(text))
  expect(index, `"${text}" in the migration`).toBeGreaterThanOrEqual(0)
  return index + 1
}

const tested = new Set<string>()
/** Marks a rule as specified; the last test checks every rule in RULES was. */
const triggers = (rule: string) => {
  tested.add(rule)
  return `${rule}:`
}

// ---- the rules ---------------------------------------------------------

describe(triggers('add-model'), () => {
  it('reports a new table as info: nothing running uses it yet, so migrate first', () => {
    const { findings, source } = review([createModel('Review', { stars: 'models.IntegerField()' })])
    expect(only(findings, 'add-model')).toMatchObject({
      severity: 'info',
      line: lineOf(source, 'migrations.CreateModel'),
      breaks: [],
      deployOrder: 'migrate-first',
      evidence: 'static'
    })
    expect(only(findings, 'add-model').message).toContain('Review')
    expect(only(findings, 'add-model').safeAlternative).toBeUndefined()
  })

  it('reports nothing else for fields of the new model, NOT NULL or not', () => {
    const { findings } = review([
      createModel('Review', { stars: 'models.IntegerField()', book: 'models.ForeignKey(on_delete=models.CASCADE, to="shop.book")' }),
      'migrations.AddField(model_name="review", name="body", field=models.TextField())',
      'migrations.AddIndex(model_name="review", index=models.Index(fields=["stars"], name="shop_review_stars_idx"))'
    ])
    expect(rulesOf(findings)).toEqual(['add-model'])
  })
})

describe(triggers('add-field-nullable'), () => {
  it('reports a nullable column on an existing table as info, migrate first', () => {
    const { findings, source } = review(['migrations.AddField(model_name="book", name="blurb", field=models.TextField(null=True))'])
    expect(rulesOf(findings)).toEqual(['add-field-nullable'])
    const finding = only(findings, 'add-field-nullable')
    expect(finding).toMatchObject({ severity: 'info', line: lineOf(source, 'migrations.AddField'), breaks: [], deployOrder: 'migrate-first' })
    expect(finding.message).toContain('book.blurb as nullable')
  })

  it('reports a NOT NULL column with db_default the same way: the database fills it for the old code', () => {
    const { findings } = review(['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(db_default=0))'])
    expect(rulesOf(findings)).toEqual(['add-field-nullable'])
    expect(only(findings, 'add-field-nullable')).toMatchObject({ severity: 'info', deployOrder: 'migrate-first' })
    expect(only(findings, 'add-field-nullable').message).toContain('with a database default')
  })

  it('reads db_default=None on a nullable column as what it is: a nullable column', () => {
    const { findings } = review(['migrations.AddField(model_name="book", name="rating", field=models.IntegerField(db_default=None, null=True))'])
    expect(rulesOf(findings)).toEqual(['add-field-nullable'])
    expect(only(findings, 'add-field-nullable').message).toContain('as nullable')
  })

  it('says nothing about a ManyToManyField: it adds a table, not a column', () => {
    const { findings } = review(['migrations.AddField(model_name="book", name="co_authors", field=models.ManyToManyField(to="shop.author"))'])
    expect(findings).toEqual([])
  })
})

describe(triggers('add-field-not-null'), () => {
  it('flags a NOT NULL column without a default: the migration fails on rows, the old code cannot insert', () => {
    const { findings, source } = review(['migrations.AddField(model_name="book", name="stock", field=models.IntegerField())'])
    expect(rulesOf(findings)).toEqual(['add-field-not-null'])
    const finding = only(findings, 'add-field-not-null')
    expect(finding).toMatchObject({
      severity: 'unsafe',
      line: lineOf(source, 'migrations.AddField'),
      breaks: ['old-code', 'data'],
      deployOrder: 'multi-step'
    })
    expect(finding.message).toContain('adds book.stock as NOT NULL without a default')
    expect(finding.safeAlternative).toContain('db_default')
  })

  it('flags a NOT NULL column with only a Python default: Django drops the default, the old code INSERTs fail', () => {
    const { findings } = review(['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'])
    const finding = only(findings, 'add-field-not-null')
    expect(finding).toMatchObject({ severity: 'unsafe', breaks: ['old-code'], deployOrder: 'multi-step' })
    expect(finding.message).toContain('only a Python default')
    expect(finding.message).toContain('NOT NULL violation')
  })

  it('flags it the same with a one-off default (preserve_default=False)', () => {
    const { findings } = review([
      'migrations.AddField(model_name="book", name="language", field=models.CharField(default="en", max_length=2), preserve_default=False)'
    ])
    expect(only(findings, 'add-field-not-null').message).toContain('only a Python default')
  })

  it('reads positional arguments like keywords', () => {
    const keywords = review(['migrations.AddField(model_name="book", name="stock", field=models.IntegerField())'])
    const positional = review(['migrations.AddField("book", "stock", models.IntegerField())'])
    expect(positional.findings).toEqual(keywords.findings)
    expect(only(positional.findings, 'add-field-not-null').message).toContain('book.stock')
  })

  it('says nothing for a model created in the same migration', () => {
    const { findings } = review([
      createModel('Review', { stars: 'models.IntegerField()' }),
      'migrations.AddField(model_name="review", name="body", field=models.TextField())'
    ])
    expect(rulesOf(findings)).toEqual(['add-model'])
  })

  it('says nothing for a model created by an earlier migration of the same PR', () => {
    const { each } = evaluate([
      { operations: [createModel('Review', { stars: 'models.IntegerField()' })] },
      { operations: ['migrations.AddField(model_name="review", name="body", field=models.TextField())'] }
    ])
    expect(rulesOf(each[0]!)).toEqual(['add-model'])
    expect(each[1]).toEqual([])
  })

  it('still flags a model that was created on the base branch, even by a recent migration', () => {
    const { findings } = evaluate(
      [{ operations: ['migrations.AddField(model_name="review", name="body", field=models.TextField())'] }],
      [{ operations: [createModel('Review', { stars: 'models.IntegerField()' })] }]
    )
    expect(rulesOf(findings)).toEqual(['add-field-not-null'])
  })

  it('flags db_default=None on a NOT NULL column: DEFAULT NULL fills no row, the migration fails on a table with rows', () => {
    const { findings, source } = review(['migrations.AddField(model_name="book", name="rating", field=models.IntegerField(db_default=None))'])
    expect(rulesOf(findings)).toEqual(['add-field-not-null'])
    const finding = only(findings, 'add-field-not-null')
    expect(finding).toMatchObject({ severity: 'unsafe', line: lineOf(source, 'migrations.AddField'), breaks: ['old-code', 'data'], deployOrder: 'multi-step' })
    expect(finding.message).toContain('db_default=None, a database default of NULL')
    expect(finding.message).toContain('fails on a table that has rows')
  })

  it('flags db_default=Value(None) and db_default=None beside a Python default the same way', () => {
    for (const field of [
      'models.IntegerField(db_default=django.db.models.Value(None))',
      'models.IntegerField(db_default=models.Value(value=None))',
      'models.IntegerField(default=0, db_default=None)'
    ]) {
      const { findings } = review([`migrations.AddField(model_name="book", name="rating", field=${field})`])
      expect(rulesOf(findings), field).toEqual(['add-field-not-null'])
      expect(only(findings, 'add-field-not-null').message, field).toContain('a database default of NULL')
    }
  })

  it('says nothing for a nullable field or one with db_default', () => {
    for (const field of ['models.IntegerField(null=True)', 'models.IntegerField(db_default=0)', 'models.IntegerField(default=0, db_default=0)']) {
      const { findings } = review([`migrations.AddField(model_name="book", name="stock", field=${field})`])
      expect(rulesOf(findings), field).not.toContain('add-field-not-null')
    }
  })
})

describe(triggers('add-field-volatile-default'), () => {
  const addToken = (field: string) => `migrations.AddField(model_name="book", name="token", field=${field})`

  it('warns that a volatile db_default rewrites the table: PostgreSQL computes it for every existing row', () => {
    const { findings, source } = review([addToken('models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID())')], {
      preamble: 'import django.contrib.postgres.functions'
    })
    // The old code's INSERTs still get a value: the column itself is compatible, the rewrite is the risk.
    expect(rulesOf(findings)).toEqual(['add-field-nullable', 'add-field-volatile-default'])
    const finding = only(findings, 'add-field-volatile-default')
    expect(finding).toMatchObject({
      severity: 'warning',
      line: lineOf(source, 'migrations.AddField'),
      breaks: ['locks'],
      deployOrder: 'migrate-first',
      model: 'shop.book',
      provenBy: ['rewrite']
    })
    expect(finding.message).toContain('adds book.token with a volatile database default, RandomUUID() (gen_random_uuid())')
    expect(finding.message).toContain('rewrites the table and its indexes under an ACCESS EXCLUSIVE lock')
    expect(finding.safeAlternative).toContain('SET DEFAULT')
  })

  it('knows the other volatile expressions, inside an expression too, and on a nullable column', () => {
    for (const [field, named] of [
      ['models.FloatField(db_default=models.functions.Random())', 'Random() (random())'],
      ['models.UUIDField(db_default=models.functions.UUID4())', 'UUID4()'],
      ['models.UUIDField(db_default=models.Func(function="gen_random_uuid", output_field=models.UUIDField()))', 'gen_random_uuid()'],
      ['models.DateTimeField(db_default=models.Func(template="clock_timestamp()", output_field=models.DateTimeField()))', 'clock_timestamp()'],
      ['models.CharField(max_length=40, db_default=models.functions.Cast(models.functions.Random(), models.CharField()))', 'Random()'],
      ['models.UUIDField(null=True, db_default=RandomUUID())', 'RandomUUID()']
    ] as const) {
      const { findings } = review([addToken(field)])
      expect(only(findings, 'add-field-volatile-default').message, field).toContain(named)
    }
  })

  it('says nothing about a constant or stable db_default, a Python default, or a table created in this PR', () => {
    for (const field of [
      'models.IntegerField(db_default=0)',
      'models.DateTimeField(db_default=models.functions.Now())',
      'models.CharField(max_length=10, db_default=models.Value("random"))',
      'models.UUIDField(default=uuid.uuid4, null=True)'
    ]) {
      const { findings } = review([addToken(field)])
      expect(rulesOf(findings), field).not.toContain('add-field-volatile-default')
    }
    const { findings } = review([createModel('Review'), 'migrations.AddField(model_name="review", name="token", field=models.UUIDField(db_default=RandomUUID()))'])
    expect(rulesOf(findings)).toEqual(['add-model'])
  })

  it('says nothing when an existing column gets the volatile default: SET DEFAULT applies only to new rows', () => {
    const { findings } = review(['migrations.AlterField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True, db_default=models.Func(function="random")))'])
    expect(rulesOf(findings)).not.toContain('add-field-volatile-default')
  })
})

describe(triggers('remove-field'), () => {
  it('flags dropping a nullable column: old code selects it, so deploy the code first', () => {
    const { findings, source } = review(['migrations.RemoveField(model_name="book", name="subtitle")'])
    expect(rulesOf(findings)).toEqual(['remove-field'])
    const finding = only(findings, 'remove-field')
    expect(finding).toMatchObject({
      severity: 'unsafe',
      line: lineOf(source, 'migrations.RemoveField'),
      breaks: ['old-code', 'data'],
      deployOrder: 'deploy-first'
    })
    expect(finding.message).toContain('drops book.subtitle')
    expect(finding.message).toContain('column does not exist')
    expect(finding.safeAlternative).toContain('SeparateDatabaseAndState(state_operations=[RemoveField(...)])')
  })

  it('asks for several steps to drop a NOT NULL column: new code cannot insert while it exists', () => {
    const { findings } = review(['migrations.RemoveField(model_name="book", name="pages")'])
    const finding = only(findings, 'remove-field')
    expect(finding).toMatchObject({ severity: 'unsafe', deployOrder: 'multi-step' })
    expect(finding.message).toContain('a NOT NULL column')
  })

  it('says nothing when the field leaves only the state (SeparateDatabaseAndState state_operations)', () => {
    const { findings } = review([
      'migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField(model_name="book", name="subtitle")])'
    ])
    expect(findings).toEqual([])
  })

  it('flags the database side of SeparateDatabaseAndState, at the inner operation\'s line', () => {
    const operation = [
      'migrations.SeparateDatabaseAndState(',
      '            database_operations=[',
      '                migrations.RemoveField(model_name="book", name="subtitle"),',
      '            ],',
      '            state_operations=[],',
      '        )'
    ].join('\n')
    const { findings, source } = review([operation])
    const finding = only(findings, 'remove-field')
    expect(finding.line).toBe(lineOf(source, 'migrations.RemoveField'))
    expect(finding.line).toBeGreaterThan(lineOf(source, 'SeparateDatabaseAndState'))
    expect(finding.operationIndex).toBe(0)
  })

  it('says nothing about a field of a model created in this PR', () => {
    const { each } = evaluate([
      { operations: [createModel('Review', { stars: 'models.IntegerField()' })] },
      { operations: ['migrations.RemoveField(model_name="review", name="stars")'] }
    ])
    expect(each[1]).toEqual([])
  })
})

describe(triggers('remove-model'), () => {
  it('flags dropping a table: the running code queries it and its rows are lost', () => {
    const { findings, source } = review(['migrations.DeleteModel(name="Author")'])
    expect(rulesOf(findings)).toEqual(['remove-model'])
    const finding = only(findings, 'remove-model')
    expect(finding).toMatchObject({
      severity: 'unsafe',
      line: lineOf(source, 'migrations.DeleteModel'),
      breaks: ['old-code', 'data'],
      deployOrder: 'deploy-first'
    })
    expect(finding.message).toContain('drops the table of Author')
    expect(finding.safeAlternative).toContain('state_operations=[DeleteModel(...)]')
  })

  it('says nothing when the model leaves only the state', () => {
    const { findings } = review(['migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Author")])'])
    expect(findings).toEqual([])
  })

  it('says nothing about a model created and dropped within the PR', () => {
    const { each } = evaluate([{ operations: [createModel('Draft')] }, { operations: ['migrations.DeleteModel("Draft")'] }])
    expect(each[1]).toEqual([])
  })
})

describe(triggers('state-only-remove-not-null'), () => {
  const stateOnly = (state: string[], database: string[] = []) =>
    `migrations.SeparateDatabaseAndState(database_operations=[${database.join(', ')}], state_operations=[${state.join(', ')}])`
  const REMOVE_PAGES = 'migrations.RemoveField(model_name="book", name="pages")'

  it('flags a NOT NULL column without a database default left in the table: the new code\'s INSERTs leave it out and fail', () => {
    const { findings, source } = review([stateOnly([REMOVE_PAGES])])
    expect(rulesOf(findings)).toEqual(['state-only-remove-not-null'])
    const finding = only(findings, 'state-only-remove-not-null')
    expect(finding).toMatchObject({
      severity: 'unsafe',
      line: lineOf(source, 'migrations.SeparateDatabaseAndState'),
      breaks: ['new-code'],
      deployOrder: 'multi-step',
      model: 'shop.book',
      operationIndex: 0,
      provenBy: []
    })
    expect(finding.message).toContain("removes book.pages from Django's state only")
    expect(finding.message).toContain('NOT NULL violation')
    expect(finding.safeAlternative).toContain('database_operations=[AlterField(')
  })

  it('reads the column as the database has it: a state-only AlterField before the removal does not make it nullable', () => {
    const { findings } = review([stateOnly(['migrations.AlterField(model_name="book", name="pages", field=models.IntegerField(null=True))', REMOVE_PAGES])])
    expect(rulesOf(findings)).toEqual(['state-only-remove-not-null'])
  })

  it('says nothing about a nullable column, one with a database default, or a many-to-many field', () => {
    const { findings: nullable } = review([stateOnly(['migrations.RemoveField(model_name="book", name="subtitle")'])])
    expect(nullable).toEqual([])
    const { findings: filled } = evaluate(
      [{ operations: [stateOnly(['migrations.RemoveField(model_name="book", name="stock")'])] }],
      [{ operations: ['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(db_default=0))'] }]
    )
    expect(filled).toEqual([])
    const { findings: m2m } = evaluate(
      [{ operations: [stateOnly(['migrations.RemoveField(model_name="book", name="editors")'])] }],
      [{ operations: ['migrations.AddField(model_name="book", name="editors", field=models.ManyToManyField(to="shop.author"))'] }]
    )
    expect(m2m).toEqual([])
  })

  it('says nothing when the database side makes the column optional, drops it, or may do anything (RunSQL)', () => {
    for (const database of [
      'migrations.AlterField(model_name="book", name="pages", field=models.IntegerField(null=True))',
      'migrations.RunSQL("ALTER TABLE shop_book ALTER COLUMN pages DROP NOT NULL", migrations.RunSQL.noop)'
    ]) {
      const { findings } = review([stateOnly([REMOVE_PAGES], [database])])
      expect(rulesOf(findings), database).not.toContain('state-only-remove-not-null')
    }
    const { findings } = review([stateOnly([REMOVE_PAGES], [REMOVE_PAGES])])
    expect(rulesOf(findings)).toEqual(['remove-field'])
  })

  it('still flags it on a model created earlier in the PR: the new code inserts into that table too', () => {
    const { each } = evaluate([
      { operations: [createModel('Review', { stars: 'models.IntegerField()' })] },
      { operations: [stateOnly(['migrations.RemoveField(model_name="review", name="stars")'])] }
    ])
    expect(only(each[1]!, 'state-only-remove-not-null').message).toContain('review.stars')
  })
})

describe(triggers('rename-field'), () => {
  it('flags renaming a column: old and new code each break on the other\'s schema', () => {
    const { findings, source } = review(['migrations.RenameField(model_name="book", old_name="subtitle", new_name="tagline")'])
    expect(rulesOf(findings)).toEqual(['rename-field'])
    const finding = only(findings, 'rename-field')
    expect(finding).toMatchObject({
      severity: 'unsafe',
      line: lineOf(source, 'migrations.RenameField'),
      breaks: ['old-code', 'new-code'],
      deployOrder: 'multi-step'
    })
    expect(finding.message).toContain('book.subtitle to tagline')
    expect(finding.safeAlternative).toContain('db_column')
  })

  it('reads positional arguments like keywords', () => {
    const { findings } = review(['migrations.RenameField("book", "subtitle", "tagline")'])
    expect(only(findings, 'rename-field').message).toContain('book.subtitle to tagline')
  })

  it('says nothing when the field keeps its column with db_column (what makemigrations writes for that)', () => {
    // makemigrations: first pin the old column name, then rename the field; no schema change.
    const { findings } = review([
      'migrations.AlterField(model_name="book", name="subtitle", field=models.CharField(db_column="subtitle", max_length=200, null=True))',
      'migrations.RenameField(model_name="book", old_name="subtitle", new_name="tagline")'
    ])
    expect(findings).toEqual([])
  })

  it('says nothing when the column was pinned with db_column by an earlier migration', () => {
    const { findings } = evaluate(
      [{ operations: ['migrations.RenameField(model_name="book", old_name="subtitle", new_name="tagline")'] }],
      [{ operations: ['migrations.AlterField(model_name="book", name="subtitle", field=models.CharField(db_column="subtitle", max_length=200, null=True))'] }]
    )
    expect(findings).toEqual([])
  })
})

describe(triggers('state-only-rename-field'), () => {
  const RENAME = 'migrations.RenameField(model_name="book", old_name="subtitle", new_name="tagline")'
  const stateOnly = (state: string[], database: string[] = []) =>
    `migrations.SeparateDatabaseAndState(database_operations=[${database.join(', ')}], state_operations=[${state.join(', ')}])`

  it('flags a rename in the state only without db_column: the table keeps the old column, the new code queries the new one', () => {
    const { findings, source } = review([stateOnly([RENAME])])
    expect(rulesOf(findings)).toEqual(['state-only-rename-field'])
    const finding = only(findings, 'state-only-rename-field')
    expect(finding).toMatchObject({ severity: 'unsafe', line: lineOf(source, 'SeparateDatabaseAndState'), breaks: ['new-code'], model: 'shop.book', provenBy: [] })
    expect(finding.deployOrder).toBeUndefined()
    expect(finding.message).toContain("renames book.subtitle to tagline in Django's state only")
    expect(finding.message).toContain('column does not exist')
    expect(finding.safeAlternative).toContain('db_column')
  })

  it('says nothing when the state pins the old column with db_column first, or an earlier migration did', () => {
    const pin = 'migrations.AlterField(model_name="book", name="subtitle", field=models.CharField(db_column="subtitle", max_length=200, null=True))'
    expect(review([stateOnly([pin, RENAME])]).findings).toEqual([])
    expect(evaluate([{ operations: [stateOnly([RENAME])] }], [{ operations: [pin] }]).findings).toEqual([])
  })

  it('flags a db_column set in the state only to a column the table does not have', () => {
    const pin = 'migrations.AlterField(model_name="book", name="subtitle", field=models.CharField(db_column="sub_title", max_length=200, null=True))'
    expect(rulesOf(review([stateOnly([pin, RENAME])]).findings)).toEqual(['state-only-rename-field'])
  })

  it('leaves a rename the database side does as well to rename-field, and says nothing next to RunSQL', () => {
    expect(rulesOf(review([stateOnly([RENAME], [RENAME])]).findings)).toEqual(['rename-field'])
    const sql = 'migrations.RunSQL("ALTER TABLE shop_book RENAME COLUMN subtitle TO tagline", migrations.RunSQL.noop)'
    expect(review([stateOnly([RENAME], [sql])]).findings).toEqual([])
  })
})

describe(triggers('rename-model'), () => {
  it('flags renaming a table', () => {
    const { findings, source } = review(['migrations.RenameModel(old_name="Author", new_name="Writer")'])
    const finding = only(findings, 'rename-model')
    expect(finding).toMatchObject({
      severity: 'unsafe',
      line: lineOf(source, 'migrations.RenameModel'),
      breaks: ['old-code', 'new-code'],
      deployOrder: 'multi-step'
    })
    expect(finding.message).toContain('Author')
    expect(finding.message).toContain('Writer')
    expect(finding.safeAlternative).toContain('db_table')
  })

  it('says nothing about renaming a model created in this PR', () => {
    const { each } = evaluate([{ operations: [createModel('Draft')] }, { operations: ['migrations.RenameModel("Draft", "Sketch")'] }])
    expect(each[1]).toEqual([])
  })
})

describe(triggers('rename-model-keep-table'), () => {
  const RENAME_AUTHOR = 'migrations.RenameModel(old_name="Author", new_name="Writer")'

  it('warns, not unsafe, when the table is kept with AlterModelTable: the old code works, the foreign keys are re-validated under lock', () => {
    const { findings, source } = review([RENAME_AUTHOR, 'migrations.AlterModelTable(name="writer", table="shop_author")'])
    expect(rulesOf(findings)).toEqual(['rename-model-keep-table'])
    const finding = only(findings, 'rename-model-keep-table')
    expect(finding).toMatchObject({
      severity: 'warning',
      line: lineOf(source, 'migrations.RenameModel'),
      breaks: ['locks'],
      model: 'shop.author',
      provenBy: ['blocking-lock']
    })
    expect(finding.deployOrder).toBeUndefined()
    expect(finding.message).toContain('keeps its table shop_author')
    expect(finding.message).toContain('renames the table to shop_writer and back')
    expect(finding.message).toContain('(book.author)')
    expect(finding.safeAlternative).toContain('SeparateDatabaseAndState(state_operations=[RenameModel(...), AlterModelTable(...)])')
  })

  it('reports it as info when no foreign key points to the model: two renames of the table, nothing else', () => {
    const { findings } = review(['migrations.RenameModel("Book", "Volume")', 'migrations.AlterModelTable("volume", "shop_book")'])
    expect(only(findings, 'rename-model-keep-table')).toMatchObject({ severity: 'info' })
    expect(only(findings, 'rename-model-keep-table').message).toContain('catalog changes only')
  })

  it('is still rename-model when AlterModelTable names another table', () => {
    const { findings } = review([RENAME_AUTHOR, 'migrations.AlterModelTable(name="writer", table="shop_writers")'])
    expect(rulesOf(findings)).toEqual(['rename-model'])
  })

  it('is still rename-model when a many-to-many table involves the model: Django renames its column after the model', () => {
    const { findings } = evaluate(
      [{ operations: [RENAME_AUTHOR, 'migrations.AlterModelTable(name="writer", table="shop_author")'] }],
      [{ operations: ['migrations.AddField(model_name="book", name="editors", field=models.ManyToManyField(to="shop.author"))'] }]
    )
    expect(rulesOf(findings)).toEqual(['rename-model'])
  })
})

describe(triggers('alter-field-type'), () => {
  it('warns that a new column type rewrites the table under an ACCESS EXCLUSIVE lock', () => {
    const { findings, source } = review(['migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField())'])
    expect(rulesOf(findings)).toEqual(['alter-field-type'])
    const finding = only(findings, 'alter-field-type')
    expect(finding).toMatchObject({
      severity: 'warning',
      line: lineOf(source, 'migrations.AlterField'),
      breaks: ['locks'],
      deployOrder: 'migrate-first'
    })
    expect(finding.message).toContain('book.pages from IntegerField to BigIntegerField')
    expect(finding.message).toContain('ACCESS EXCLUSIVE')
    expect(finding.safeAlternative).toContain('backfill')
  })

  it('flags a shorter max_length as unsafe: the migration fails on longer values, deploy the code first', () => {
    const { findings } = review(['migrations.AlterField(model_name="book", name="title", field=models.CharField(max_length=50))'])
    const finding = only(findings, 'alter-field-type')
    expect(finding).toMatchObject({ severity: 'unsafe', breaks: ['old-code', 'data'], deployOrder: 'deploy-first' })
    expect(finding.message).toContain('shortens book.title from max_length 100 to 50')
  })

  it('counts the default max_length of SlugField when a CharField becomes one', () => {
    const { findings } = review(['migrations.AlterField(model_name="book", name="title", field=models.SlugField())'])
    expect(only(findings, 'alter-field-type').message).toContain('from max_length 100 to 50')
  })

  it('says nothing about a longer max_length or a CharField made a TextField: no rewrite', () => {
    for (const field of ['models.CharField(max_length=255)', 'models.TextField()', 'models.SlugField(max_length=100)']) {
      const { findings } = review([`migrations.AlterField(model_name="book", name="title", field=${field})`])
      expect(findings, field).toEqual([])
    }
  })

  it('says nothing when only Python-side options change', () => {
    const { findings } = review([
      'migrations.AlterField(model_name="book", name="pages", field=models.IntegerField(help_text="Number of pages", verbose_name="pages"))'
    ])
    expect(findings).toEqual([])
  })

  it('compares with the definition left by earlier migrations, not the initial one', () => {
    // 0001 says max_length=100, the base's 0002 made it 300: 200 is shorter than what the table has now.
    const { findings } = evaluate(
      [{ operations: ['migrations.AlterField(model_name="book", name="title", field=models.CharField(max_length=200))'] }],
      [{ operations: ['migrations.AlterField(model_name="book", name="title", field=models.CharField(max_length=300))'] }]
    )
    expect(only(findings, 'alter-field-type').message).toContain('from max_length 300 to 200')
  })

  it('follows a RenameField in between to the field\'s old definition', () => {
    const { findings } = evaluate(
      [{ operations: ['migrations.AlterField(model_name="book", name="page_count", field=models.BigIntegerField())'] }],
      [{ operations: ['migrations.RenameField(model_name="book", old_name="pages", new_name="page_count")'] }]
    )
    expect(only(findings, 'alter-field-type').message).toContain('book.page_count from IntegerField to BigIntegerField')
  })

  it('follows a RenameField earlier in the same PR', () => {
    const { each } = evaluate([
      { operations: ['migrations.RenameField(model_name="book", old_name="pages", new_name="page_count")'] },
      { operations: ['migrations.AlterField("book", "page_count", models.BigIntegerField())'] }
    ])
    expect(rulesOf(each[0]!)).toEqual(['rename-field'])
    expect(only(each[1]!, 'alter-field-type').message).toContain('from IntegerField to BigIntegerField')
  })

  it('reads positional arguments like keywords', () => {
    const { findings } = review(['migrations.AlterField("book", "pages", models.BigIntegerField())'])
    expect(only(findings, 'alter-field-type').message).toContain('book.pages from IntegerField to BigIntegerField')
  })

  it('flags fewer decimal_places as unsafe: PostgreSQL rounds every stored value, the digits are lost', () => {
    const { findings, source } = evaluate([{ operations: [alterPrice(8, 1)] }], WITH_PRICE)
    expect(rulesOf(findings)).toEqual(['alter-field-type'])
    const finding = only(findings, 'alter-field-type')
    expect(finding).toMatchObject({ severity: 'unsafe', line: lineOf(source, 'migrations.AlterField'), breaks: ['data', 'locks'], deployOrder: 'deploy-first' })
    expect(finding.message).toContain('changes book.price from numeric(8, 2) to numeric(8, 1)')
    expect(finding.message).toContain('rounds every stored value to 1 decimal place')
    expect(finding.message).not.toContain('overflow')
    expect(finding.safeAlternative).toContain('decimal_places')
  })

  it('flags fewer digits before the point as unsafe: values that no longer fit fail the migration, and the old code may write them', () => {
    for (const [digits, places, left] of [
      [6, 2, 4],
      [8, 3, 5]
    ] as const) {
      const finding = only(evaluate([{ operations: [alterPrice(digits, places)] }], WITH_PRICE).findings, 'alter-field-type')
      expect(finding, `${digits}, ${places}`).toMatchObject({ severity: 'unsafe', breaks: ['old-code', 'data', 'locks'], deployOrder: 'deploy-first' })
      expect(finding.message).toContain(`only ${left} digits are left before the point instead of 6`)
      expect(finding.message).toContain('numeric field overflow')
    }
  })

  it('warns that more decimal_places rewrite the table, and says nothing about more max_digits at the same scale', () => {
    const more = only(evaluate([{ operations: [alterPrice(10, 4)] }], WITH_PRICE).findings, 'alter-field-type')
    expect(more).toMatchObject({ severity: 'warning', breaks: ['locks'], deployOrder: 'migrate-first' })
    expect(more.message).toContain('from numeric(8, 2) to numeric(10, 4)')
    expect(more.message).toContain('rewrites the table')
    expect(evaluate([{ operations: [alterPrice(12, 2)] }], WITH_PRICE).findings).toEqual([])
    expect(evaluate([{ operations: [alterPrice(8, 2, 'help_text="Price in EUR"')] }], WITH_PRICE).findings).toEqual([])
  })

  it('flags a change to a column the old code reads back as another Python type as unsafe: IntegerField to CharField', () => {
    const { findings } = review(['migrations.AlterField(model_name="book", name="pages", field=models.CharField(default="0", max_length=20))'])
    const finding = only(findings, 'alter-field-type')
    expect(finding).toMatchObject({ severity: 'unsafe', breaks: ['old-code', 'locks'], deployOrder: 'multi-step' })
    expect(finding.message).toContain('changes book.pages from IntegerField to CharField')
    expect(finding.message).toContain('writes and filters it as int but reads back str values')
    expect(finding.message).toContain('rewrites the table')
  })

  it('keeps a rewrite between fields read as the same type, or of a type it does not know, a warning', () => {
    for (const field of ['models.BigIntegerField()', 'models.SmallIntegerField()', 'django.contrib.postgres.fields.ArrayField(models.IntegerField())']) {
      const finding = only(review([`migrations.AlterField(model_name="book", name="pages", field=${field})`]).findings, 'alter-field-type')
      expect(finding.severity, field).toBe('warning')
    }
  })

  it('says nothing when the earlier definition is unknown (a field not in any migration)', () => {
    const { findings } = review(['migrations.AlterField(model_name="book", name="ghost", field=models.BigIntegerField())'])
    expect(findings).toEqual([])
  })
})

describe(triggers('alter-field-not-null'), () => {
  it('flags making a nullable column NOT NULL: fails on NULLs, scans under lock, old code writing NULL breaks', () => {
    const { findings, source } = review(['migrations.AlterField(model_name="book", name="subtitle", field=models.CharField(max_length=200))'])
    expect(rulesOf(findings)).toEqual(['alter-field-not-null'])
    const finding = only(findings, 'alter-field-not-null')
    expect(finding).toMatchObject({
      severity: 'unsafe',
      line: lineOf(source, 'migrations.AlterField'),
      breaks: ['old-code', 'data', 'locks'],
      deployOrder: 'deploy-first'
    })
    expect(finding.message).toContain('makes book.subtitle NOT NULL')
    expect(finding.message).toContain('fails if any row holds NULL')
    expect(finding.safeAlternative).toContain('NOT VALID')
  })

  it('says that a default fills the NULLs first', () => {
    const { findings } = review(['migrations.AlterField(model_name="book", name="subtitle", field=models.CharField(default="", max_length=200))'])
    expect(only(findings, 'alter-field-not-null').message).toContain('fills its NULLs with the default')
  })

  it('says nothing about a column that was NOT NULL already, or stays nullable', () => {
    for (const [name, field] of [
      ['pages', 'models.IntegerField(default=0)'],
      ['subtitle', 'models.CharField(max_length=200, null=True, blank=True)']
    ]) {
      const { findings } = review([`migrations.AlterField(model_name="book", name="${name}", field=${field})`])
      expect(findings, field).toEqual([])
    }
  })
})

describe(triggers('add-index'), () => {
  it('warns that AddIndex blocks writes while it builds, and points to AddIndexConcurrently', () => {
    const { findings, source } = review(['migrations.AddIndex(model_name="book", index=models.Index(fields=["title"], name="shop_book_title_idx"))'])
    expect(rulesOf(findings)).toEqual(['add-index'])
    const finding = only(findings, 'add-index')
    expect(finding).toMatchObject({ severity: 'warning', line: lineOf(source, 'migrations.AddIndex'), breaks: ['locks'], deployOrder: 'migrate-first' })
    expect(finding.message).toContain('without CONCURRENTLY')
    expect(finding.safeAlternative).toContain('AddIndexConcurrently')
    expect(finding.safeAlternative).toContain('atomic = False')
  })

  it('warns about a field gaining db_index', () => {
    const { findings } = review(['migrations.AlterField(model_name="book", name="isbn", field=models.CharField(db_index=True, max_length=13, null=True))'])
    expect(rulesOf(findings)).toEqual(['add-index'])
    expect(only(findings, 'add-index').message).toContain('indexes book.isbn')
  })

  it('warns about a new column with db_index', () => {
    const { findings } = review(['migrations.AddField(model_name="book", name="sku", field=models.CharField(db_index=True, max_length=20, null=True))'])
    expect(rulesOf(findings)).toEqual(['add-field-nullable', 'add-index'])
  })

  it('says nothing about an index built concurrently in a non-atomic migration', () => {
    const { findings } = review(
      ['AddIndexConcurrently(model_name="book", index=models.Index(fields=["title"], name="shop_book_title_idx"))'],
      { atomic: false, preamble: POSTGRES_OPERATIONS }
    )
    expect(findings).toEqual([])
  })

  it('says nothing about a field that was indexed already', () => {
    const { findings } = review(['migrations.AlterField(model_name="book", name="slug", field=models.SlugField(max_length=100, db_index=True, help_text="URL"))'])
    expect(findings).toEqual([])
  })

  it('says nothing about index_together being emptied (the move to Meta.indexes)', () => {
    const { findings } = review(['migrations.AlterIndexTogether(name="book", index_together=set())'])
    expect(findings).toEqual([])
  })
})

describe(triggers('add-unique'), () => {
  it('flags a UniqueConstraint on an existing table: fails on duplicates, blocks writes while it scans', () => {
    const { findings, source } = review([
      'migrations.AddConstraint(model_name="book", constraint=models.UniqueConstraint(fields=("isbn",), name="shop_book_isbn_unique"))'
    ])
    expect(rulesOf(findings)).toEqual(['add-unique'])
    const finding = only(findings, 'add-unique')
    expect(finding).toMatchObject({
      severity: 'unsafe',
      line: lineOf(source, 'migrations.AddConstraint'),
      breaks: ['data', 'locks'],
      deployOrder: 'migrate-first'
    })
    expect(finding.message).toContain('fails if rows already repeat a value')
    expect(finding.safeAlternative).toContain('CREATE UNIQUE INDEX CONCURRENTLY')
  })

  it('flags unique_together the same way', () => {
    const { findings } = review(['migrations.AlterUniqueTogether(name="book", unique_together={("title", "author")})'])
    expect(only(findings, 'add-unique').severity).toBe('unsafe')
  })

  it('flags a field made unique', () => {
    const { findings } = review(['migrations.AlterField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True, unique=True))'])
    expect(rulesOf(findings)).toEqual(['add-unique'])
  })

  it('flags a new unique column with a default: every row gets the same value', () => {
    const { findings } = review(['migrations.AddField(model_name="book", name="code", field=models.CharField(default="x", max_length=8, unique=True))'])
    const finding = only(findings, 'add-unique')
    expect(finding.severity).toBe('unsafe')
    expect(finding.message).toContain('every existing row gets the same value')
  })

  it('only warns about a new nullable unique column: the index is built under lock, NULLs do not collide', () => {
    const { findings } = review(['migrations.AddField(model_name="book", name="ean", field=models.CharField(max_length=13, null=True, unique=True))'])
    expect(only(findings, 'add-unique')).toMatchObject({ severity: 'warning', breaks: ['locks'] })
    expect(rulesOf(findings)).not.toContain('add-index')
  })

  it('leaves a new unique NOT NULL column without a default to add-field-not-null', () => {
    const { findings } = review(['migrations.AddField(model_name="book", name="code", field=models.CharField(max_length=8, unique=True))'])
    expect(rulesOf(findings)).toEqual(['add-field-not-null'])
  })

  it('says nothing about unique_together being emptied (the move to Meta.constraints)', () => {
    for (const value of ['set()', '()', 'None']) {
      const { findings } = review([`migrations.AlterUniqueTogether(name="book", unique_together=${value})`])
      expect(findings, value).toEqual([])
    }
  })

  it('says nothing about a field that was unique already', () => {
    const { each } = evaluate([
      { operations: ['migrations.AlterField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True, unique=True))'] },
      { operations: ['migrations.AlterField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True, unique=True, help_text="ISBN-13"))'] }
    ])
    expect(rulesOf(each[0]!)).toEqual(['add-unique'])
    expect(each[1]).toEqual([])
  })
})

describe(triggers('add-check-constraint'), () => {
  it('warns that a CHECK constraint validates every row under an ACCESS EXCLUSIVE lock', () => {
    const { findings, source } = review([
      'migrations.AddConstraint(model_name="book", constraint=models.CheckConstraint(condition=models.Q(pages__gte=0), name="shop_book_pages_positive"))'
    ])
    expect(rulesOf(findings)).toEqual(['add-check-constraint'])
    const finding = only(findings, 'add-check-constraint')
    expect(finding).toMatchObject({
      severity: 'warning',
      line: lineOf(source, 'migrations.AddConstraint'),
      breaks: ['data', 'locks'],
      deployOrder: 'migrate-first'
    })
    expect(finding.message).toContain('CHECK constraint')
    expect(finding.safeAlternative).toContain('AddConstraintNotValid')
  })

  it('says nothing about a CHECK constraint on a model created in this PR', () => {
    const { findings } = review([
      createModel('Review', { stars: 'models.IntegerField()' }),
      'migrations.AddConstraint(model_name="review", constraint=models.CheckConstraint(condition=models.Q(stars__lte=5), name="stars_max"))'
    ])
    expect(rulesOf(findings)).toEqual(['add-model'])
  })
})

describe(triggers('add-foreign-key'), () => {
  it('warns that a new foreign key validates every row and builds its index while blocking writes', () => {
    const { findings, source } = review([
      'migrations.AddField(model_name="book", name="editor", field=models.ForeignKey(null=True, on_delete=models.SET_NULL, to="shop.author"))'
    ])
    expect(rulesOf(findings)).toEqual(['add-field-nullable', 'add-foreign-key'])
    const finding = only(findings, 'add-foreign-key')
    expect(finding).toMatchObject({ severity: 'warning', line: lineOf(source, 'migrations.AddField'), breaks: ['locks'], deployOrder: 'migrate-first' })
    expect(finding.message).toContain('adds a foreign key on book.editor: its index is built without CONCURRENTLY')
    expect(finding.safeAlternative).toContain('db_constraint=False')
    expect(finding.safeAlternative).toContain('NOT VALID')
  })

  it('leaves the index out of the message with db_index=False', () => {
    const { findings } = review([
      'migrations.AddField(model_name="book", name="editor", field=models.ForeignKey(db_index=False, null=True, on_delete=models.SET_NULL, to="shop.author"))'
    ])
    expect(only(findings, 'add-foreign-key').message).not.toContain('index')
  })

  it('says nothing about a foreign key with db_constraint=False', () => {
    const { findings } = review([
      'migrations.AddField(model_name="book", name="editor", field=models.ForeignKey(db_constraint=False, null=True, on_delete=models.DO_NOTHING, to="shop.author"))'
    ])
    expect(rulesOf(findings)).toEqual(['add-field-nullable'])
  })

  it('says nothing when an existing foreign key only changes on_delete', () => {
    const { findings } = review(['migrations.AlterField(model_name="book", name="author", field=models.ForeignKey(on_delete=models.PROTECT, to="shop.author"))'])
    expect(findings).toEqual([])
  })
})

describe(triggers('remove-index'), () => {
  it('warns that RemoveIndex waits for an ACCESS EXCLUSIVE lock', () => {
    const { findings, source } = review(['migrations.RemoveIndex(model_name="book", name="shop_book_title_idx")'])
    expect(rulesOf(findings)).toEqual(['remove-index'])
    const finding = only(findings, 'remove-index')
    expect(finding).toMatchObject({ severity: 'warning', line: lineOf(source, 'migrations.RemoveIndex'), breaks: ['locks'], deployOrder: 'migrate-first' })
    expect(finding.safeAlternative).toContain('RemoveIndexConcurrently')
  })

  it('says nothing about RemoveIndexConcurrently in a non-atomic migration', () => {
    const { findings } = review(['RemoveIndexConcurrently(model_name="book", name="shop_book_title_idx")'], {
      atomic: false,
      preamble: POSTGRES_OPERATIONS
    })
    expect(findings).toEqual([])
  })
})

describe(triggers('run-python-irreversible'), () => {
  it('warns that RunPython without reverse_code blocks a rollback', () => {
    const { findings, source } = review(['migrations.RunPython(forwards)'], { preamble: FORWARDS })
    expect(rulesOf(findings)).toEqual(['run-python-irreversible', 'run-python-opaque'])
    const finding = only(findings, 'run-python-irreversible')
    expect(finding).toMatchObject({ severity: 'warning', line: lineOf(source, 'migrations.RunPython'), breaks: [], model: null })
    expect(finding.deployOrder).toBeUndefined()
    expect(finding.message).toContain('IrreversibleError')
    expect(finding.safeAlternative).toContain('reverse_code=migrations.RunPython.noop')
  })

  it('warns the same about reverse_code=None', () => {
    const { findings } = review(['migrations.RunPython(forwards, reverse_code=None)'], { preamble: FORWARDS })
    expect(rulesOf(findings)).toEqual(['run-python-irreversible', 'run-python-opaque'])
  })

  it('says nothing with reverse_code=migrations.RunPython.noop, by keyword or by position', () => {
    for (const operation of ['migrations.RunPython(forwards, reverse_code=migrations.RunPython.noop)', 'migrations.RunPython(forwards, migrations.RunPython.noop)']) {
      const { findings } = review([operation], { preamble: FORWARDS })
      expect(rulesOf(findings), operation).toEqual(['run-python-opaque'])
    }
  })
})

describe(triggers('run-python-opaque'), () => {
  const REVERSE = `${FORWARDS}\n\n\ndef backwards(apps, schema_editor):\n    pass`

  it('warns that what a RunPython does to the data is not read statically: the rehearsal judges it', () => {
    const { findings, source } = review(['migrations.RunPython(forwards, backwards)'], { preamble: REVERSE })
    expect(rulesOf(findings)).toEqual(['run-python-opaque'])
    const finding = only(findings, 'run-python-opaque')
    expect(finding).toMatchObject({ severity: 'warning', line: lineOf(source, 'migrations.RunPython('), breaks: ['data'], model: null })
    expect(finding.deployOrder).toBeUndefined()
    expect(finding.message).toContain('RunPython runs `forwards`: whether it fails on some rows')
    expect(finding.message).toContain('cannot be read from the migration file')
    expect(finding.message).toContain('whether `backwards` undoes that')
    expect(finding.safeAlternative).toContain('--static-only')
  })

  it('is confirmed by what the rehearsal sees the code do, at that fact\'s own severity, and refuted when it ran it and saw none', () => {
    const finding = only(review(['migrations.RunPython(forwards, backwards)'], { preamble: REVERSE }).findings, 'run-python-opaque')
    expect(finding.provenBy).toEqual(['data-loss', 'reverse-data-loss', 'reverse-error'])
    expect(finding.severityWhenSeen).toEqual({ 'data-loss': 'info', 'reverse-data-loss': 'info', 'reverse-error': 'info' })
  })

  it('says that a RunPython.noop reverse leaves the changes in place', () => {
    const { findings } = review(['migrations.RunPython(forwards, migrations.RunPython.noop)'], { preamble: FORWARDS })
    expect(only(findings, 'run-python-opaque').message).toContain('its reverse, RunPython.noop, leaves them as they are')
  })

  it('says nothing about a RunPython whose forward is RunPython.noop', () => {
    const { findings } = review(['migrations.RunPython(migrations.RunPython.noop, reverse_code=backwards)'], { preamble: REVERSE })
    expect(findings).toEqual([])
  })
})

describe(triggers('run-sql-irreversible'), () => {
  it('warns that RunSQL without reverse_sql cannot be migrated back', () => {
    const { findings, source } = review(['migrations.RunSQL("UPDATE shop_book SET subtitle = \'\' WHERE subtitle IS NULL")'])
    expect(rulesOf(findings)).toEqual(['run-sql-irreversible'])
    const finding = only(findings, 'run-sql-irreversible')
    expect(finding).toMatchObject({ severity: 'warning', line: lineOf(source, 'migrations.RunSQL'), breaks: [] })
    expect(finding.deployOrder).toBeUndefined()
    expect(finding.safeAlternative).toContain('reverse_sql')
  })

  it('says nothing with reverse_sql, by keyword or by position', () => {
    for (const operation of [
      'migrations.RunSQL("CREATE INDEX CONCURRENTLY b ON shop_book (title)", reverse_sql="DROP INDEX CONCURRENTLY b")',
      'migrations.RunSQL("UPDATE shop_book SET pages = 0", migrations.RunSQL.noop)'
    ]) {
      const { findings } = review([operation], { atomic: false })
      expect(findings, operation).toEqual([])
    }
  })
})

describe(triggers('mixed-schema-and-data'), () => {
  it('warns about schema and data in one transaction, at the data operation\'s line', () => {
    const { findings, source } = review(
      [
        'migrations.AddField(model_name="book", name="blurb", field=models.TextField(null=True))',
        'migrations.RunPython(forwards, migrations.RunPython.noop)'
      ],
      { preamble: FORWARDS }
    )
    expect(rulesOf(findings)).toEqual(['add-field-nullable', 'run-python-opaque', 'mixed-schema-and-data'])
    const finding = only(findings, 'mixed-schema-and-data')
    expect(finding).toMatchObject({ severity: 'warning', line: lineOf(source, 'migrations.RunPython'), breaks: ['locks'], operationIndex: 1 })
    expect(finding.deployOrder).toBeUndefined()
    expect(finding.message).toContain('one transaction')
    expect(finding.safeAlternative).toContain('migration of their own')
  })

  it('says nothing when the migration is not atomic', () => {
    const { findings } = review(
      [
        'migrations.AddField(model_name="book", name="blurb", field=models.TextField(null=True))',
        'migrations.RunPython(forwards, migrations.RunPython.noop)'
      ],
      { atomic: false, preamble: FORWARDS }
    )
    expect(rulesOf(findings)).toEqual(['add-field-nullable', 'run-python-opaque'])
  })

  it('says nothing about data operations alone', () => {
    const { findings } = review(['migrations.RunPython(forwards, migrations.RunPython.noop)', 'migrations.RunSQL("SELECT 1", migrations.RunSQL.noop)'], {
      preamble: FORWARDS
    })
    expect(rulesOf(findings)).toEqual(['run-python-opaque'])
  })
})

describe(triggers('concurrent-in-atomic'), () => {
  it('reports AddIndexConcurrently in an atomic migration as an error: Postgres refuses it', () => {
    const { findings, source } = review(['AddIndexConcurrently(model_name="book", index=models.Index(fields=["title"], name="shop_book_title_idx"))'], {
      preamble: POSTGRES_OPERATIONS
    })
    expect(rulesOf(findings)).toEqual(['concurrent-in-atomic'])
    const finding = only(findings, 'concurrent-in-atomic')
    expect(finding).toMatchObject({ severity: 'error', line: lineOf(source, 'AddIndexConcurrently(model_name'), breaks: [] })
    expect(finding.message).toContain('cannot run inside a transaction block')
    expect(finding.safeAlternative).toContain('atomic = False')
  })

  it('reports each concurrent operation of the migration', () => {
    const { findings } = review(
      [
        'RemoveIndexConcurrently(model_name="book", name="shop_book_old_idx")',
        'AddIndexConcurrently(model_name="book", index=models.Index(fields=["title"], name="shop_book_title_idx"))'
      ],
      { preamble: POSTGRES_OPERATIONS }
    )
    expect(findings.map((finding) => [finding.rule, finding.operationIndex])).toEqual([
      ['concurrent-in-atomic', 0],
      ['concurrent-in-atomic', 1]
    ])
  })
})

describe('the table', () => {
  it('has a specification above for every rule', () => {
    expect(RULES.map((rule) => rule.id).filter((id) => !tested.has(id))).toEqual([])
  })

  it('gives a safe alternative for every rule that is not informational', () => {
    for (const rule of RULES) if (rule.severity !== 'info') expect(rule.safeAlternative, rule.id).not.toBe('')
  })
})

describe('near misses found after the first round of tests', () => {
  it('does not call a GeneratedField a NOT NULL column the old code must fill', () => {
    const { findings } = review([
      'migrations.AddField(model_name="book", name="title_length", field=models.GeneratedField(expression=models.functions.Length("title"), output_field=models.IntegerField(), db_persist=True))'
    ])
    expect(rulesOf(findings)).not.toContain('add-field-not-null')
  })

  it('calls IntegerField to PositiveIntegerField a validated CHECK, not a rewrite', () => {
    const finding = only(review(['migrations.AlterField(model_name="book", name="pages", field=models.PositiveIntegerField())']).findings, 'alter-field-type')
    expect(finding.message).toContain('no rewrite, but the new CHECK (>= 0) is validated')
    expect(finding.breaks).toEqual(['locks', 'data'])
  })

  it('does not count state-only operations as schema changes mixed with data', () => {
    const { findings } = review(['migrations.AlterModelOptions(name="book", options={"ordering": ["title"]})', 'migrations.RunPython(forwards, migrations.RunPython.noop)'], {
      preamble: FORWARDS
    })
    expect(rulesOf(findings)).not.toContain('mixed-schema-and-data')
  })
})

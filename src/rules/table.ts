// The rules: one entry per rule, in the order a reader meets them. Each says
// which operations it looks at, when it matches, how bad it is, what breaks
// while old and new code run side by side, the deploy order it implies, and
// what to do instead. Findings carry the operation's line.
import { argument, boolKeyword, fieldCall, stringArgument, type FieldCall } from '../graph/operation-args.js'
import type { Operation, PyValue } from '../model/migration.js'
import type { MigrationRule, OperationRule, Rule, RuleContext } from './types.js'

const CONCURRENT_OPERATIONS = new Set(['AddIndexConcurrently', 'RemoveIndexConcurrently'])
const DATA_OPERATIONS = new Set(['RunPython', 'RunSQL'])
// Operations that change Django's state but no table: nothing is locked by them.
const STATE_ONLY_OPERATIONS = new Set(['SeparateDatabaseAndState', 'AlterModelOptions', 'AlterModelManagers'])
const RELATION_FIELDS = new Set(['ForeignKey', 'OneToOneField', 'ForeignObject', 'ParentalKey'])

const modelOf = (operation: Operation, context: RuleContext): string | null => {
  const name = stringArgument(operation, 'model_name') ?? stringArgument(operation, 'name')
  return name ? `${context.file.app}.${name.toLowerCase()}` : null
}
const fieldOf = (operation: Operation): FieldCall | null => fieldCall(argument(operation, 'field'))
const previousField = (operation: Operation, context: RuleContext): FieldCall | null => {
  const model = modelOf(operation, context)
  const name = stringArgument(operation, 'name')
  return (model && name && context.fieldsBefore.get(model)?.get(name.toLowerCase())) || null
}
const isNullable = (field: FieldCall): boolean => boolKeyword(field.kwargs, 'null', false) === true
const hasDbDefault = (field: FieldCall): boolean => 'db_default' in field.kwargs
const isManyToMany = (field: FieldCall): boolean => field.type === 'ManyToManyField'
/** The database computes a GeneratedField (Django 5.0+): no value to give, no NULL to fear. */
const isGenerated = (field: FieldCall): boolean => field.type === 'GeneratedField'
const isUnique = (field: FieldCall): boolean => boolKeyword(field.kwargs, 'unique', false) === true || field.type === 'OneToOneField'
const isIndexed = (field: FieldCall): boolean =>
  boolKeyword(field.kwargs, 'db_index', RELATION_FIELDS.has(field.type)) === true && !isUnique(field)
// The max_length Django gives these fields when the migration does not say.
const DEFAULT_MAX_LENGTH: Record<string, number> = { SlugField: 50, EmailField: 254, URLField: 200, FilePathField: 100 }
const maxLength = (field: FieldCall): number | null => {
  const value = field.kwargs.max_length
  if (value === undefined) return DEFAULT_MAX_LENGTH[field.type] ?? null
  return value.kind === 'int' ? value.value : null
}
/** `unique_together=set()` and the like: the option is being emptied, nothing is built. */
const isEmptyOption = (value: PyValue | undefined): boolean =>
  value === undefined ||
  value.kind === 'none' ||
  ((value.kind === 'list' || value.kind === 'tuple' || value.kind === 'set') && value.items.length === 0) ||
  (value.kind === 'call' && ['set', 'tuple', 'list'].includes(value.callee) && value.args.length === 0)
const onExistingTable = (operation: Operation, context: RuleContext): boolean => {
  const model = modelOf(operation, context)
  return model !== null && !context.newModels.has(model)
}
const fieldLabel = (operation: Operation): string =>
  `${stringArgument(operation, 'model_name') ?? '?'}.${stringArgument(operation, 'name') ?? '?'}`

/** Type changes Postgres does without rewriting the table (binary-coercible). */
/** Integer fields that share a column type; the Positive* ones add only a CHECK (>= 0). */
const INTEGER_STORAGE: Record<string, string> = {
  SmallIntegerField: 'smallint',
  PositiveSmallIntegerField: 'smallint',
  IntegerField: 'integer',
  PositiveIntegerField: 'integer',
  BigIntegerField: 'bigint',
  PositiveBigIntegerField: 'bigint'
}

function typeChange(before: FieldCall, after: FieldCall): 'none' | 'widen' | 'narrow' | 'check' | 'rewrite' {
  const textual = new Set(['CharField', 'SlugField', 'EmailField', 'URLField', 'FilePathField'])
  if (before.type !== after.type && INTEGER_STORAGE[before.type] !== undefined && INTEGER_STORAGE[before.type] === INTEGER_STORAGE[after.type]) {
    return after.type.startsWith('Positive') ? 'check' : 'none'
  }
  if (before.type === after.type) {
    const a = maxLength(before)
    const b = maxLength(after)
    if (a === null || b === null || a === b) return 'none'
    return b > a ? 'widen' : 'narrow'
  }
  if (textual.has(before.type) && (after.type === 'TextField' || textual.has(after.type))) {
    const a = maxLength(before)
    const b = maxLength(after)
    return after.type === 'TextField' || a === null || b === null || b >= a ? 'widen' : 'narrow'
  }
  return 'rewrite'
}

const addModel: OperationRule = {
  id: 'add-model',
  scope: 'operation',
  operations: ['CreateModel'],
  severity: 'info',
  breaks: [],
  deployOrder: 'migrate-first',
  safeAlternative: '',
  provenBy: [],
  match: (operation, context) => ({
    message: `creates the table for ${stringArgument(operation, 'name') ?? 'a model'}: the running code does not use it yet, so migrate first`,
    model: modelOf(operation, context)
  })
}

const addFieldNullable: OperationRule = {
  id: 'add-field-nullable',
  scope: 'operation',
  operations: ['AddField'],
  severity: 'info',
  breaks: [],
  deployOrder: 'migrate-first',
  safeAlternative: '',
  provenBy: ['old-code-breaks'],
  match: (operation, context) => {
    const field = fieldOf(operation)
    if (!field || isManyToMany(field) || !onExistingTable(operation, context)) return null
    if (!isNullable(field) && !hasDbDefault(field)) return null
    return {
      message: `adds ${fieldLabel(operation)} ${isNullable(field) ? 'as nullable' : 'with a database default'}: the running code's INSERTs still work, so migrate first`,
      model: modelOf(operation, context)
    }
  }
}

const addFieldNotNull: OperationRule = {
  id: 'add-field-not-null',
  scope: 'operation',
  operations: ['AddField'],
  severity: 'unsafe',
  breaks: ['old-code'],
  deployOrder: 'multi-step',
  safeAlternative:
    'On Django 5.0 or later give the field a `db_default` (the database fills it for the old code\'s INSERTs). Before 5.0: add it with `null=True`, deploy code that writes it, backfill existing rows in batches, then make it NOT NULL in a later release.',
  provenBy: ['old-code-breaks', 'apply-error'],
  explains: ['23502'],
  match: (operation, context) => {
    const field = fieldOf(operation)
    if (!field || isManyToMany(field) || isGenerated(field) || !onExistingTable(operation, context)) return null
    if (isNullable(field) || hasDbDefault(field)) return null
    const hasDefault = 'default' in field.kwargs
    return {
      message: hasDefault
        ? `adds ${fieldLabel(operation)} as NOT NULL with only a Python default: Django removes the database default after filling existing rows, so INSERTs from the code still running (which does not know the field) fail with a NOT NULL violation`
        : `adds ${fieldLabel(operation)} as NOT NULL without a default: the migration fails on a table that has rows, and the running code's INSERTs fail after it`,
      breaks: hasDefault ? ['old-code'] : ['old-code', 'data'],
      model: modelOf(operation, context)
    }
  }
}

const removeField: OperationRule = {
  id: 'remove-field',
  scope: 'operation',
  operations: ['RemoveField'],
  severity: 'unsafe',
  breaks: ['old-code', 'data'],
  deployOrder: 'deploy-first',
  safeAlternative:
    'Release 1: remove the field from the model but keep the column, with `SeparateDatabaseAndState(state_operations=[RemoveField(...)])` (make it nullable first if it is NOT NULL). Release 2, once no running code selects it: drop the column.',
  provenBy: ['old-code-breaks', 'data-loss', 'reverse-data-loss'],
  match: (operation, context) => {
    if (!onExistingTable(operation, context)) return null
    const previous = previousField(operation, context)
    const notNull = previous !== null && !isNullable(previous) && !hasDbDefault(previous) && !isManyToMany(previous)
    return {
      message: notNull
        ? `drops ${fieldLabel(operation)}, a NOT NULL column: old code selects it (fails once it is gone) and new code's INSERTs fail while it still exists, so no deploy order works without making it nullable first; its values are lost`
        : `drops ${fieldLabel(operation)}: the running code still selects it and fails with "column does not exist" once it is gone; its values are lost. Deploy code that no longer uses it first`,
      deployOrder: notNull ? 'multi-step' : 'deploy-first',
      model: modelOf(operation, context)
    }
  }
}

const removeModel: OperationRule = {
  id: 'remove-model',
  scope: 'operation',
  operations: ['DeleteModel'],
  severity: 'unsafe',
  breaks: ['old-code', 'data'],
  deployOrder: 'deploy-first',
  safeAlternative:
    'Release 1: delete the model from the code and state only, `SeparateDatabaseAndState(state_operations=[DeleteModel(...)])`. Release 2: drop the table.',
  provenBy: ['old-code-breaks', 'data-loss', 'reverse-data-loss'],
  match: (operation, context) =>
    onExistingTable(operation, context)
      ? {
          message: `drops the table of ${stringArgument(operation, 'name') ?? 'a model'}: the running code's queries on it fail, and its rows are lost. Deploy code that no longer uses it first`,
          model: modelOf(operation, context)
        }
      : null
}

const renameField: OperationRule = {
  id: 'rename-field',
  scope: 'operation',
  operations: ['RenameField'],
  severity: 'unsafe',
  breaks: ['old-code', 'new-code'],
  deployOrder: 'multi-step',
  safeAlternative:
    'Keep the column name: rename the field in the model with `db_column="<old name>"` (no schema change). Or expand and contract: add the new column, write both, backfill, read the new one, drop the old one in a later release.',
  provenBy: ['old-code-breaks', 'new-code-breaks'],
  match: (operation, context) => {
    if (!onExistingTable(operation, context)) return null
    // A field pinned to its column with db_column keeps it: the rename is in the state only.
    const model = modelOf(operation, context)
    const old = stringArgument(operation, 'old_name')
    const previous = model && old ? context.fieldsBefore.get(model)?.get(old.toLowerCase()) : null
    if (previous?.kwargs.db_column?.kind === 'str') return null
    return {
      message: `renames the column ${stringArgument(operation, 'model_name')}.${old} to ${stringArgument(operation, 'new_name')}: code using the old name breaks after the migration, code using the new name breaks before it`,
      model
    }
  }
}

const renameModel: OperationRule = {
  id: 'rename-model',
  scope: 'operation',
  operations: ['RenameModel'],
  severity: 'unsafe',
  breaks: ['old-code', 'new-code'],
  deployOrder: 'multi-step',
  safeAlternative: 'Keep the table: rename the model in code with `class Meta: db_table = "<old table>"`, so the schema does not change.',
  provenBy: ['old-code-breaks', 'new-code-breaks'],
  match: (operation, context) => {
    const old = stringArgument(operation, 'old_name')
    const model = old ? `${context.file.app}.${old.toLowerCase()}` : null
    if (model && context.newModels.has(model)) return null
    return {
      message: `renames the table of ${old} to follow ${stringArgument(operation, 'new_name')}: code using either name breaks while the other runs`,
      model
    }
  }
}

const alterFieldType: OperationRule = {
  id: 'alter-field-type',
  scope: 'operation',
  operations: ['AlterField'],
  severity: 'warning',
  breaks: ['locks'],
  deployOrder: 'migrate-first',
  safeAlternative:
    'For a large table: add a new column of the new type, backfill it in batches, switch the code, then drop the old one. A `varchar` made longer, or `varchar` to `text`, needs no rewrite.',
  provenBy: ['rewrite', 'apply-error', 'old-code-breaks', 'round-trip'],
  explains: ['22001', '22003', '22P02', '23514'],
  match: (operation, context) => {
    const after = fieldOf(operation)
    const before = previousField(operation, context)
    if (!after || !before || !onExistingTable(operation, context)) return null
    const change = typeChange(before, after)
    if (change === 'none' || change === 'widen') return null
    if (change === 'check') {
      return {
        message: `changes ${fieldLabel(operation)} from ${before.type} to ${after.type}: no rewrite, but the new CHECK (>= 0) is validated by scanning the table under an ACCESS EXCLUSIVE lock, and the migration fails if a row is negative`,
        breaks: ['locks', 'data'],
        model: modelOf(operation, context)
      }
    }
    if (change === 'narrow') {
      return {
        message: `shortens ${fieldLabel(operation)} from max_length ${maxLength(before)} to ${maxLength(after)}: the migration fails if a row holds a longer value, and the running code may still write longer values`,
        severity: 'unsafe',
        breaks: ['old-code', 'data'],
        deployOrder: 'deploy-first',
        model: modelOf(operation, context)
      }
    }
    return {
      message: `changes ${fieldLabel(operation)} from ${before.type} to ${after.type}: Postgres rewrites the table and its indexes under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole rewrite`,
      model: modelOf(operation, context)
    }
  }
}

const alterFieldNotNull: OperationRule = {
  id: 'alter-field-not-null',
  scope: 'operation',
  operations: ['AlterField'],
  severity: 'unsafe',
  breaks: ['old-code', 'data', 'locks'],
  deployOrder: 'deploy-first',
  safeAlternative:
    'Deploy code that always sets the value, backfill NULLs in batches, then add `CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT`, and only then `SET NOT NULL` (Postgres 12+ skips the scan thanks to the constraint).',
  provenBy: ['apply-error', 'old-code-breaks'],
  explains: ['23502'],
  match: (operation, context) => {
    const after = fieldOf(operation)
    const before = previousField(operation, context)
    if (!after || !before || !onExistingTable(operation, context)) return null
    if (!isNullable(before) || isNullable(after)) return null
    const filled = 'default' in after.kwargs || hasDbDefault(after)
    return {
      message: filled
        ? `makes ${fieldLabel(operation)} NOT NULL: Django first fills its NULLs with the default (an UPDATE of every such row), then scans the table under an ACCESS EXCLUSIVE lock; running code that writes NULL breaks`
        : `makes ${fieldLabel(operation)} NOT NULL: the migration fails if any row holds NULL, scans the whole table under an ACCESS EXCLUSIVE lock, and running code that writes NULL breaks`,
      model: modelOf(operation, context)
    }
  }
}

const addIndex: OperationRule = {
  id: 'add-index',
  scope: 'operation',
  operations: ['AddIndex', 'AddField', 'AlterField', 'AlterIndexTogether'],
  severity: 'warning',
  breaks: ['locks'],
  deployOrder: 'migrate-first',
  safeAlternative:
    'Use `AddIndexConcurrently` (django.contrib.postgres.operations) in a migration with `atomic = False`: it builds the index without blocking writes.',
  provenBy: ['blocking-lock'],
  match: (operation, context) => {
    if (!onExistingTable(operation, context)) return null
    if (operation.type === 'AlterIndexTogether' && isEmptyOption(argument(operation, 'index_together'))) return null
    if (operation.type === 'AddIndex' || operation.type === 'AlterIndexTogether') {
      return { message: 'builds an index without CONCURRENTLY: writes to the table are blocked (SHARE lock) until it is built', model: modelOf(operation, context) }
    }
    const after = fieldOf(operation)
    // A foreign key's index is part of add-foreign-key's finding.
    if (!after || !isIndexed(after) || RELATION_FIELDS.has(after.type)) return null
    const before = operation.type === 'AlterField' ? previousField(operation, context) : null
    if (before && isIndexed(before)) return null
    return {
      message: `indexes ${fieldLabel(operation)} without CONCURRENTLY: writes to the table are blocked until it is built`,
      model: modelOf(operation, context)
    }
  }
}

const addUnique: OperationRule = {
  id: 'add-unique',
  scope: 'operation',
  operations: ['AddConstraint', 'AlterUniqueTogether', 'AddField', 'AlterField'],
  severity: 'unsafe',
  breaks: ['data', 'locks'],
  deployOrder: 'migrate-first',
  safeAlternative:
    'Remove duplicates first; then `CREATE UNIQUE INDEX CONCURRENTLY` (RunSQL in a non-atomic migration) and `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX`.',
  provenBy: ['apply-error', 'blocking-lock', 'old-code-breaks'],
  explains: ['23505'],
  severityWhenSeen: { 'blocking-lock': 'warning' },
  match: (operation, context) => {
    if (!onExistingTable(operation, context)) return null
    if (operation.type === 'AddConstraint') {
      const constraint = argument(operation, 'constraint')
      if (constraint?.kind !== 'call' || !constraint.callee.endsWith('UniqueConstraint')) return null
    } else if (operation.type === 'AlterUniqueTogether') {
      if (isEmptyOption(argument(operation, 'unique_together'))) return null
    } else if (operation.type === 'AddField' || operation.type === 'AlterField') {
      const after = fieldOf(operation)
      if (!after || !isUnique(after)) return null
      const before = operation.type === 'AlterField' ? previousField(operation, context) : null
      if (before && isUnique(before)) return null
      if (operation.type === 'AddField') {
        if (isNullable(after)) {
          return {
            message: `adds ${fieldLabel(operation)} as a unique column: its unique index is built while writes to the table are blocked`,
            severity: 'warning',
            breaks: ['locks'],
            model: modelOf(operation, context)
          }
        }
        // NOT NULL without any default is add-field-not-null's case.
        if (!('default' in after.kwargs) && !hasDbDefault(after)) return null
        return {
          message: `adds ${fieldLabel(operation)} as unique with a default: every existing row gets the same value, so the unique index fails on a table with more than one row`,
          model: modelOf(operation, context)
        }
      }
    }
    return {
      message: 'adds a unique constraint to an existing table: it fails if rows already repeat a value, and it scans the table while blocking writes',
      model: modelOf(operation, context)
    }
  }
}

const addCheck: OperationRule = {
  id: 'add-check-constraint',
  scope: 'operation',
  operations: ['AddConstraint'],
  severity: 'warning',
  breaks: ['data', 'locks'],
  deployOrder: 'migrate-first',
  safeAlternative: 'Use `AddConstraintNotValid` and then `ValidateConstraint` in a later migration (django.contrib.postgres.operations, Django 4.0+).',
  provenBy: ['apply-error', 'blocking-lock'],
  explains: ['23514'],
  match: (operation, context) => {
    const constraint = argument(operation, 'constraint')
    if (!onExistingTable(operation, context) || constraint?.kind !== 'call' || !constraint.callee.endsWith('CheckConstraint')) return null
    return { message: 'adds a CHECK constraint: existing rows are validated under an ACCESS EXCLUSIVE lock, and the migration fails if one violates it', model: modelOf(operation, context) }
  }
}

const addForeignKey: OperationRule = {
  id: 'add-foreign-key',
  scope: 'operation',
  operations: ['AddField', 'AlterField'],
  severity: 'warning',
  breaks: ['locks'],
  deployOrder: 'migrate-first',
  safeAlternative:
    'Add the field with `db_constraint=False`, then add the constraint `NOT VALID` and `VALIDATE CONSTRAINT` it separately (RunSQL), which does not block writes while validating.',
  provenBy: ['blocking-lock', 'apply-error'],
  explains: ['23503'],
  match: (operation, context) => {
    const after = fieldOf(operation)
    if (!after || !RELATION_FIELDS.has(after.type) || !onExistingTable(operation, context)) return null
    if (boolKeyword(after.kwargs, 'db_constraint', true) === false) return null
    if (operation.type === 'AlterField' && previousField(operation, context)?.type === after.type) return null
    const indexed = boolKeyword(after.kwargs, 'db_index', true) !== false
    return {
      message: `adds a foreign key on ${fieldLabel(operation)}: ${indexed ? 'its index is built without CONCURRENTLY and ' : ''}the constraint validates every row, while writes to both tables are blocked`,
      model: modelOf(operation, context)
    }
  }
}

const removeIndex: OperationRule = {
  id: 'remove-index',
  scope: 'operation',
  operations: ['RemoveIndex'],
  severity: 'warning',
  breaks: ['locks'],
  deployOrder: 'migrate-first',
  safeAlternative: 'Use `RemoveIndexConcurrently` in a migration with `atomic = False`.',
  provenBy: ['blocking-lock'],
  match: (operation, context) =>
    onExistingTable(operation, context)
      ? { message: 'drops an index without CONCURRENTLY: it waits for an ACCESS EXCLUSIVE lock on the table, queuing every query behind it', model: modelOf(operation, context) }
      : null
}

const runPythonIrreversible: OperationRule = {
  id: 'run-python-irreversible',
  scope: 'operation',
  operations: ['RunPython'],
  severity: 'warning',
  breaks: [],
  deployOrder: null,
  safeAlternative: 'Pass `reverse_code`; where nothing needs undoing, `reverse_code=migrations.RunPython.noop` keeps the migration reversible.',
  provenBy: ['irreversible'],
  match: (operation) => {
    const reverse = argument(operation, 'reverse_code')
    if (reverse !== undefined && reverse.kind !== 'none') return null
    return { message: 'RunPython has no reverse_code: `migrate` cannot go back past this migration (IrreversibleError), so a rollback is blocked' }
  }
}

const runSqlIrreversible: OperationRule = {
  id: 'run-sql-irreversible',
  scope: 'operation',
  operations: ['RunSQL'],
  severity: 'warning',
  breaks: [],
  deployOrder: null,
  safeAlternative: 'Pass `reverse_sql`; where nothing needs undoing, `reverse_sql=migrations.RunSQL.noop`.',
  provenBy: ['irreversible'],
  match: (operation) => {
    const reverse = argument(operation, 'reverse_sql')
    if (reverse !== undefined && reverse.kind !== 'none') return null
    return { message: 'RunSQL has no reverse_sql: `migrate` cannot go back past this migration (IrreversibleError)' }
  }
}

const mixedSchemaAndData: MigrationRule = {
  id: 'mixed-schema-and-data',
  scope: 'migration',
  operations: ['*'],
  severity: 'warning',
  breaks: ['locks'],
  deployOrder: null,
  safeAlternative: 'Put data changes (RunPython/RunSQL) in a migration of their own, after the schema change.',
  provenBy: [],
  match: (file) => {
    const data = file.operations.filter((operation) => DATA_OPERATIONS.has(operation.type))
    const schema = file.operations.filter((operation) => !DATA_OPERATIONS.has(operation.type) && !STATE_ONLY_OPERATIONS.has(operation.type))
    if (data.length === 0 || schema.length === 0 || !file.atomic) return []
    return [
      {
        operation: data[0]!,
        message: 'mixes schema changes and data changes in one transaction: the schema locks stay held while the data code runs, and a failure rolls back both'
      }
    ]
  }
}

const concurrentInAtomic: MigrationRule = {
  id: 'concurrent-in-atomic',
  scope: 'migration',
  operations: ['AddIndexConcurrently', 'RemoveIndexConcurrently'],
  severity: 'error',
  breaks: [],
  deployOrder: null,
  safeAlternative: 'Set `atomic = False` on the migration (and keep other operations out of it).',
  provenBy: ['apply-error'],
  explains: ['25001'],
  match: (file) =>
    file.atomic
      ? file.operations
          .filter((operation) => CONCURRENT_OPERATIONS.has(operation.type))
          .map((operation) => ({
            operation,
            message: `${operation.type} cannot run inside a transaction, and this migration is atomic: it fails with "CREATE INDEX CONCURRENTLY cannot run inside a transaction block"`
          }))
      : []
}

export const RULES: readonly Rule[] = [
  addModel,
  addFieldNullable,
  addFieldNotNull,
  removeField,
  removeModel,
  renameField,
  renameModel,
  alterFieldType,
  alterFieldNotNull,
  addIndex,
  addUnique,
  addCheck,
  addForeignKey,
  removeIndex,
  runPythonIrreversible,
  runSqlIrreversible,
  mixedSchemaAndData,
  concurrentInAtomic
]

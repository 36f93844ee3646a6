// The rules: one entry per rule, in the order a reader meets them. Each says
// which operations it looks at, when it matches, how bad it is, what breaks
// while old and new code run side by side, the deploy order it implies, and
// what to do instead. Findings carry the operation's line.
import { argument, boolKeyword, fieldCall, OPAQUE_OPERATIONS, stringArgument, type FieldCall } from '../graph/operation-args.js'
import type { Operation, PyValue } from '../model/migration.js'
import { applyOperation, cloneState, type ModelFields } from './field-history.js'
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
const lastName = (dotted: string): string => dotted.split('.').pop()!
/** `None` or `Value(None)`: SQL NULL. */
const isNullValue = (value: PyValue): boolean =>
  value.kind === 'none' ||
  (value.kind === 'call' && lastName(value.callee) === 'Value' && (value.args[0] ?? value.kwargs.value)?.kind === 'none')
/**
 * A database default that fills a value: `db_default=None` is `DEFAULT NULL`
 * (Django wraps it in `Value(None)`), which gives a NOT NULL column nothing it accepts.
 */
const hasDbDefault = (field: FieldCall): boolean => field.kwargs.db_default !== undefined && !isNullValue(field.kwargs.db_default)
const hasNullDbDefault = (field: FieldCall): boolean => field.kwargs.db_default !== undefined && isNullValue(field.kwargs.db_default)
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

/**
 * The Python type the ORM reads a field's column back as. A change between two
 * of these breaks the code still running: it writes and filters with one type
 * and reads back another (an IntegerField made a CharField returns '42').
 */
const VALUE_TYPES: Record<string, string> = {
  SmallIntegerField: 'int',
  IntegerField: 'int',
  BigIntegerField: 'int',
  PositiveSmallIntegerField: 'int',
  PositiveIntegerField: 'int',
  PositiveBigIntegerField: 'int',
  SmallAutoField: 'int',
  AutoField: 'int',
  BigAutoField: 'int',
  CharField: 'str',
  TextField: 'str',
  SlugField: 'str',
  EmailField: 'str',
  URLField: 'str',
  FilePathField: 'str',
  DecimalField: 'Decimal',
  FloatField: 'float',
  BooleanField: 'bool',
  NullBooleanField: 'bool',
  DateField: 'date',
  DateTimeField: 'datetime',
  TimeField: 'time',
  DurationField: 'timedelta',
  UUIDField: 'UUID',
  BinaryField: 'bytes',
  JSONField: 'JSON'
}

function typeChange(before: FieldCall, after: FieldCall): 'none' | 'widen' | 'narrow' | 'check' | 'retype' | 'rewrite' {
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
  const from = VALUE_TYPES[before.type]
  const to = VALUE_TYPES[after.type]
  if (from !== undefined && to !== undefined && from !== to) return 'retype'
  return 'rewrite'
}

const intKeyword = (field: FieldCall, name: string): number | null => {
  const value = field.kwargs[name]
  return value?.kind === 'int' ? value.value : null
}

/** A DecimalField's `numeric(max_digits, decimal_places)` changed: what PostgreSQL does to the stored values. */
interface DecimalChange {
  before: { digits: number; places: number }
  after: { digits: number; places: number }
  /** Fewer decimal places: every value is rounded to the new scale. */
  rounds: boolean
  /** Fewer digits before the point: a value that no longer fits fails the cast ("numeric field overflow"). */
  overflows: boolean
  /** Anything but a larger max_digits at the same scale: the table is rewritten. */
  rewrites: boolean
}

function decimalChange(before: FieldCall, after: FieldCall): DecimalChange | null {
  if (before.type !== 'DecimalField' || after.type !== 'DecimalField') return null
  const [p1, s1, p2, s2] = [intKeyword(before, 'max_digits'), intKeyword(before, 'decimal_places'), intKeyword(after, 'max_digits'), intKeyword(after, 'decimal_places')]
  if (p1 === null || s1 === null || p2 === null || s2 === null || (p1 === p2 && s1 === s2)) return null
  return {
    before: { digits: p1, places: s1 },
    after: { digits: p2, places: s2 },
    rounds: s2 < s1,
    overflows: p2 - s2 < p1 - s1,
    // numeric's length coercion is a no-op only when the scale stays and the precision does not shrink (PostgreSQL 9.2+).
    rewrites: !(s2 === s1 && p2 >= p1)
  }
}

/** Django expressions PostgreSQL computes with a volatile function: a new value for every row. */
const VOLATILE_EXPRESSIONS: Record<string, string> = {
  RandomUUID: 'gen_random_uuid()',
  Random: 'random()',
  UUID4: 'gen_random_uuid()',
  UUID7: 'uuidv7()'
}
/** Volatile PostgreSQL functions a `Func(function=...)` or a template may name. */
const VOLATILE_SQL = [
  'gen_random_uuid',
  'random',
  'random_normal',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4'
]
const VOLATILE_TEMPLATE = new RegExp(`\\b(${VOLATILE_SQL.join('|')})\\s*\\(`, 'i')

/** The volatile function a `db_default` expression calls (`RandomUUID()` → `gen_random_uuid()`), else null. */
function volatileFunction(value: PyValue | undefined): string | null {
  if (value === undefined) return null
  if (value.kind === 'list' || value.kind === 'tuple' || value.kind === 'set') {
    for (const item of value.items) {
      const found = volatileFunction(item)
      if (found) return found
    }
    return null
  }
  if (value.kind !== 'call') return null
  const name = lastName(value.callee)
  if (VOLATILE_EXPRESSIONS[name]) return `${name}() (${VOLATILE_EXPRESSIONS[name]})`
  const fn = value.kwargs.function
  if (fn?.kind === 'str' && VOLATILE_SQL.includes(fn.value.toLowerCase())) return `${fn.value}()`
  const template = value.kwargs.template
  const named = template?.kind === 'str' ? VOLATILE_TEMPLATE.exec(template.value) : null
  if (named) return `${named[1]}()`
  for (const inner of [...value.args, ...Object.values(value.kwargs)]) {
    const found = volatileFunction(inner)
    if (found) return found
  }
  return null
}

/** `app.model` a relation field points to (`to="shop.author"`, `"Author"`, `"self"`), lowercase; null when not a literal. */
function relationTarget(field: FieldCall, owner: string): string | null {
  const to = field.kwargs.to ?? field.args[0]
  if (to?.kind !== 'str') return null
  const target = to.value.toLowerCase()
  if (target === 'self') return owner
  return target.includes('.') ? target : `${owner.split('.')[0]}.${target}`
}

/** What points at a model: the foreign keys (with their constraint) and whether a many-to-many table involves it. */
function relationsOf(model: string, fields: ModelFields): { foreignKeys: string[]; manyToMany: boolean } {
  const foreignKeys: string[] = []
  let manyToMany = false
  for (const [owner, ownerFields] of fields) {
    for (const [name, field] of ownerFields) {
      if (!field) continue
      const target = relationTarget(field, owner)
      if (isManyToMany(field) && (owner === model || target === model)) manyToMany = true
      else if (RELATION_FIELDS.has(field.type) && target === model && boolKeyword(field.kwargs, 'db_constraint', true) !== false) {
        foreignKeys.push(`${owner.split('.')[1]}.${name}`)
      }
    }
  }
  return { foreignKeys, manyToMany }
}

/**
 * RenameModel followed in the same migration by AlterModelTable back to the
 * old model's table, as makemigrations writes a rename whose Meta.db_table
 * keeps the table: the table's name, else null.
 */
function keptTable(operation: Operation, context: RuleContext): string | null {
  const old = stringArgument(operation, 'old_name')
  const renamed = stringArgument(operation, 'new_name')
  if (!old || !renamed) return null
  const table = `${context.file.app}_${old.toLowerCase()}`
  const later = context.file.operations
    .flatMap((other) => (other.type === 'SeparateDatabaseAndState' ? (other.databaseOperations ?? []) : [other]))
    .filter((other) => other.line > operation.line)
  const back = later.some(
    (other) => other.type === 'AlterModelTable' && stringArgument(other, 'name')?.toLowerCase() === renamed.toLowerCase() && stringArgument(other, 'table') === table
  )
  return back ? table : null
}

/**
 * The state side of a SeparateDatabaseAndState, each operation with the
 * fields as the state operations before it left them. The database is still
 * as `context.fieldsBefore` says: only the database side changes it.
 */
function stateSteps(operation: Operation, context: RuleContext): Array<{ inner: Operation; fields: ModelFields }> {
  let fields = context.fieldsBefore
  const steps: Array<{ inner: Operation; fields: ModelFields }> = []
  for (const inner of operation.stateOperations ?? []) {
    steps.push({ inner, fields })
    fields = cloneState(fields)
    applyOperation(fields, context.file.app, inner)
  }
  return steps
}

/**
 * Whether the database side of a SeparateDatabaseAndState does (or may do:
 * RunSQL, RunPython, an operation that cannot be read) something to these
 * fields of `model`, or to the model as a whole.
 */
function databaseSideTouches(operation: Operation, model: string, names: readonly string[], context: RuleContext): boolean {
  return (operation.databaseOperations ?? []).some((inner) => {
    if (OPAQUE_OPERATIONS.has(inner.type) || inner.dynamic !== undefined) return true
    if (modelOf(inner, context) !== model) return false
    const touched = ['name', 'old_name', 'new_name'].map((key) => stringArgument(inner, key)?.toLowerCase()).filter((name) => name !== undefined)
    return stringArgument(inner, 'model_name') === null || touched.some((name) => names.includes(name))
  })
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
    if (hasNullDbDefault(field)) {
      return {
        message: `adds ${fieldLabel(operation)} as NOT NULL with db_default=None, a database default of NULL: ADD COLUMN gives every existing row NULL, so the migration fails on a table that has rows, and the running code's INSERTs would get NULL too`,
        breaks: ['old-code', 'data'],
        model: modelOf(operation, context)
      }
    }
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

const addFieldVolatileDefault: OperationRule = {
  id: 'add-field-volatile-default',
  scope: 'operation',
  operations: ['AddField'],
  severity: 'warning',
  breaks: ['locks'],
  deployOrder: 'migrate-first',
  safeAlternative:
    'Add the column without the volatile default (nullable, or with a constant `db_default`): a catalog change. Then give it the volatile `db_default` with an AlterField (`SET DEFAULT` applies only to new rows: no rewrite), fill the existing rows in batches, and make it NOT NULL in a later release if it must be.',
  provenBy: ['rewrite'],
  match: (operation, context) => {
    const field = fieldOf(operation)
    if (!field || !onExistingTable(operation, context)) return null
    const volatile = volatileFunction(field.kwargs.db_default)
    if (volatile === null) return null
    return {
      message: `adds ${fieldLabel(operation)} with a volatile database default, ${volatile}: PostgreSQL computes it for every existing row, so ADD COLUMN rewrites the table and its indexes under an ACCESS EXCLUSIVE lock that blocks reads and writes for the whole rewrite (a constant or stable default would be a catalog change)`,
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
    // The table kept with Meta.db_table is rename-model-keep-table's, unless a many-to-many column follows the model's name.
    if (model && keptTable(operation, context) !== null && !relationsOf(model, context.fieldsBefore).manyToMany) return null
    return {
      message: `renames the table of ${old} to follow ${stringArgument(operation, 'new_name')}: code using either name breaks while the other runs`,
      model
    }
  }
}

const renameModelKeepTable: OperationRule = {
  id: 'rename-model-keep-table',
  scope: 'operation',
  operations: ['RenameModel'],
  severity: 'warning',
  breaks: ['locks'],
  deployOrder: null,
  safeAlternative:
    'Rename the model in Django\'s state only: `SeparateDatabaseAndState(state_operations=[RenameModel(...), AlterModelTable(...)])`. The table and its foreign keys stay as they are, and no lock is taken.',
  provenBy: ['blocking-lock'],
  match: (operation, context) => {
    const old = stringArgument(operation, 'old_name')
    const renamed = stringArgument(operation, 'new_name')
    const model = old ? `${context.file.app}.${old.toLowerCase()}` : null
    if (!model || context.newModels.has(model)) return null
    const table = keptTable(operation, context)
    if (table === null) return null
    const { foreignKeys, manyToMany } = relationsOf(model, context.fieldsBefore)
    if (manyToMany) return null
    const through = `renames ${old} to ${renamed} and keeps its table ${table} (AlterModelTable): the running code keeps working, but Django renames the table to ${context.file.app}_${renamed!.toLowerCase()} and back`
    if (foreignKeys.length === 0) {
      return { message: `${through}, catalog changes only`, severity: 'info', model }
    }
    return {
      message: `${through}, and drops and re-creates the foreign key${foreignKeys.length === 1 ? '' : 's'} pointing to it (${foreignKeys.join(', ')}): ADD CONSTRAINT ... FOREIGN KEY validates every row of the referencing table while the migration holds an ACCESS EXCLUSIVE lock on it`,
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
    'For a large table, or values the running code reads as another type: add a new column of the new type, backfill it in batches, switch the code, then drop the old one. A `varchar` made longer, `varchar` to `text`, or a DecimalField given more `max_digits` at the same `decimal_places` needs no rewrite; fewer `decimal_places` rounds the stored values, so round them deliberately first or keep the scale.',
  provenBy: ['rewrite', 'apply-error', 'old-code-breaks', 'round-trip'],
  explains: ['22001', '22003', '22P02', '23514'],
  match: (operation, context) => {
    const after = fieldOf(operation)
    const before = previousField(operation, context)
    if (!after || !before || !onExistingTable(operation, context)) return null
    const decimal = decimalChange(before, after)
    if (decimal !== null) {
      if (!decimal.rewrites) return null
      const from = `numeric(${decimal.before.digits}, ${decimal.before.places})`
      const to = `numeric(${decimal.after.digits}, ${decimal.after.places})`
      if (!decimal.rounds && !decimal.overflows) {
        return {
          message: `changes ${fieldLabel(operation)} from ${from} to ${to}: a new scale changes every stored value, so Postgres rewrites the table and its indexes under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole rewrite`,
          model: modelOf(operation, context)
        }
      }
      const risks = [
        ...(decimal.rounds
          ? [`PostgreSQL rounds every stored value to ${decimal.after.places} decimal place${decimal.after.places === 1 ? '' : 's'} (the digits dropped are lost, and a rollback does not bring them back), and the running code's values are rounded too`]
          : []),
        ...(decimal.overflows
          ? [`only ${decimal.after.digits - decimal.after.places} digits are left before the point instead of ${decimal.before.digits - decimal.before.places}, so the migration fails ("numeric field overflow") if a row holds a larger value, and the running code may still write one`]
          : [])
      ]
      return {
        message: `changes ${fieldLabel(operation)} from ${from} to ${to}: ${risks.join('; ')}. The table and its indexes are rewritten under an ACCESS EXCLUSIVE lock`,
        severity: 'unsafe',
        breaks: decimal.overflows ? ['old-code', 'data', 'locks'] : ['data', 'locks'],
        deployOrder: 'deploy-first',
        model: modelOf(operation, context)
      }
    }
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
    if (change === 'retype') {
      const [was, is] = [VALUE_TYPES[before.type], VALUE_TYPES[after.type]]
      return {
        message: `changes ${fieldLabel(operation)} from ${before.type} to ${after.type}: the running code writes and filters it as ${was} but reads back ${is} values (and a filter comparing the new column with ${was} values can fail outright), so it breaks after the migration; Postgres casts every row, failing on a value that does not convert, and rewrites the table and its indexes under an ACCESS EXCLUSIVE lock`,
        severity: 'unsafe',
        breaks: ['old-code', 'locks'],
        deployOrder: 'multi-step',
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

const stateOnlyRemoveNotNull: OperationRule = {
  id: 'state-only-remove-not-null',
  scope: 'operation',
  operations: ['SeparateDatabaseAndState'],
  severity: 'unsafe',
  breaks: ['new-code'],
  deployOrder: 'multi-step',
  safeAlternative:
    'Make the column optional in the database in the same operation, `SeparateDatabaseAndState(database_operations=[AlterField(<the field with null=True or a db_default>)], state_operations=[RemoveField(...)])`, or in a release before; then drop the column in a later release.',
  provenBy: [],
  match: (operation, context) => {
    const removed: string[] = []
    let model: string | null = null
    for (const { inner, fields } of stateSteps(operation, context)) {
      if (inner.type !== 'RemoveField') continue
      const owner = modelOf(inner, context)
      const name = stringArgument(inner, 'name')?.toLowerCase()
      // The column as the database has it: a state-only AlterField before it in the block did not make it nullable.
      const field = owner && name ? (context.fieldsBefore.get(owner)?.get(name) ?? fields.get(owner)?.get(name)) : null
      if (!owner || !name || !field || databaseSideTouches(operation, owner, [name], context)) continue
      if (isNullable(field) || hasDbDefault(field) || isManyToMany(field) || isGenerated(field)) continue
      if (boolKeyword(field.kwargs, 'primary_key', false) !== false) continue
      removed.push(fieldLabel(inner))
      model ??= owner
    }
    if (removed.length === 0) return null
    return {
      message: `removes ${removed.join(', ')} from Django's state only (SeparateDatabaseAndState) while the column stays NOT NULL without a database default: the new code no longer knows the field, so its INSERTs leave the column out and fail with a NOT NULL violation, before and after this migration`,
      model
    }
  }
}

const stateOnlyRenameField: OperationRule = {
  id: 'state-only-rename-field',
  scope: 'operation',
  operations: ['SeparateDatabaseAndState'],
  severity: 'unsafe',
  breaks: ['new-code'],
  deployOrder: null,
  safeAlternative:
    'Keep the column name: give the field `db_column="<old name>"` (an AlterField before the RenameField in state_operations, which is what makemigrations writes), or rename the column in database_operations as well (see rename-field).',
  provenBy: [],
  match: (operation, context) => {
    const renamed: string[] = []
    let model: string | null = null
    for (const { inner, fields } of stateSteps(operation, context)) {
      if (inner.type !== 'RenameField') continue
      const owner = modelOf(inner, context)
      const old = stringArgument(inner, 'old_name')?.toLowerCase()
      const now = stringArgument(inner, 'new_name')?.toLowerCase()
      const field = owner && old ? fields.get(owner)?.get(old) : null
      const inDatabase = owner && old ? (context.fieldsBefore.get(owner)?.get(old) ?? field) : null
      if (!owner || !old || !now || !field || !inDatabase || databaseSideTouches(operation, owner, [old, now], context)) continue
      if (isManyToMany(field)) continue
      // The column the table has, and the one the renamed field reads (db_column pins it whatever the field is called).
      const column = (definition: FieldCall, name: string): string | null => {
        const pinned = definition.kwargs.db_column
        return pinned === undefined ? name : pinned.kind === 'str' ? pinned.value.toLowerCase() : null
      }
      const has = column(inDatabase, old)
      const reads = column(field, now)
      if (has === null || reads === null || has === reads) continue
      renamed.push(`${stringArgument(inner, 'model_name')}.${stringArgument(inner, 'old_name')} to ${stringArgument(inner, 'new_name')}`)
      model ??= owner
    }
    if (renamed.length === 0) return null
    return {
      message: `renames ${renamed.join(', ')} in Django's state only (SeparateDatabaseAndState), without db_column: the table keeps the old column, but the new code looks for one named after the new field, so its queries on the model fail with "column does not exist"`,
      model
    }
  }
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

const isNoop = (value: PyValue | undefined): boolean => value?.kind === 'ref' && /(^|\.)RunPython\.noop$/.test(value.name)

const runPythonOpaque: OperationRule = {
  id: 'run-python-opaque',
  scope: 'operation',
  operations: ['RunPython'],
  severity: 'warning',
  breaks: ['data'],
  deployOrder: null,
  safeAlternative:
    'Let the rehearsal run it (leave out `--static-only`): it runs the code on rows at the limits the base schema allows and reports a failure, values it changes or drops, and a reverse that does not restore them. Without it, read the code for those: updates that overflow or break a constraint on some rows, deletes, and a `reverse_code` that does not undo what the forward did.',
  // What the rehearsal sees when it runs the code; seen, each is as bad as the fact itself says.
  provenBy: ['data-loss', 'reverse-data-loss', 'reverse-error'],
  severityWhenSeen: { 'data-loss': 'info', 'reverse-data-loss': 'info', 'reverse-error': 'info' },
  safeAlternativeWhenSeen:
    'Check that this is what it should do to your rows: the proof shows what it did to rows at the limits the base schema allows. If a rollback must bring them back, write a `reverse_code` that restores them (keep what it needs in a column or table of its own); if it should not touch some rows, filter them out.',
  match: (operation) => {
    const code = argument(operation, 'code')
    if (isNoop(code)) return null
    const reverse = argument(operation, 'reverse_code')
    const named = (value: PyValue | undefined, otherwise: string) => (value?.kind === 'ref' ? `\`${lastName(value.name)}\`` : otherwise)
    const undo =
      reverse === undefined || reverse.kind === 'none'
        ? ''
        : isNoop(reverse)
          ? ' (its reverse, RunPython.noop, leaves them as they are)'
          : `, and whether ${named(reverse, 'its reverse_code')} undoes that`
    return {
      message: `RunPython runs ${named(code, 'Python code')}: whether it fails on some rows and which values it changes or deletes${undo} cannot be read from the migration file, only seen by running it (the rehearsal does)`
    }
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
  addFieldVolatileDefault,
  removeField,
  removeModel,
  stateOnlyRemoveNotNull,
  renameField,
  stateOnlyRenameField,
  renameModel,
  renameModelKeepTable,
  alterFieldType,
  alterFieldNotNull,
  addIndex,
  addUnique,
  addCheck,
  addForeignKey,
  removeIndex,
  runPythonIrreversible,
  runPythonOpaque,
  runSqlIrreversible,
  mixedSchemaAndData,
  concurrentInAtomic
]

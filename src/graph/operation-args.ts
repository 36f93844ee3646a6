// Django operations take their arguments by position or by keyword; this
// table gives each position its name, so callers ask for `model_name`
// whichever way the migration wrote it.
import type { Operation, PyValue } from '../model/migration.js'

const SIGNATURES: Record<string, readonly string[]> = {
  CreateModel: ['name', 'fields', 'options', 'bases', 'managers'],
  DeleteModel: ['name'],
  RenameModel: ['old_name', 'new_name'],
  AlterModelTable: ['name', 'table'],
  AlterModelTableComment: ['name', 'table_comment'],
  AlterUniqueTogether: ['name', 'unique_together'],
  AlterIndexTogether: ['name', 'index_together'],
  AlterOrderWithRespectTo: ['name', 'order_with_respect_to'],
  AlterModelOptions: ['name', 'options'],
  AlterModelManagers: ['name', 'managers'],
  AddField: ['model_name', 'name', 'field', 'preserve_default'],
  RemoveField: ['model_name', 'name'],
  AlterField: ['model_name', 'name', 'field', 'preserve_default'],
  RenameField: ['model_name', 'old_name', 'new_name'],
  AddIndex: ['model_name', 'index'],
  RemoveIndex: ['model_name', 'name'],
  RenameIndex: ['model_name', 'new_name', 'old_name', 'old_fields'],
  AddConstraint: ['model_name', 'constraint'],
  RemoveConstraint: ['model_name', 'name'],
  AlterConstraint: ['model_name', 'name', 'constraint'],
  RunSQL: ['sql', 'reverse_sql', 'state_operations', 'hints', 'elidable'],
  RunPython: ['code', 'reverse_code', 'atomic', 'hints', 'elidable'],
  SeparateDatabaseAndState: ['database_operations', 'state_operations'],
  AddIndexConcurrently: ['model_name', 'index'],
  RemoveIndexConcurrently: ['model_name', 'name'],
  AddConstraintNotValid: ['model_name', 'constraint'],
  ValidateConstraint: ['model_name', 'name'],
  CreateExtension: ['name'],
  CreateCollation: ['name', 'locale', 'provider', 'deterministic'],
  RemoveCollation: ['name', 'locale', 'provider', 'deterministic']
}

/** An argument by its parameter name, given by keyword or by position. */
export function argument(operation: Pick<Operation, 'type' | 'args' | 'kwargs'>, name: string): PyValue | undefined {
  if (name in operation.kwargs) return operation.kwargs[name]
  const position = SIGNATURES[operation.type]?.indexOf(name) ?? -1
  return position >= 0 ? operation.args[position] : undefined
}

export function stringArgument(operation: Pick<Operation, 'type' | 'args' | 'kwargs'>, name: string): string | null {
  const value = argument(operation, name)
  return value?.kind === 'str' ? value.value : null
}

/** A field such as `models.CharField(max_length=20)`: its class and keyword arguments. */
export interface FieldCall {
  /** `CharField`, `ForeignKey`, `ArrayField`. */
  type: string
  callee: string
  args: PyValue[]
  kwargs: Record<string, PyValue>
}

export function fieldCall(value: PyValue | undefined): FieldCall | null {
  if (value?.kind !== 'call') return null
  return { type: value.callee.split('.').pop()!, callee: value.callee, args: value.args, kwargs: value.kwargs }
}

/** `True`/`False` of a keyword, the default when absent, null when not a literal. */
export function boolKeyword(kwargs: Record<string, PyValue>, name: string, absent: boolean): boolean | null {
  const value = kwargs[name]
  if (value === undefined) return absent
  return value.kind === 'bool' ? value.value : null
}

/** The model a model-level operation acts on, lowercased as Django keys models. */
export function operationModel(operation: Pick<Operation, 'type' | 'args' | 'kwargs'>): string | null {
  const name = stringArgument(operation, 'model_name') ?? stringArgument(operation, 'name')
  const takesModelName = SIGNATURES[operation.type]?.includes('model_name') ?? false
  if (takesModelName) return stringArgument(operation, 'model_name')?.toLowerCase() ?? null
  if (MODEL_OPERATIONS.has(operation.type)) return name?.toLowerCase() ?? null
  return null
}

const MODEL_OPERATIONS = new Set([
  'CreateModel',
  'DeleteModel',
  'AlterModelTable',
  'AlterModelTableComment',
  'AlterUniqueTogether',
  'AlterIndexTogether',
  'AlterOrderWithRespectTo',
  'AlterModelOptions',
  'AlterModelManagers'
])

/** Operations whose effect cannot be read from their arguments. */
export const OPAQUE_OPERATIONS = new Set(['RunPython', 'RunSQL'])

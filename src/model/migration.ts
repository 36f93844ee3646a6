// The static model of Django migrations: what a migration file says, read
// without Python. Plain data, handed from the parser to the graph and on.

/** `app_label.migration_name`, the way Django prints a node. */
export type MigrationKey = string

export interface MigrationRef {
  app: string
  name: string
}

export function migrationKey(ref: MigrationRef): MigrationKey {
  return `${ref.app}.${ref.name}`
}

export function parseMigrationKey(key: MigrationKey): MigrationRef {
  const dot = key.indexOf('.')
  return { app: key.slice(0, dot), name: key.slice(dot + 1) }
}

/**
 * A Python expression as far as it can be read statically. Anything that is
 * not a literal, a name, an attribute chain or a call of those is `dynamic`,
 * with the source text kept and a reason: never guessed.
 */
export type PyValue =
  | { kind: 'str'; value: string }
  | { kind: 'bytes'; value: string }
  | { kind: 'int'; value: number; text: string }
  | { kind: 'float'; value: number; text: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'list' | 'tuple' | 'set'; items: PyValue[] }
  | { kind: 'dict'; entries: Array<[PyValue, PyValue]> }
  /** A call such as `models.CharField(max_length=20)`; `callee` is the dotted name as written. */
  | { kind: 'call'; callee: string; args: PyValue[]; kwargs: Record<string, PyValue>; line: number }
  /** A name or attribute chain such as `settings.AUTH_USER_MODEL` or `forwards`. */
  | { kind: 'ref'; name: string }
  | { kind: 'dynamic'; source: string; reason: string }

export type MigrationDependency =
  /** `('app', '0001_x')`, `('app', '__first__')` or `('app', '__latest__')`. */
  | { kind: 'migration'; app: string; name: string; line: number }
  /** `migrations.swappable_dependency(settings.AUTH_USER_MODEL)`: resolves to (`app`, `__first__`) of the setting's value. */
  | { kind: 'swappable'; setting: string; line: number }
  | { kind: 'dynamic'; source: string; reason: string; line: number }

export interface LocatedRef extends MigrationRef {
  line: number
}

export interface Operation {
  /**
   * Position in the `operations` list, as Django numbers them; -1 after an
   * unpacked `*computed_list`, whose length is unknown statically.
   */
  index: number
  /** The class name: `AddField`, `RunPython`, `AddIndexConcurrently`. */
  type: string
  /** The callee as written: `migrations.AddField`, `AddIndexConcurrently`. */
  callee: string
  line: number
  endLine: number
  args: PyValue[]
  kwargs: Record<string, PyValue>
  /** Operations nested in `SeparateDatabaseAndState(database_operations=[...], state_operations=[...])`. */
  databaseOperations?: Operation[]
  stateOperations?: Operation[]
  /**
   * Set when the item is not a call that can be read (`OPS[0]`, a name):
   * `type` is then `<dynamic>` and this says why.
   */
  dynamic?: string
}

/** A class attribute of the migration that could not be read statically. */
export interface DynamicPart {
  attribute: 'dependencies' | 'operations' | 'replaces' | 'run_before' | 'initial' | 'atomic'
  line: number
  source: string
  reason: string
}

export interface MigrationFile {
  app: string
  name: string
  /** Path inside the repository, with forward slashes. */
  path: string
  /** Line of `class Migration(...)`. */
  line: number
  dependencies: MigrationDependency[]
  replaces: LocatedRef[]
  runBefore: LocatedRef[]
  /** `initial = True`; Django's default is `None`, read here as false. */
  initial: boolean
  /** `atomic = False` turns off the migration's transaction; Django's default is true. */
  atomic: boolean
  operations: Operation[]
  /** What could not be read statically, attribute by attribute. */
  dynamic: DynamicPart[]
  /** `django` when only Django's loader found it (a symlink, a sourceless module, MIGRATION_MODULES): read from the source it imported. */
  discoveredBy?: 'static' | 'django'
  /**
   * False when only the graph-relevant header was read (a file the base
   * branch already had, in an app the PR does not touch): `operations` is
   * then empty, not known.
   */
  operationsRead?: false
}

/** A file that Python could not import: the user must fix it, so it names the place. */
export class MigrationParseError extends Error {
  readonly path: string
  readonly line: number
  readonly column: number
  constructor(path: string, line: number, column: number, detail: string) {
    super(`${path}:${line}:${column}: ${detail}`)
    this.name = 'MigrationParseError'
    this.path = path
    this.line = line
    this.column = column
  }
}

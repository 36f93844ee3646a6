// The messages of the Python helper (python/dmr_helper): what each request
// takes and answers, as plain JSON. The method names and error kinds are
// listed once, in python/dmr_helper/protocol.json; a test keeps this map and
// that file in step.
import type { ConnectionParams } from './options.js'

export interface HelperError {
  exception: string
  message: string
  sqlstate: string | null
  statement: string | null
  operationIndex: number | null
  /** The failing statement's parameters, shortened (for the proof). */
  params?: string[] | null
}

export interface HelperStatement {
  sql: string
  ms: number
  locks: Array<{ relation: string; mode: string }>
  rewrite: string[]
  operationIndex: number | null
  error?: HelperError
}

/** One migration applied or unapplied, statement by statement. */
export interface HelperRun {
  statements: HelperStatement[]
  droppedStatements: number
  error: HelperError | null
  ms: number
  atomic: boolean
  operations: string[]
}

export interface ProbeOutcome {
  /** null: the probe could not run meaningfully (`reason` says why). */
  ok: boolean | null
  message?: string
  sqlstate?: string | null
  exception?: string
  reason?: string
  /** The project's own Python refused a value (not the database). */
  codeError?: boolean
}

export interface ModelProbe {
  model: string
  table: string
  select: ProbeOutcome
  insert: ProbeOutcome
  update: ProbeOutcome
}

/** One model's write-then-read: the values that came back different. */
export interface RoundTrip {
  model: string
  table: string
  /** null: it could not run (`reason` says why). */
  ok: boolean | null
  mismatches: Array<{ field: string; column: string; wrote: string; read: string }>
  reason?: string
}

/** What the code knows about a column's values, for seeding rows that look like the team's. */
export interface FieldHint {
  name: string
  column: string
  internalType: string
  /** Every value of the field's `choices`, as Postgres input text. */
  choices?: string[]
  /** Values its default gives (several calls of a callable default). */
  defaults?: string[]
  /** A callable default that gave a different value each time (uuid4): real rows never repeat it. */
  defaultDistinct?: boolean
}

export interface ModelInfo {
  model: string
  table: string
  columns: string[]
  app: string
  fields: FieldHint[]
}

export interface MigrateToLeaves {
  applied: string[]
  ms: number
}

/** What `migrate` would run now, and how Django treats each squash on this database. */
export interface MigrationPlan {
  plan: string[]
  applied: string[]
  replacements: Record<string, { replaces: string[]; applied: boolean; inGraph: boolean }>
}

/** One migration module as Django's loader found it. */
export interface DiskMigration {
  app: string
  name: string
  module: string
  /** The module's file, relative to the project folder (a symlink's own path). */
  file?: string
  inProject?: boolean
  symlink?: boolean
  /** Whether the file a symlink points to is inside the project. */
  targetInProject?: boolean
  /** Imported from a `.pyc` with no `.py` beside it. */
  sourceless?: boolean
  /** The source Django imported, or (sourceless) the migration written back out by Django. */
  source: string | null
  sourceUnavailable?: string
  /** Dependencies as Django evaluated them (non-literal ones included). */
  dependencies: Array<[string, string]>
  replaces: Array<[string, string]>
}

export interface DiskMigrations {
  apps: Array<{ label: string; path: string; inProject: boolean; migrationsModule: string | null; explicit: boolean; migrated: boolean }>
  migrations: DiskMigration[]
  /** `app.name` of every leaf of the graph Django builds without a database. */
  leaves: string[]
  /** Apps with more than one leaf, and their leaves' names. */
  conflicts: Record<string, string[]>
  replacements: Record<string, string[]>
  /** The loader could not read the modules or build the graph: what it raised. */
  graphError: HelperError | null
}

export interface MissingMigrationChange {
  app: string
  operations: string[]
  /** The subset that would change the database (the rest change only Django's state). */
  databaseOperations: string[]
}

/** Every request the helper answers: its parameters and its answer. */
export interface HelperMethods {
  connect: { params: { database: ConnectionParams }; result: { database: string } }
  useDatabase: { params: { database: string }; result: { database: string } }
  closeConnections: { params: Record<string, never>; result: Record<string, never> }
  diskMigrations: { params: { projectDir: string }; result: DiskMigrations }
  missingMigrations: { params: { projectDir: string }; result: MissingMigrationChange[] }
  plan: { params: Record<string, never>; result: MigrationPlan }
  migrateToLeaves: { params: Record<string, never>; result: MigrateToLeaves }
  applied: { params: Record<string, never>; result: string[] }
  apply: { params: { app: string; name: string }; result: HelperRun }
  unapply: { params: { app: string; name: string }; result: HelperRun }
  models: { params: Record<string, never>; result: ModelInfo[] }
  probe: { params: { tables?: string[] }; result: ModelProbe[] }
  roundTrip: { params: { tables?: string[] }; result: RoundTrip[] }
}

export type HelperMethod = keyof HelperMethods

/** The kinds of error the helper reports (protocol.json's errorKinds). */
export type HelperErrorKind =
  | 'django-missing'
  | 'driver-missing'
  | 'settings'
  | 'migrate'
  | 'unknown-migration'
  | 'state'
  | 'protocol'
  | 'exception'

/** An error answer: the kind, the message, and what the kind needs to be explained. */
export interface HelperErrorAnswer {
  kind: HelperErrorKind
  message: string
  exception?: string
  /** For `settings`: the module whose import failed. */
  missing_module?: string
  traceback?: string
}

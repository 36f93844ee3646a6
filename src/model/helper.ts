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

/**
 * One statement of a migration, as the database cursor ran it (a custom
 * backend's rewrite included: CREATE INDEX CONCURRENTLY, NOT VALID then
 * VALIDATE). Times are milliseconds since the migration started.
 */
export interface HelperStatement {
  sql: string
  /** How long the statement itself ran (endMs - startMs). */
  ms: number
  /**
   * The relation locks this statement took. In a transaction (`inTransaction`):
   * only the relation+mode pairs it acquired, not those an earlier statement of
   * the transaction already holds; they are held until `heldUntilMs`. Outside
   * one: every lock the statement held while it ran. Empty when it failed.
   */
  locks: Array<{ relation: string; mode: string }>
  rewrite: string[]
  operationIndex: number | null
  error?: HelperError
  /** When the statement was sent. */
  startMs: number
  /** When it returned (or raised). */
  endMs: number
  /**
   * When its `locks` were released: the COMMIT or ROLLBACK of the transaction
   * it ran in (later statements and non-SQL work such as RunPython in between
   * keep them held), or its own end outside a transaction.
   */
  heldUntilMs: number
  /**
   * Whether it ran inside a transaction: the migration's own (atomic, on a
   * backend whose schema editor opens one) or one the project's code opened.
   */
  inTransaction: boolean
}

/** One migration applied or unapplied, statement by statement. */
export interface HelperRun {
  statements: HelperStatement[]
  droppedStatements: number
  error: HelperError | null
  ms: number
  /**
   * The migration's `atomic` attribute. Whether a transaction really wrapped it
   * is `commitMs !== null`: some backends (django-pg-zero-downtime-migrations)
   * never open one, and then each statement commits on its own.
   */
  atomic: boolean
  operations: string[]
  /**
   * When the transaction wrapping the migration's operations ended (COMMIT, or
   * ROLLBACK when it failed), in ms since the migration started; null when its
   * operations ran outside a transaction (or it has none).
   */
  commitMs: number | null
  /** When the run ended (Django returned or raised), in ms since the migration started. */
  endMs: number
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
  /** Writes and keeps one row per model with values as large as the model allows. */
  writeRows: { params: { tables?: string[] }; result: Array<ProbeOutcome & { model: string; table: string }> }
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

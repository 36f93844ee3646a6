// The shapes the Python helper answers with (python/dmr_helper): plain JSON.

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
}

export interface ModelProbe {
  model: string
  table: string
  select: ProbeOutcome
  insert: ProbeOutcome
  update: ProbeOutcome
}

export interface ModelInfo {
  model: string
  table: string
  columns: string[]
  app: string
}

export interface MigrateToLeaves {
  applied: string[]
  ms: number
}

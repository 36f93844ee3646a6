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

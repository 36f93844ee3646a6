// What the rehearsal yields: plain evidence per migration and for the run,
// handed to the verdicts. Nothing here is a judgement yet.
import type { HelperRun } from './helper.js'
import type { MigrationKey } from './migration.js'
import type { DataLossEntry, ProbeFailure, RehearsalInfo } from './report.js'

export interface MigrationEvidence {
  key: MigrationKey
  /** The forward run; null when it was not attempted (`forwardSkipped` says why). */
  forward: HelperRun | null
  forwardSkipped?: string
  /** Old (base) code against the schema after this migration: probes that passed before and fail now. */
  oldCodeFailures: ProbeFailure[]
  /** Whether the old code's probes ran after this migration at all. */
  oldCodeProbed: boolean
  /** New code against the base schema (deploy-code-first), blamed on this migration. */
  newCodeFailures: ProbeFailure[]
  newCodeProbed: boolean
  reverse: HelperRun | null
  reverseSkipped?: string
  /** Applying it again after the reverse. */
  reapply: HelperRun | null
  reapplySkipped?: string
  dataLoss: DataLossEntry[]
  /** Whether row-level data comparison covered every table this migration touched. */
  dataLossMeasured: boolean
  dataLossSkipped?: string
}

export interface RehearsalEvidence {
  info: RehearsalInfo
  migrations: Map<MigrationKey, MigrationEvidence>
  /** The base schema against the schema after the PR's migrations were applied and reversed. */
  schemaDifferences: Array<SchemaDifference & { owner: MigrationKey | null }>
  missingMigrations: Array<{ app: string; operations: string[] }> | null
  missingMigrationsReason?: string
  seed: SeedResult | null
  /** Models whose probes failed even on their own schema: their probes say nothing. */
  inconclusiveModels: string[]
}

export type RehearsalPhase =
  | 'checkout'
  | 'postgres'
  | 'migrate-base'
  | 'seed'
  | 'snapshot'
  | 'forward'
  | 'old-code-probes'
  | 'new-code-probes'
  | 'reverse'
  | 'reapply'
  | 'missing-migrations'
  | 'done'

export type SchemaDifferenceKind =
  | 'table-missing'
  | 'table-added'
  | 'column-missing'
  | 'column-added'
  | 'column-type'
  | 'column-nullability'
  | 'column-default'
  | 'index-missing'
  | 'index-added'
  | 'index-changed'
  | 'constraint-missing'
  | 'constraint-added'
  | 'constraint-changed'

export interface SchemaDifference {
  kind: SchemaDifferenceKind
  table: string
  /** The column, index or constraint. */
  name?: string
  before?: string
  after?: string
  /** One short sentence, e.g. `column shop_book.note is NOT NULL now; it was nullable`. */
  message: string
}

export interface SeedTableResult {
  table: string
  /** Rows inserted (after any clean-up of rows left dangling in a cycle). */
  rows: number
  /** Why the table has no rows. */
  skipped?: string
  /** Rows that were given up on after their retries (the table still has `rows`). */
  failedRows?: number
  /** The last error a given-up row got. */
  lastError?: string
}

export interface SeedResult {
  tables: SeedTableResult[]
  totalRows: number
  ms: number
}

// What the rehearsal yields: plain evidence per migration and for the run,
// handed to the verdicts. Nothing here is a judgement yet.
import type { HelperRun } from '../django/protocol.js'
import type { MigrationKey } from '../graph/types.js'
import type { DataLossEntry, ProbeFailure, RehearsalInfo } from '../report/types.js'
import type { SeedResult } from '../seed/seed.js'
import type { SchemaDifference } from './schema.js'

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
  schemaDifferences: SchemaDifference[]
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

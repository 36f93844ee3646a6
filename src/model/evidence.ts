// What the rehearsal yields: plain evidence per migration and for the run,
// handed to the verdicts. Nothing here is a judgement yet.
import type { HelperError, HelperRun } from './helper.js'
import type { MigrationKey } from './migration.js'
import type { Basis, Contention, DataLossEntry, LockWait, ProbeFailure, RehearsalInfo, RepairKind } from './report.js'

/** Rows changed or removed so that a migration that failed on the seeded rows could run again. */
export interface Repair {
  /** What the run before the repair raised. */
  cause: HelperError
  kind: RepairKind
  /** The table repaired (null for a repair of several tables: `tables`). */
  table: string | null
  tables: string[]
  columns: string[]
  /** Offending rows changed or removed. */
  rows: number
  /** The statements the repair ran. */
  sql: string[]
  /** A read-only query the team can run on production to learn whether it has such rows, and what an answer means. */
  productionCheck: { sql: string; meaning: string } | null
  /** Rows of the seeded data that had the problem, when the error identified them. */
  offendingRows: number | null
  /** Rows the repaired table had before the repair. */
  tableRows: number | null
  /** Whether every offending row came from the synthetic seed (none from the team's seed). */
  syntheticOnly: boolean
}

/**
 * A probe on a table the migration touched that proves nothing either way: it
 * did not pass on the schema the code was written for (the control), or it
 * could not run now (no row to point a foreign key at). A "works" answer must
 * not rest on it.
 */
export interface ProbeGap {
  model: string
  table: string
  probe: 'select' | 'insert' | 'update'
  reason: string
}

export interface MigrationEvidence {
  key: MigrationKey
  /**
   * applied: it ran forward (perhaps after repairs); failed: it did not apply
   * even after repairs; not-rehearsed: it was not run (`reason`);
   * recorded-applied: Django records it as applied without running it (a squash
   * whose replaced migrations are applied); replaced: Django runs the migrations
   * it replaces instead (some of them are applied, some not).
   */
  status: 'applied' | 'failed' | 'not-rehearsed' | 'recorded-applied' | 'replaced'
  reason?: string
  /** The first forward run, on the data as seeded; its error is the "does not apply" fact. */
  firstRun: HelperRun | null
  /** The data the first run met. */
  firstBasis: Basis
  repairs: Repair[]
  /** The run the later facts rest on: the one that applied, else the last one that failed. */
  forward: HelperRun | null
  /** The data the facts after the forward run rest on. */
  basis: Basis
  /**
   * Old (base) code against the schema after this migration: probes that passed
   * before and fail now. `masked`: probes an earlier migration of the PR already
   * broke, so whether this one breaks them too cannot be seen.
   */
  oldCode: { probed: boolean; failures: ProbeFailure[]; masked: string[]; unanswered: ProbeGap[]; reason?: string }
  /**
   * New code against the base schema (deploy-code-first), blamed on this
   * migration; `broken`: the new code failing on the very schema the PR's
   * migrations leave, where the base code worked on its own (a model and its
   * migrations disagree, e.g. a field removed from the state only).
   */
  newCode: { probed: boolean; failures: ProbeFailure[]; broken: ProbeFailure[]; unanswered: ProbeGap[]; reason?: string }
  /** Its own reverse, right after it ran (on a copy, after the new code wrote a row to what it touched). */
  reverse: HelperRun | null
  reverseSkipped?: string
  /** Its reverse when the whole pull request is rolled back, newest first, after every later migration ran. */
  rollback: HelperRun | null
  rollbackSkipped?: string
  /** Applying it again after the reverse. */
  reapply: HelperRun | null
  reapplySkipped?: string
  /** What its own forward run dropped, and what its own reverse did not bring back. */
  dataLoss: DataLossEntry[]
  /** Whether the round trip was compared row by row on every table it touched. */
  dataLossMeasured: boolean
  dataLossSkipped?: string
  /** The schema before it against the schema after its forward run and reverse. */
  schemaDrift: SchemaDifference[]
  /** The running code's queries played beside its forward run and its reverse (null when not played). */
  contention: Contention | null
  reverseContention: Contention | null
  /** Statements of its runs that waited for a lock another session held. */
  lockWaits: LockWait[]
  /** What the rehearsal noticed about it that is not a finding (a probe that could not run). */
  notes: string[]
}

export interface RehearsalEvidence {
  info: RehearsalInfo
  /** Every migration the rehearsal meant to run, in Django's order. */
  migrations: Map<MigrationKey, MigrationEvidence>
  seed: SeedResult | null
  /** Models whose probes failed even on their own schema: their probes say nothing. */
  inconclusiveModels: string[]
  /** Tables of the base schema (a rewrite of a table the PR creates costs nothing). */
  baseTables: string[]
}

export type RehearsalPhase =
  | 'postgres'
  | 'copy-template'
  | 'restore-base'
  | 'migrate-base'
  | 'seed'
  | 'save-base'
  | 'snapshot'
  | 'forward'
  | 'rollback'
  | 'new-code-probes'
  | 'throughput'
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
  /** The primary key's columns, when the table has one. */
  primaryKey?: string[]
  /** Primary keys of the ordinary rows (plain values that satisfy the schema's rules), as text. */
  ordinaryKeys?: string[][]
}

export interface SeedResult {
  tables: SeedTableResult[]
  totalRows: number
  ms: number
}

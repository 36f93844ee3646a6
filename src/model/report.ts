// The JSON report: the public contract between the engine and everything
// that shows it (comment, summary, annotations, SARIF, terminal) or consumes
// it (other tools, the fork-safe comment workflow). Versioned by
// `schemaVersion`; documented in docs/report.md; schema/report.v1.schema.json
// validates it. Fields are only ever added within a version, never renamed.

export const SCHEMA_VERSION = 1

export type Verdict = 'safe' | 'warning' | 'unsafe' | 'error'
export type Severity = 'info' | 'warning' | 'unsafe' | 'error'
/** What a finding rests on: reading the files, or running the migrations. */
export type Evidence = 'static' | 'rehearsal'
/**
 * The data a fact rests on: the seeder's adversarial rows (NULLs, duplicates,
 * values at their limits), the rows left after the rehearsal repaired those a
 * migration failed on (conforming), the team's own seed (`seed-sql`,
 * `seed-command`), a restored snapshot (`template-database`), or the files alone.
 */
export type Basis = 'adversarial-seed' | 'conforming-seed' | 'user-seed' | 'template-database' | 'static'
/** How the rehearsal repaired the rows a migration failed on, before running it again. */
export type RepairKind = 'not-null' | 'unique' | 'too-long' | 'check' | 'foreign-key' | 'ordinary-rows' | 'empty-tables'
export type DeployOrder = 'migrate-first' | 'deploy-first' | 'multi-step'
/** What a migration can break while old and new code run side by side. */
export type Breaks = 'old-code' | 'new-code' | 'data' | 'locks'

export interface RefInfo {
  /** The ref as given (`origin/main`, `HEAD`, a SHA). */
  ref: string
  /**
   * The commit it resolved to.
   * @pattern ^[0-9a-f]{40}([0-9a-f]{24})?$
   */
  sha: string
}

export interface Finding {
  /** Stable rule id, e.g. `add-field-not-null`, `conflicting-leaves`. */
  rule: string
  severity: Severity
  message: string
  /** Line in the migration file; null when the finding is about the whole file. */
  line: number | null
  evidence: Evidence
  /** Index of the operation in `operations`, when the finding is about one. */
  operationIndex?: number | null
  breaks?: Breaks[]
  deployOrder?: DeployOrder
  /** What to do instead. */
  safeAlternative?: string
  /** Rehearsal facts behind the finding: the statement, the error, the lock. */
  proof?: string[]
  /** Set when an inline comment or the config file silences the finding. */
  ignored?: { reason: string; source: 'inline' | 'config' }
  /**
   * For a finding the rehearsal looked into: `seen` when it saw it happen (the
   * proof says how), `not-seen` when it looked and did not (the severity was lowered).
   */
  outcome?: 'seen' | 'not-seen'
  /** The data the rehearsal's part of the finding rests on. */
  basis?: Basis
  /** For a failure only the seeder's rows caused: a read-only query that tells whether production has such rows. */
  productionCheck?: ProductionCheck
}

/** A read-only query for the team to run on production, and what its answer means. */
export interface ProductionCheck {
  sql: string
  /** What a non-empty (or non-zero) answer means, e.g. `rows with NULL in shop_book.note: the migration would fail`. */
  meaning: string
  /** Rows of the seeded data that had the problem. */
  seededRows: number
}

export interface OperationInfo {
  index: number
  type: string
  line: number
}

/** A fact the rehearsal establishes: a value, or null with the reason it is not known. */
export interface Established<T> {
  value: T | null
  reason?: string
  /** The data the answer rests on. */
  basis?: Basis
}

/** Rows the rehearsal changed so that a migration that failed on them could run again. */
export interface RepairReport {
  kind: RepairKind
  tables: string[]
  columns: string[]
  /** Offending rows changed or removed. */
  rows: number
  /** Whether every offending row came from the seeder (none from the team's seed). */
  syntheticOnly: boolean
  /** The error that made the repair necessary (first line). */
  cause: string
  sql: string[]
  productionCheck: string | null
}

/** Whether and how the rehearsal ran this migration. */
export interface MigrationRehearsal {
  /**
   * rehearsed: it ran forward (perhaps after repairs); failed: it did not apply,
   * even after repairs; not-rehearsed: it was meant to run and did not (`reason`);
   * recorded-applied: Django records it as applied without running it (a squash
   * whose replaced migrations are applied); replaced: Django runs the migrations it
   * replaces instead (some are applied); skipped: the rehearsal did not run at all.
   */
  status: 'rehearsed' | 'failed' | 'not-rehearsed' | 'recorded-applied' | 'replaced' | 'skipped'
  reason?: string
  /** The data the answers after the forward run rest on. */
  basis?: Basis
  repairs: RepairReport[]
  notes?: string[]
}

export interface MigrationReport {
  app: string
  name: string
  path: string
  operations: OperationInfo[]
  findings: Finding[]
  verdict: Verdict
  /** Null when no rule or rehearsal implies an order (e.g. a no-op migration). */
  deployOrder: DeployOrder | null
  /** What the verdict rests on. */
  evidence: Evidence[]
  atomic: boolean
  /** How Django's loader found it: `static` when the file review found it too; `django` when only Django's loader did (a symlink, a sourceless module, MIGRATION_MODULES). */
  discoveredBy?: 'static' | 'django'
  rehearsal: MigrationRehearsal
  // Rehearsal evidence; `value: null` with `reason` when not established.
  appliesOnSeededData: Established<boolean> & { error?: DatabaseErrorInfo }
  backwardCompatible: Established<boolean> & { failures?: ProbeFailure[] }
  forwardCompatible: Established<boolean> & { failures?: ProbeFailure[] }
  reversible: Established<boolean> & { error?: DatabaseErrorInfo }
  dataLoss: Established<boolean> & { losses?: DataLossEntry[] }
  reappliesAfterReverse: Established<boolean> & { error?: DatabaseErrorInfo }
  /** The strongest lock each relation was held in by the forward run. */
  locks: LockRecord[]
  /**
   * How long the forward run held each lock, per relation and mode: the statement that took it,
   * and the time until it was released (the COMMIT of an atomic migration, so a slow RunPython
   * after an ALTER keeps the ALTER's lock; the statement's own end outside a transaction).
   * Strongest mode first, then longest. Times are on the seeded rows.
   */
  lockHolds?: LockHold[]
  /** The same for the reverse run. */
  reverseLockHolds?: LockHold[]
  /**
   * With `table-stats`: how long each rewrite, full scan and index build of the forward run would
   * take on production's size of its table (the throughput measured on this runner, scaled).
   */
  estimates?: SizeEstimate[]
  /** The same for the reverse run. */
  reverseEstimates?: SizeEstimate[]
  /** The running code's queries played while the forward run ran: how long they waited behind its locks. */
  contention?: Contention
  /** The same while the reverse ran. */
  reverseContention?: Contention
  /** Statements of the forward or reverse run that waited for a lock another session held, with the holder. */
  lockWaits?: LockWait[]
  /** Relations the forward run rewrote (new storage: a full copy under lock). */
  rewrites: string[]
  /** Relations the reverse run rewrote. */
  reverseRewrites: string[]
  statements: StatementRecord[]
  reverseStatements: StatementRecord[]
  /** Statements left out of `statements` past the per-migration cap. */
  droppedStatements?: number
  /** Mechanical fixes, as lines to put in place of lines of the file (GitHub offers them as suggestions on the diff). */
  suggestions?: Suggestion[]
  durationMs: number | null
}

/** A fix that is mechanical: the text to put in place of lines `line` to `endLine` of the migration file. */
export interface Suggestion {
  rule: string
  line: number
  endLine: number
  replacement: string
  /** Why, in one or two sentences. */
  reason: string
}

export interface DatabaseErrorInfo {
  message: string
  /** Python exception class, e.g. `IntegrityError`, `IrreversibleError`. */
  exception: string
  sqlstate: string | null
  statement: string | null
  operationIndex: number | null
  line: number | null
}

export interface ProbeFailure {
  /** `app.Model` of the code that ran the probe. */
  model: string
  table: string
  /** `round-trip`: the code wrote a value and read back a different one. */
  probe: 'select' | 'insert' | 'update' | 'round-trip'
  message: string
  sqlstate: string | null
  /** The operation of the migration the failure comes from, when the rehearsal could tell. */
  operationIndex?: number | null
}

export interface DataLossEntry {
  table: string
  column: string | null
  /** Rows present before that are gone. */
  rowsLost: number
  /** Non-NULL values that came back different (or NULL). */
  valuesChanged: number
  /** `forward` when the forward migration dropped it; `round-trip` when the reverse did not restore it. */
  when: 'forward' | 'round-trip'
  /** The operation of the migration the loss comes from, when the rehearsal could tell. */
  operationIndex?: number | null
}

export interface LockRecord {
  relation: string
  mode: string
}

export interface LockHold {
  relation: string
  mode: string
  /** Index in `statements` (or `reverseStatements`) of the statement that took it. */
  statement: number
  operationIndex: number | null
  /** The line of that statement's operation in the migration file. */
  line: number | null
  heldMs: number
  /**
   * With `table-stats`: the hold on production's sizes (heldMs, with each rewrite, scan and index
   * build inside it replaced by its estimate).
   */
  estimatedMs?: number
  /** What released it: the transaction's end, or the statement's own end (no transaction). */
  until: 'commit' | 'statement'
  /** The operation running when it was released, when another than the one that took it (a RunPython after the ALTER). */
  releasedAfterOperation?: number | null
  releasedAfterLine?: number | null
}

/** One of the running code's queries that waited behind a migration's lock. */
export interface ContentionWait {
  table: string
  /** The query played: the lock it takes is the one the base code's SELECT (or INSERT/UPDATE) takes. */
  query: string
  waitedMs: number
  /** It waited the whole budget (`max-lock-hold`, its lock_timeout) and gave up. */
  timedOut: boolean
  /** The blocking lock the migration held on the table when the query was sent. */
  lock: string | null
}

/** The running code's queries played beside a migration (on by default; input `contention`). */
export interface Contention {
  /** Queries played. */
  probes: number
  /** The longest any of them waited. */
  maxWaitMs: number
  /** Those that waited long enough to notice, longest first. */
  blocked: ContentionWait[]
}

/** A statement of the migration (or of a connection its code opened) waiting for a lock another session held. */
export interface LockWait {
  query: string
  /** How long it had been waiting when last seen (at least). */
  waitedMs: number
  /** The table it waited for, when the wait was on a table. */
  relation: string | null
  /** The sessions holding it; `query` is the last one each sent, which may be a later one than the lock's. */
  holders: Array<{ pid: number; state: string | null; query: string }>
}

/** What a statement does to every row of a table, at a speed this runner measured. */
export type WorkKind = 'rewrite' | 'scan' | 'index-build'

/** A table's size in production, from the `table-stats` file. */
export interface TableSize {
  rows: number
  /** The table's own size (pg_table_size: heap and TOAST). */
  bytes: number
  /** Its indexes' size (pg_indexes_size). */
  indexBytes: number
}

/** Production's sizes by table name. */
export type TableSizes = ReadonlyMap<string, TableSize>

/** How fast this runner's server did one kind of work on a table of known size. */
export interface Throughput {
  kind: WorkKind
  /** Bytes read (a rewrite: the table and its indexes) per millisecond. */
  bytesPerMs: number
  /** The size of the table measured, and how long the work took. */
  sampleBytes: number
  sampleMs: number
}

export interface SizeEstimate {
  /** Index in `statements` (or `reverseStatements`). */
  statement: number
  table: string
  kind: WorkKind
  /** Production's size of the table. */
  rows: number
  bytes: number
  /** How long the statement took on the seeded rows. */
  seededMs: number
  estimatedMs: number
  /** The strongest lock on the table held meanwhile, when it blocks reads or writes. */
  lock: string | null
  /** How the estimate was made, in words. */
  basis: string
}

/** What `table-stats` gave the rehearsal: the sizes it read and the speeds it measured. */
export interface ProductionSizes {
  /** The file, as given. */
  source: string
  tables: number
  throughput: Throughput[]
  /** A blocking lock estimated to be held longer than this (`max-lock-hold`) makes its finding unsafe. */
  maxLockHoldMs: number
}

export interface StatementRecord {
  sql: string
  ms: number
  locks: LockRecord[]
  /** Tables or indexes whose storage was rewritten by this statement. */
  rewrite: string[]
  operationIndex: number | null
  line: number | null
  error?: DatabaseErrorInfo
}

export interface ConflictReport {
  app: string
  leaves: Array<{ name: string; path: string; side: 'main' | 'pr' | 'both' }>
  commonAncestor: string | null
  branches: { main: string[]; pr: string[] }
  overlap: { models: string[]; fields: string[]; opaque: string[] }
  needsHumanReview: boolean
  reason: string
  preexisting: boolean
  fix: {
    renames: Array<{ from: string; to: string; fromPath: string; toPath: string }>
    patch: string | null
    unavailable: string | null
    mergeCommand: string
  }
}

export interface EditedMigration {
  app: string
  name: string
  path: string
  change: 'modified' | 'deleted' | 'renamed'
  /** For a rename, where it went. */
  newPath?: string
  /**
   * For a deletion: the squash (`app.name`) that replaces the deleted
   * migration, so Django loads the squash in its place. A squash the PR adds
   * is never called a rename of the file it replaces.
   */
  replacedBy?: string
  /**
   * How much it weighs in the verdict: `warning` for an edit, or a deletion a
   * squash covers; `unsafe` for a deletion or a rename databases will trip on.
   */
  severity?: 'warning' | 'unsafe'
  message: string
}

export interface DuplicateNumber {
  app: string
  number: string
  migrations: string[]
  /** Whether the pull request added one of them. */
  introducedByPr: boolean
}

/**
 * Graph problems that do not break the graph: what the static review cannot
 * see or settle without Python, which the rehearsal (Django's own loader)
 * does. They weigh `warning` in the verdict, never `error`, and need not stop
 * the rehearsal.
 */
export const WARNING_GRAPH_PROBLEM_KINDS: readonly string[] = [
  'dynamic-dependencies',
  'symlinked-migration',
  'sourceless-migration',
  'migration-modules-setting',
  'django-only-migration',
  'static-only-migration'
]

/**
 * Something about the migration graph, at a file and line. `kind` is one of:
 *
 * - errors (the graph does not load; `severity: 'error'`): `syntax-error`,
 *   `merge-conflict`, `missing-dependency`, `cycle`, `app-without-migrations`,
 *   `squash-cycle`, `duplicate-app-label`; `symlink-outside-repository` (a
 *   symlinked migration or migrations folder whose target is absolute or
 *   leaves the repository: `migrate` would crash or import code outside the
 *   one reviewed) and `broken-symlink` (its target is not in the tree);
 * - warnings (`severity: 'warning'`, see WARNING_GRAPH_PROBLEM_KINDS):
 *   `dynamic-dependencies` (an app has several leaves only as far as the
 *   files can be read: a migration's dependencies are computed at run time,
 *   so Django's loader settles it; never reported as a conflict),
 *   `symlinked-migration` (a migration or migrations folder is a symlink),
 *   `sourceless-migration` (a committed `.pyc` with no `.py`, which Django
 *   imports) and `migration-modules-setting` (the settings set
 *   MIGRATION_MODULES, so Django may load migrations from other modules):
 *   these three say that the PR's migrations may not all be visible without
 *   Python; with it, `django-only-migration` (Django's loader imports a
 *   migration the file review did not find: it is reviewed from the source
 *   Django imported) and `static-only-migration` (a migration file Django's
 *   loader does not import).
 */
export interface GraphProblemReport {
  kind: string
  message: string
  path: string
  line: number
  column?: number
  /** Which tree shows it: the merge result is what main will have. */
  tree: 'merge' | 'head' | 'base'
  /** `error` (the default) when `migrate` would fail; `warning` when it asks for a look but does not stop `migrate` (the kinds of WARNING_GRAPH_PROBLEM_KINDS). */
  severity?: 'warning' | 'error'
}

export interface RehearsalInfo {
  /** Whether it ran; when it did not, `reason` says why and every dynamic field is null. */
  status: 'ran' | 'skipped' | 'failed'
  reason?: string
  provider?: 'container' | 'local' | 'url'
  postgresVersion?: string
  djangoVersion?: string
  pythonVersion?: string
  /** Milliseconds per phase, in the order run. */
  timings?: Record<string, number>
  seededRows?: number
  /** Migrations the rehearsal meant to run, and those it did run forward. */
  migrationsPlanned?: number
  migrationsRehearsed?: number
  /** What the rehearsal noticed that is no finding of a migration (a probe that could not run, a process restarted). */
  notes?: string[]
  /** Where the base database came from, when the base-schema cache (`cache-dir`) was asked for. */
  baseCache?: BaseCacheInfo
  /** The team's snapshot the rehearsal copied its databases from (`template-database`). */
  template?: TemplateInfo
  /** With `table-stats`: production's sizes and this runner's speeds; without, every time is for the seeded rows. */
  sizes?: ProductionSizes
}

/**
 * The base-schema cache: `hit` when the base database was restored from an
 * entry of `cache-dir`, `miss` when it was migrated and seeded (and saved),
 * `unavailable` when the cache could not be used (the reason says why: no
 * pg_dump that can read the server, a corrupt or foreign entry is reported as
 * a miss with the reason).
 */
export interface BaseCacheInfo {
  status: 'hit' | 'miss' | 'unavailable'
  /** The key of the entry: a hash of what decides the base database (also the Action's `cache-key` output). */
  key: string | null
  reason?: string
  /** Whether this run wrote the entry (after a miss). */
  saved?: boolean
  /** Milliseconds to restore (hit) or to save (miss). */
  ms?: number
  /** Size of the entry's archive, in bytes. */
  bytes?: number
}

/** The template database every database of the rehearsal was copied from. */
export interface TemplateInfo {
  /** Its name on the `database-url` server (never the URL: no password). */
  database: string
  /** Milliseconds of the first copy (CREATE DATABASE … TEMPLATE), a full copy of its files. */
  copyMs: number
  /** Its size, as pg_database_size says. */
  bytes: number
  /** Rows per table of the copy, before the pull request's migrations; `estimated` for tables past `sample-rows`, from the planner's statistics. */
  tables: Array<{ table: string; rows: number; estimated?: boolean }>
  /** Migrations of the base branch the template lacked, applied on the copy (`template-migrate`). */
  migratedForward?: string[]
}

export interface MissingMigrations {
  value: boolean | null
  reason?: string
  /** Per app, the changes `makemigrations` would write; `databaseOperations` those that change the database. */
  changes?: Array<{ app: string; operations: string[]; databaseOperations: string[] }>
  /** The command that writes them. */
  command?: string
}

export interface SchemaDifferenceReport {
  kind: string
  table: string
  name?: string
  message: string
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION
  tool: { name: 'django-migration-review'; version: string }
  base: RefInfo
  head: RefInfo
  /** The pull request reviewed, when the run was for one (the fork-safe comment stage confirms it). */
  pullRequest: { number: number } | null
  /** Where the PR forked from the base branch. */
  mergeBase: string | null
  merge: { tree: string; clean: boolean; conflictedPaths: string[] }
  projectRoot: string
  verdict: Verdict
  /** One sentence a person reads first. */
  summary: string
  conflicts: ConflictReport[]
  editedMigrations: EditedMigration[]
  duplicateNumbers: DuplicateNumber[]
  graphProblems: GraphProblemReport[]
  /** Every migration the PR adds, in apply order. */
  migrations: MigrationReport[]
  rehearsal: RehearsalInfo
  /** Differences between the base schema and the schema after the new migrations were applied and reversed. */
  schemaDifferences: SchemaDifferenceReport[]
  missingMigrations: MissingMigrations
  /** The order to ship the PR in: the most demanding of its migrations. */
  deployOrder: DeployOrder | null
  timings: Record<string, number>
}

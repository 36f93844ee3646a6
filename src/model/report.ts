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
export type DeployOrder = 'migrate-first' | 'deploy-first' | 'multi-step'
/** What a migration can break while old and new code run side by side. */
export type Breaks = 'old-code' | 'new-code' | 'data' | 'locks'

export interface RefInfo {
  /** The ref as given (`origin/main`, `HEAD`, a SHA). */
  ref: string
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
  // Rehearsal evidence (issue 3); `value: null` with `reason` when not established.
  appliesOnSeededData: Established<boolean> & { error?: DatabaseErrorInfo }
  backwardCompatible: Established<boolean> & { failures?: ProbeFailure[] }
  forwardCompatible: Established<boolean> & { failures?: ProbeFailure[] }
  reversible: Established<boolean> & { error?: DatabaseErrorInfo }
  dataLoss: Established<boolean> & { losses?: DataLossEntry[] }
  reappliesAfterReverse: Established<boolean> & { error?: DatabaseErrorInfo }
  /** The strongest lock each relation was held in by the forward run. */
  locks: LockRecord[]
  /** Relations the forward run rewrote (new storage: a full copy under lock). */
  rewrites: string[]
  statements: StatementRecord[]
  reverseStatements: StatementRecord[]
  /** Statements left out of `statements` past the per-migration cap. */
  droppedStatements?: number
  durationMs: number | null
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
  probe: 'select' | 'insert' | 'update'
  message: string
  sqlstate: string | null
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
}

export interface LockRecord {
  relation: string
  mode: string
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
export const WARNING_GRAPH_PROBLEM_KINDS: readonly string[] = ['dynamic-dependencies', 'symlinked-migration', 'sourceless-migration', 'migration-modules-setting']

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
 *   imports), `migration-modules-setting` (the settings set
 *   MIGRATION_MODULES, so Django may load migrations from other modules).
 *   The last three say that the PR's migrations may not all be visible
 *   without Python.
 */
export interface GraphProblemReport {
  kind: string
  message: string
  path: string
  line: number
  column?: number
  /** Which tree shows it: the merge result is what main will have. */
  tree: 'merge' | 'head' | 'base'
  /** `error` when the graph cannot load; `warning` for the kinds of WARNING_GRAPH_PROBLEM_KINDS. Absent means `error`. */
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
}

export interface MissingMigrations {
  value: boolean | null
  reason?: string
  /** Per app, the changes `makemigrations` would write. */
  changes?: Array<{ app: string; operations: string[] }>
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

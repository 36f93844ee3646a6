// Evidence in, judged report out: structural findings, the rules' findings
// and the rehearsal's evidence become one verdict per migration and one for
// the PR. A migration the rehearsal meant to run and did not is never safe; a
// fact that is certain from the file alone (RunPython without reverse_code)
// is answered even when the rehearsal could not run it. The sentences a
// person reads first (the summary) are the report part's.
import type { DjangoView } from '../model/django-view.js'
import type { MigrationEvidence, ProbeGap, RehearsalEvidence } from '../model/evidence.js'
import type { RuleFinding } from '../model/findings.js'
import type { HelperRun, HelperStatement } from '../model/helper.js'
import { migrationKey, type MigrationFile, type MigrationKey } from '../model/migration.js'
import {
  SCHEMA_VERSION,
  type ConflictReport,
  type DeployOrder,
  type Evidence,
  type Finding,
  type LockRecord,
  type MigrationReport,
  type MissingMigrations,
  type RehearsalInfo,
  type TableSizes,
  type Report,
  type StatementRecord,
  type Suggestion,
  type LockHold,
  type Verdict
} from '../model/report.js'
import type { StaticReview } from '../model/static-review.js'
import { TOOL_VERSION } from '../model/version.js'
import { estimatedHold, estimateRun, type Estimates } from './estimates.js'
import { factsOf, firstLine } from './facts.js'
import { BLOCKING_MODES, lockName } from './locks.js'
import { fuse, type Checked } from './fuse.js'
import { compareSeverity, verdictOf, worstSeverity, worstVerdict } from './severity.js'

export interface AssembleInput {
  review: StaticReview
  projectRoot: string
  /** Every migration the PR adds (the static review's, and those only Django's loader found), in apply order. */
  added?: readonly MigrationFile[]
  ruleFindings?: ReadonlyMap<MigrationKey, RuleFinding[]>
  rehearsal?: RehearsalInfo
  evidence?: RehearsalEvidence | null
  djangoView?: DjangoView | null
  /** Mechanical fixes per migration (the rules part's). */
  suggestions?: ReadonlyMap<MigrationKey, Suggestion[]>
  /** Migrations left out by the repository's config. */
  excluded?: ReadonlySet<MigrationKey>
  lockTimeoutMs?: number
  /** How long the running code may wait behind a lock (`max-lock-hold`). */
  maxLockHoldMs?: number
  /** Production's table sizes (`table-stats`); used with the speeds the rehearsal measured. */
  tableSizes?: TableSizes
  timings: Record<string, number>
}

const LOCK_STRENGTH = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock'
]

export function assembleReport(input: AssembleInput): Report {
  const { review } = input
  const evidence = input.evidence ?? null
  const rehearsal: RehearsalInfo =
    evidence?.info ?? input.rehearsal ?? { status: 'skipped', reason: 'the rehearsal was not run (static review only)' }
  const context: MigrationContext = {
    input,
    rehearsal,
    evidence,
    notRun: `not established: ${rehearsal.reason ?? 'the rehearsal did not run'}`,
    baseTables: new Set(evidence?.baseTables ?? [])
  }
  const added = input.added ?? review.added
  const migrations = added.filter((file) => !input.excluded?.has(migrationKey(file))).map((file) => migrationReport(file, context))

  const conflicts: ConflictReport[] = review.conflicts.map((conflict) => ({
    app: conflict.app,
    leaves: conflict.leaves.map((leaf) => ({ name: leaf.name, path: leaf.path, side: leaf.side })),
    commonAncestor: conflict.commonAncestor,
    branches: conflict.branches,
    overlap: conflict.overlap,
    needsHumanReview: conflict.needsHumanReview,
    reason: conflict.reason,
    preexisting: conflict.preexisting,
    fix: { renames: conflict.fix.renames, patch: conflict.fix.patch, unavailable: conflict.fix.unavailable, mergeCommand: conflict.fix.mergeCommand }
  }))

  const missing = missingMigrations(input.djangoView ?? null)
  // What the file review and Django's loader both saw is said once.
  const graphProblems = [...review.problems, ...(input.djangoView?.problems ?? [])].filter(
    (problem, index, all) => all.findIndex((other) => other.kind === problem.kind && other.path === problem.path) === index
  )
  const verdicts: Verdict[] = [
    ...migrations.map((migration) => migration.verdict),
    ...conflicts.map((conflict): Verdict => (conflict.preexisting ? 'warning' : 'unsafe')),
    ...review.edited.map((edit): Verdict => edit.severity ?? (edit.change === 'modified' ? 'warning' : 'unsafe')),
    ...graphProblems.map((problem): Verdict => problem.severity ?? 'error'),
    ...(rehearsal.status === 'failed' ? (['error'] as Verdict[]) : []),
    ...(input.djangoView?.status === 'failed' ? (['error'] as Verdict[]) : []),
    ...(missing.changes?.some((change) => change.databaseOperations.length > 0) ? (['unsafe'] as Verdict[]) : [])
  ]
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'django-migration-review', version: TOOL_VERSION },
    base: review.base,
    head: review.head,
    pullRequest: null,
    mergeBase: review.mergeBase,
    merge: { tree: review.merge.tree, clean: review.merge.clean, conflictedPaths: review.merge.conflictedPaths },
    projectRoot: input.projectRoot,
    verdict: worstVerdict(verdicts),
    // Written by the report part, which owns the sentences (report/summary.ts).
    summary: '',
    conflicts,
    editedMigrations: review.edited,
    duplicateNumbers: review.duplicates,
    graphProblems,
    migrations,
    rehearsal,
    schemaDifferences: migrations.flatMap((migration) =>
      (evidence?.migrations.get(`${migration.app}.${migration.name}`)?.schemaDrift ?? []).map((d) => ({
        kind: d.kind,
        table: d.table,
        ...(d.name ? { name: d.name } : {}),
        message: d.message
      }))
    ),
    missingMigrations: missing,
    deployOrder: prDeployOrder(migrations),
    timings: input.timings
  }
}

function missingMigrations(view: DjangoView | null): MissingMigrations {
  if (view === null || view.status !== 'ran') {
    return { value: null, reason: `not established: ${view?.reason ?? "Django's autodetector needs the project's Python (static review only)"}` }
  }
  if (view.missingMigrations === null) return { value: null, reason: `not established: ${view.missingMigrationsReason ?? 'the autodetector did not answer'}` }
  const changes = view.missingMigrations.map((change) => ({ app: change.app, operations: change.operations, databaseOperations: change.databaseOperations }))
  return {
    value: changes.length > 0,
    changes,
    ...(changes.length > 0 ? { command: `python manage.py makemigrations ${changes.map((change) => change.app).join(' ')}` } : {})
  }
}

interface MigrationContext {
  input: AssembleInput
  rehearsal: RehearsalInfo
  evidence: RehearsalEvidence | null
  notRun: string
  baseTables: ReadonlySet<string>
}

// Findings whose match makes a fact certain without running anything.
const STATIC_IRREVERSIBLE = new Set(['run-python-irreversible', 'run-sql-irreversible'])
const STATIC_BREAKS_OLD_CODE = new Set(['remove-field', 'remove-model', 'rename-field', 'rename-model', 'add-field-not-null'])
const STATIC_LOSES_DATA = new Set(['remove-field', 'remove-model'])
// Operations the running code cannot notice: a nullable column, a column the database fills (a
// volatile db_default) or a new table it never selects.
const STATIC_COMPATIBLE = new Set(['add-field-nullable', 'add-model', 'add-field-volatile-default'])
const STATIC_ANY = new Set([...STATIC_BREAKS_OLD_CODE, ...STATIC_LOSES_DATA, ...STATIC_IRREVERSIBLE])

function migrationReport(file: MigrationFile, context: MigrationContext): MigrationReport {
  const { input, evidence } = context
  const key = migrationKey(file)
  const entry = evidence?.migrations.get(key)
  const rules = input.ruleFindings?.get(key) ?? []
  const ran = entry !== undefined && (entry.status === 'applied' || entry.status === 'failed')
  const production = context.rehearsal.sizes
  const sized = production && input.tableSizes ? { production, sizes: input.tableSizes } : null
  const forwardRun = entry?.status === 'applied' ? entry.forward : null
  const reverseRun = entry?.reverse && entry.reverse.error === null ? entry.reverse : null
  const forwardEstimates: Estimates = sized && forwardRun ? estimateRun(forwardRun, sized.sizes, sized.production) : new Map()
  const reverseEstimates: Estimates = sized && reverseRun ? estimateRun(reverseRun, sized.sizes, sized.production) : new Map()
  const facts = ran
    ? factsOf(entry, {
        lockTimeoutMs: input.lockTimeoutMs ?? 0,
        ...(input.maxLockHoldMs !== undefined ? { maxLockHoldMs: input.maxLockHoldMs } : {}),
        baseTables: context.baseTables,
        ...(sized ? { sizes: { production: sized.production, forward: forwardEstimates, reverse: reverseEstimates } } : {})
      })
    : []
  const fused = fuse(rules, facts, ran ? checkedBy(entry, evidence!) : null)
  const lineOf = (index: number | null | undefined): number | null =>
    index === null || index === undefined ? null : (file.operations.find((operation) => operation.index === index)?.line ?? null)
  for (const finding of fused) if (finding.line === null && finding.operationIndex != null) finding.line = lineOf(finding.operationIndex)

  // Worst first; among equals, what the rehearsal saw before what the rules expect.
  const findings = [...structuralFindings(input.review, file), ...rehearsalFindings(entry, context, file), ...gapFindings(entry, rules, file), ...fused].sort(
    (a, b) =>
      compareSeverity(a.severity, b.severity) ||
      Number(b.outcome === 'seen') - Number(a.outcome === 'seen') ||
      (a.line ?? 0) - (b.line ?? 0)
  )
  const holds = forwardRun ? lockHolds(forwardRun, lineOf, forwardEstimates) : null
  if (holds) proveMixed(findings, holds, entry!.forward!)
  const active = findings.filter((finding) => finding.ignored === undefined)
  const matched = (ids: ReadonlySet<string>) => rules.some((finding) => ids.has(finding.rule))
  const reason = entry?.reason && entry.status !== 'applied' ? `not established: ${entry.reason}` : context.notRun
  const unknown = (why: string = reason) => ({ value: null, reason: why })
  const forward = entry?.status === 'applied' ? entry.forward : null
  const first = entry?.firstRun ?? null
  // Probes an earlier migration already broke say nothing about this one: unknown, unless it breaks others.
  const masked = entry?.oldCode.probed === true && entry.oldCode.failures.length === 0 && entry.oldCode.masked.length > 0
  // "Works" only when every probe on what it touched gave an answer; a failure is an answer on its own.
  const oldGaps = entry?.oldCode.unanswered ?? []
  const newGaps = entry?.newCode.unanswered ?? []
  const oldBreaks = entry?.oldCode.probed && !masked ? (entry.oldCode.failures.length > 0 ? true : oldGaps.length > 0 ? null : false) : null
  const newBreaks = entry?.newCode.probed ? (entry.newCode.failures.length > 0 ? true : newGaps.length > 0 ? null : false) : null
  const evidenceKinds = new Set<Evidence>(active.map((finding) => finding.evidence))
  if (ran) evidenceKinds.add('rehearsal')
  if (active.length > 0 || evidenceKinds.size === 0) evidenceKinds.add('static')
  const basis = entry?.basis ?? 'static'
  // A squash Django records as applied runs nothing: nothing to apply, break or lose.
  const recorded = entry?.status === 'recorded-applied' ? { basis: 'static' as const, reason: entry.reason! } : null
  const onlyCompatible = rules.length > 0 && rules.every((finding) => STATIC_COMPATIBLE.has(finding.rule)) && !matched(STATIC_ANY)

  return {
    app: file.app,
    name: file.name,
    path: file.path,
    operations: file.operations.map((operation) => ({ index: operation.index, type: operation.type, line: operation.line })),
    findings,
    verdict: verdictOf(worstSeverity(active.map((finding) => finding.severity))),
    deployOrder: migrationDeployOrder(oldBreaks, newBreaks, active),
    evidence: [...evidenceKinds].sort(),
    atomic: file.atomic,
    ...(file.discoveredBy ? { discoveredBy: file.discoveredBy } : {}),
    rehearsal: migrationRehearsal(entry, context),
    appliesOnSeededData: first
      ? { value: first.error === null, basis: entry!.firstBasis, ...(first.error ? { error: errorInfo(first, lineOf) } : {}) }
      : recorded
        ? { value: true, ...recorded }
        : unknown(),
    backwardCompatible:
      oldBreaks !== null
        ? { value: !oldBreaks, basis, failures: entry!.oldCode.failures }
        : matched(STATIC_BREAKS_OLD_CODE)
          ? { value: false, basis: 'static', reason: 'read from the migration: the running code cannot work with this change' }
          : recorded
            ? { value: true, ...recorded }
            : onlyCompatible
              ? { value: true, basis: 'static', reason: 'read from the migration: it only adds what the running code does not use' }
          : unknown(
              masked
                ? `not established: the old code's ${entry!.oldCode.masked.join(', ')} already failed after an earlier migration of this pull request`
                : entry?.oldCode.reason
                  ? `not established: ${entry.oldCode.reason}`
                  : oldGaps.length > 0
                    ? `not established: ${gapsText('old', oldGaps)}`
                    : reason
            ),
    forwardCompatible:
      newBreaks !== null
        ? { value: !newBreaks, basis, failures: entry!.newCode.failures }
        : unknown(
            entry?.newCode.reason
              ? `not established: ${entry.newCode.reason}`
              : newGaps.length > 0
                ? `not established: ${gapsText('new', newGaps)}`
                : reason
          ),
    reversible: entry?.reverse
      ? entry.reverse.error === null && entry.rollback?.error
        ? { value: false, basis, reason: 'its own reverse works, but rolling back the whole pull request fails here', error: errorInfo(entry.rollback, lineOf) }
        : { value: entry.reverse.error === null, basis, ...(entry.reverse.error ? { error: errorInfo(entry.reverse, lineOf) } : {}) }
      : matched(STATIC_IRREVERSIBLE)
        ? { value: false, basis: 'static', reason: 'read from the migration: an operation has no reverse, so `migrate` back raises IrreversibleError' }
        : unknown(entry?.reverseSkipped ? `not established: ${entry.reverseSkipped}` : reason),
    dataLoss:
      entry && (entry.dataLossMeasured || entry.dataLoss.length > 0)
        ? { value: entry.dataLoss.length > 0, basis, losses: entry.dataLoss }
        : matched(STATIC_LOSES_DATA)
          ? { value: true, basis: 'static', reason: 'read from the migration: it drops a column or table of the base schema' }
          : recorded
            ? { value: false, ...recorded }
            : unknown(entry?.dataLossSkipped ? `not established: ${entry.dataLossSkipped}` : reason),
    reappliesAfterReverse: entry?.reapply
      ? { value: entry.reapply.error === null, basis, ...(entry.reapply.error ? { error: errorInfo(entry.reapply, lineOf) } : {}) }
      : unknown(entry?.reapplySkipped ? `not established: ${entry.reapplySkipped}` : reason),
    locks: strongestLocks(forward?.statements ?? []),
    ...(holds ? { lockHolds: holds } : {}),
    ...(reverseRun ? { reverseLockHolds: lockHolds(reverseRun, lineOf, reverseEstimates) } : {}),
    ...(forwardEstimates.size > 0 ? { estimates: [...forwardEstimates.values()] } : {}),
    ...(forwardRun && entry?.contention ? { contention: entry.contention } : {}),
    ...(reverseRun && entry?.reverseContention ? { reverseContention: entry.reverseContention } : {}),
    ...(entry && entry.lockWaits.length > 0 ? { lockWaits: entry.lockWaits } : {}),
    ...(reverseEstimates.size > 0 ? { reverseEstimates: [...reverseEstimates.values()] } : {}),
    rewrites: [...new Set((forward?.statements ?? []).flatMap((statement) => statement.rewrite))].sort(),
    reverseRewrites: [...new Set((entry?.reverse?.statements ?? []).flatMap((statement) => statement.rewrite))].sort(),
    statements: ((forward ?? first)?.statements ?? []).map((statement) => statementRecord(statement, lineOf)),
    reverseStatements: (entry?.reverse?.statements ?? []).map((statement) => statementRecord(statement, lineOf)),
    ...(forward && forward.droppedStatements > 0 ? { droppedStatements: forward.droppedStatements } : {}),
    ...(input.suggestions?.get(key)?.length ? { suggestions: input.suggestions.get(key)! } : {}),
    durationMs: forward ? forward.ms : null
  }
}

function migrationRehearsal(entry: MigrationEvidence | undefined, context: MigrationContext): MigrationReport['rehearsal'] {
  if (entry === undefined) {
    return { status: context.rehearsal.status === 'ran' ? 'not-rehearsed' : 'skipped', reason: context.rehearsal.reason ?? 'the rehearsal did not run', repairs: [] }
  }
  const status = entry.status === 'applied' ? 'rehearsed' : entry.status
  const ran = status === 'rehearsed' || status === 'failed'
  return {
    status,
    ...(entry.reason && !ran ? { reason: entry.reason } : {}),
    ...(ran ? { basis: entry.basis } : {}),
    repairs: entry.repairs.map((repair) => ({
      kind: repair.kind,
      tables: repair.tables,
      columns: repair.columns,
      rows: repair.rows,
      syntheticOnly: repair.syntheticOnly,
      cause: firstLine(repair.cause.message),
      sql: repair.sql,
      productionCheck: repair.productionCheck?.sql ?? null
    })),
    ...(entry.notes.length > 0 ? { notes: entry.notes } : {})
  }
}

/**
 * The running code's probes on what the migration touched could not all be tried, and the file
 * does not answer either: "backward compatible" is unknown, so the migration cannot be called safe.
 */
function gapFindings(entry: MigrationEvidence | undefined, rules: readonly Finding[], file: MigrationFile): Finding[] {
  const gaps = entry?.oldCode.unanswered ?? []
  if (!entry?.oldCode.probed || entry.oldCode.failures.length > 0 || entry.oldCode.masked.length > 0 || gaps.length === 0) return []
  const answeredByFile = rules.some((finding) => STATIC_BREAKS_OLD_CODE.has(finding.rule)) || (rules.length > 0 && rules.every((finding) => STATIC_COMPATIBLE.has(finding.rule)))
  if (answeredByFile) return []
  return [
    {
      rule: 'compatibility-unknown',
      severity: 'warning',
      message: `whether the running code still works after it is not known: ${gapsText('old', gaps)}`,
      line: file.line,
      evidence: 'rehearsal',
      basis: entry.basis
    }
  ]
}

/** `the old code's INSERT on accounts.Profile could not be tried (no row in auth_user to point user at)`, for a few. */
function gapsText(code: 'old' | 'new', gaps: readonly ProbeGap[]): string {
  const shown = gaps.slice(0, 3).map((gap) => `${gap.probe.toUpperCase()} on ${gap.model} (${gap.reason})`)
  const more = gaps.length > 3 ? ` and ${gaps.length - 3} more` : ''
  return `the ${code} code's ${shown.join('; ')}${more} could not be tried, so whether it works is not known`
}

/** What the rehearsal did not do for this migration, as findings: never a silent "safe". */
function rehearsalFindings(entry: MigrationEvidence | undefined, context: MigrationContext, file: MigrationFile): Finding[] {
  const { rehearsal } = context
  // --static-only (or `rehearsal: false`) asked for a static verdict; it says so in the summary.
  if (rehearsal.status === 'skipped' && context.evidence === null && (context.input.rehearsal === undefined || /switched off/.test(rehearsal.reason ?? ''))) {
    return []
  }
  const notRehearsed = (reason: string): Finding => ({
    rule: 'not-rehearsed',
    severity: 'warning',
    message: `not rehearsed: ${reason}; what this review says about it rests on reading the file alone`,
    line: file.line,
    evidence: 'rehearsal',
    basis: 'static'
  })
  if (entry === undefined) return [notRehearsed(rehearsal.status === 'ran' ? 'the rehearsal did not reach it' : (rehearsal.reason ?? 'the rehearsal did not run'))]
  switch (entry.status) {
    case 'not-rehearsed':
      return [notRehearsed(entry.reason ?? 'the rehearsal did not reach it')]
    case 'recorded-applied':
    case 'replaced':
      return [
        {
          rule: entry.status === 'replaced' ? 'squash-not-used' : 'recorded-as-applied',
          severity: 'info',
          message: entry.reason ?? '',
          line: file.line,
          evidence: 'rehearsal',
          outcome: 'seen'
        }
      ]
    default:
      return []
  }
}

/** For refuting a rule: did the rehearsal look for this kind of fact about this migration? */
function checkedBy(entry: MigrationEvidence, evidence: RehearsalEvidence): Checked {
  const applied = entry.status === 'applied'
  const appliedFirstTime = applied && entry.firstRun?.error === null
  return (kind, finding) => {
    switch (kind) {
      case 'old-code-breaks':
      case 'round-trip': {
        const inconclusive = evidence.inconclusiveModels.some((label) => label.toLowerCase() === finding.model)
        return applied && entry.oldCode.probed && entry.oldCode.masked.length === 0 && !inconclusive
      }
      case 'new-code-breaks':
        return applied && entry.newCode.probed
      case 'apply-error':
        // A first run stopped by a lock or a timeout did not show that it applies.
        return appliedFirstTime
      case 'rewrite':
      case 'blocking-lock':
        return applied
      case 'irreversible':
      case 'reverse-error':
        return entry.reverse !== null
      case 'data-loss':
      case 'reverse-data-loss':
        return entry.dataLossMeasured
    }
  }
}

function migrationDeployOrder(oldBreaks: boolean | null, newBreaks: boolean | null, findings: Finding[]): DeployOrder | null {
  if (oldBreaks !== null && newBreaks !== null) {
    const statedOrder = strictest(findings.map((f) => f.deployOrder))
    if (oldBreaks && newBreaks) return 'multi-step'
    if (oldBreaks) return statedOrder === 'multi-step' ? 'multi-step' : 'deploy-first'
    if (newBreaks) return 'migrate-first'
    // Neither breaks: any order works, unless a rule knows better.
    return statedOrder
  }
  return strictest(findings.map((finding) => finding.deployOrder))
}

const ORDER_RANK: Record<DeployOrder, number> = { 'migrate-first': 0, 'deploy-first': 1, 'multi-step': 2 }

function strictest(orders: Array<DeployOrder | undefined | null>): DeployOrder | null {
  let result: DeployOrder | null = null
  for (const order of orders) if (order && (result === null || ORDER_RANK[order] > ORDER_RANK[result])) result = order
  return result
}

/** The PR ships in one order: migrations that need opposite orders make it multi-step. */
function prDeployOrder(migrations: MigrationReport[]): DeployOrder | null {
  const orders = migrations.map((migration) => migration.deployOrder).filter((order): order is DeployOrder => order !== null)
  if (orders.includes('multi-step')) return 'multi-step'
  if (orders.includes('deploy-first') && orders.includes('migrate-first')) {
    return orders.every((order) => order === 'deploy-first') ? 'deploy-first' : 'multi-step'
  }
  return orders[0] ?? null
}

function strongestLocks(statements: readonly HelperStatement[]): LockRecord[] {
  const strongest = new Map<string, string>()
  for (const statement of statements) {
    for (const lock of statement.locks) {
      const current = strongest.get(lock.relation)
      if (current === undefined || LOCK_STRENGTH.indexOf(lock.mode) > LOCK_STRENGTH.indexOf(current)) strongest.set(lock.relation, lock.mode)
    }
  }
  return [...strongest].map(([relation, mode]) => ({ relation, mode })).sort((a, b) => (a.relation < b.relation ? -1 : 1))
}

/**
 * mixed-schema-and-data, seen: a blocking lock a schema statement took and kept through a later
 * operation (the data code) to the COMMIT. The hold is the proof.
 */
function proveMixed(findings: Finding[], holds: readonly LockHold[], run: HelperRun): void {
  const mixed = findings.find((finding) => finding.rule === 'mixed-schema-and-data' && finding.ignored === undefined)
  if (!mixed) return
  const kept = holds.find((hold) => BLOCKING_MODES.has(hold.mode) && hold.until === 'commit' && hold.releasedAfterOperation != null && hold.releasedAfterOperation !== hold.operationIndex)
  if (!kept) return
  const verb = (run.statements[kept.statement]?.sql ?? '').trim().split(/\s+/).slice(0, 2).join(' ').toUpperCase()
  mixed.evidence = 'rehearsal'
  mixed.outcome = 'seen'
  mixed.proof = [
    ...(mixed.proof ?? []),
    `${lockName(kept.mode)} on ${kept.relation} held ${Math.round(kept.heldMs)} ms, from the ${verb}${kept.line !== null ? ` at line ${kept.line}` : ''} through the operation${kept.releasedAfterLine != null ? ` at line ${kept.releasedAfterLine}` : ''} to the COMMIT`
  ]
}

/**
 * Each lock a run took, per relation and mode, with how long it was held: from the statement that
 * acquired it to its release (the run's COMMIT in a transaction). Strongest first, then longest.
 */
export function lockHolds(run: HelperRun, lineOf: (index: number | null) => number | null, estimates: Estimates = new Map()): LockHold[] {
  const holds = new Map<string, LockHold>()
  // What was running when a lock was released: the last operation at the migration's COMMIT, else the
  // operation of the last statement sent before the release.
  const operationAt = (ms: number): number | null => {
    if (run.commitMs !== null && Math.abs(ms - run.commitMs) < 0.5 && run.operations.length > 0) return run.operations.length - 1
    return run.statements.filter((statement) => statement.startMs <= ms && statement.operationIndex !== null).at(-1)?.operationIndex ?? null
  }
  run.statements.forEach((statement, index) => {
    for (const lock of statement.locks) {
      const id = `${lock.relation}\u0000${lock.mode}`
      if (holds.has(id)) continue
      const heldMs = Math.max(0, Math.round((statement.heldUntilMs - statement.startMs) * 10) / 10)
      const until = statement.inTransaction ? 'commit' : 'statement'
      const hold: LockHold = { relation: lock.relation, mode: lock.mode, statement: index, operationIndex: statement.operationIndex, line: lineOf(statement.operationIndex), heldMs, until }
      const releasedAfter = until === 'commit' ? operationAt(statement.heldUntilMs) : null
      if (releasedAfter !== null && releasedAfter !== statement.operationIndex) {
        hold.releasedAfterOperation = releasedAfter
        hold.releasedAfterLine = lineOf(releasedAfter)
      }
      const estimated = estimatedHold(hold, run, estimates)
      if (estimated !== null) hold.estimatedMs = estimated
      holds.set(id, hold)
    }
  })
  // On production's sizes when they are known: the hold production would feel.
  const length = (hold: LockHold) => hold.estimatedMs ?? hold.heldMs
  return [...holds.values()].sort((a, b) => LOCK_STRENGTH.indexOf(b.mode) - LOCK_STRENGTH.indexOf(a.mode) || length(b) - length(a))
}

function statementRecord(statement: HelperStatement, lineOf: (index: number | null) => number | null): StatementRecord {
  return {
    sql: statement.sql,
    ms: statement.ms,
    locks: statement.locks,
    rewrite: statement.rewrite,
    operationIndex: statement.operationIndex,
    line: lineOf(statement.operationIndex),
    ...(statement.error ? { error: { ...statement.error, line: lineOf(statement.error.operationIndex) } } : {})
  }
}

function errorInfo(run: HelperRun, lineOf: (index: number | null) => number | null) {
  const error = run.error!
  return { ...error, line: lineOf(error.operationIndex) }
}

/** Findings about a migration's place in the graph: conflicts, load errors, unreadable parts. */
function structuralFindings(review: StaticReview, file: MigrationFile): Finding[] {
  const key = migrationKey(file)
  const findings: Finding[] = []
  for (const conflict of review.conflicts) {
    if (!conflict.leaves.some((leaf) => leaf.key === key)) continue
    const others = conflict.leaves.filter((leaf) => leaf.key !== key).map((leaf) => `${leaf.name} (${sideLabel(leaf.side)})`)
    const fix = conflict.fix.patch
      ? `apply the attached patch (${conflict.fix.renames.map((r) => `${r.from.split('.')[1]} → ${r.to.split('.')[1]}`).join(', ') || 'dependency rewritten'}) or run \`${conflict.fix.mergeCommand}\``
      : `run \`${conflict.fix.mergeCommand}\``
    const dependencyLine = file.dependencies.find((d) => d.kind === 'migration' && d.app === file.app)?.line ?? file.line
    findings.push({
      rule: 'conflicting-leaves',
      severity: conflict.preexisting ? 'warning' : 'unsafe',
      message:
        `after the merge, app '${file.app}' has ${conflict.leaves.length} leaf migrations: ${file.name} (this PR) and ${others.join(', ')}; ` +
        `\`migrate\` will stop with "Conflicting migrations detected". Fix: ${fix}.` +
        (conflict.needsHumanReview ? ` Look first: ${conflict.reason}.` : ''),
      line: dependencyLine,
      evidence: 'static'
    })
  }
  for (const problem of review.problems) {
    if (problem.path !== file.path) continue
    findings.push({ rule: problem.kind, severity: problem.severity ?? 'error', message: problem.message, line: problem.line, evidence: 'static' })
  }
  for (const part of file.dynamic) {
    findings.push({
      rule: 'dynamic-source',
      severity: 'info',
      message: `\`${part.attribute}\` cannot be read without running Python (${part.reason}); the static rules do not see it`,
      line: part.line,
      evidence: 'static'
    })
  }
  return findings
}

function sideLabel(side: 'main' | 'pr' | 'both'): string {
  return side === 'main' ? 'base branch' : side === 'pr' ? 'this PR' : 'both'
}


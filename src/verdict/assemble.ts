// Evidence in, report out: structural findings, the rules' findings and the
// rehearsal's evidence become one verdict per migration and one for the PR.
import type { HelperRun, HelperStatement } from '../model/helper.js'
import { migrationKey, type MigrationFile, type MigrationKey } from '../model/migration.js'
import type { MigrationEvidence, RehearsalEvidence } from '../model/evidence.js'
import type { StaticReview } from '../model/static-review.js'
import type { RuleFinding } from '../model/findings.js'
import {
  SCHEMA_VERSION,
  type ConflictReport,
  type DeployOrder,
  type Evidence,
  type Finding,
  type LockRecord,
  type MigrationReport,
  type RehearsalInfo,
  type Report,
  type StatementRecord,
  type Verdict
} from '../model/report.js'
import { TOOL_VERSION } from '../model/version.js'
import { factsOf } from './facts.js'
import { fuse, type Checked } from './fuse.js'
import { compareSeverity, verdictOf, worstSeverity, worstVerdict } from './severity.js'

export interface AssembleInput {
  review: StaticReview
  projectRoot: string
  ruleFindings?: ReadonlyMap<MigrationKey, RuleFinding[]>
  rehearsal?: RehearsalInfo
  evidence?: RehearsalEvidence | null
  /** Migrations left out by the repository's config. */
  excluded?: ReadonlySet<MigrationKey>
  lockTimeoutMs?: number
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
  const notRun = `not established: ${rehearsal.reason ?? 'the rehearsal did not run'}`

  const migrations = review.added
    .filter((file) => !input.excluded?.has(migrationKey(file)))
    .map((file) => migrationReport(file, review, input, evidence, notRun))

  for (const difference of evidence?.schemaDifferences ?? []) {
    // A column dropped and added back is the data-loss finding's story; its new position alone breaks nothing.
    if (difference.kind === 'column-added' && String(difference.before ?? '').startsWith('position')) continue
    const owner = difference.owner
    const report = migrations.find((migration) => `${migration.app}.${migration.name}` === owner)
    if (!report) continue
    report.findings.push({
      rule: 'reverse-schema-drift',
      severity: 'warning',
      message: `after migrating forward and back, the schema differs from the base branch's: ${difference.message}`,
      line: null,
      evidence: 'rehearsal'
    })
    report.verdict = worstVerdict([report.verdict, 'warning'])
  }

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

  const missing = evidence
    ? evidence.missingMigrations === null
      ? { value: null, reason: evidence.missingMigrationsReason ?? 'not established' }
      : { value: evidence.missingMigrations.length > 0, changes: evidence.missingMigrations }
    : { value: null, reason: notRun }

  const verdicts: Verdict[] = [
    ...migrations.map((migration) => migration.verdict),
    ...conflicts.map((conflict): Verdict => (conflict.preexisting ? 'warning' : 'unsafe')),
    ...review.edited.map((edit): Verdict => (edit.change === 'modified' ? 'warning' : 'unsafe')),
    ...review.problems.map((): Verdict => 'error'),
    ...(rehearsal.status === 'failed' ? (['error'] as Verdict[]) : []),
    ...(missing.value === true ? (['warning'] as Verdict[]) : [])
  ]
  const verdict = worstVerdict(verdicts)
  const deployOrder = prDeployOrder(migrations)
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'django-migration-review', version: TOOL_VERSION },
    base: review.base,
    head: review.head,
    pullRequest: null,
    mergeBase: review.mergeBase,
    merge: { tree: review.merge.tree, clean: review.merge.clean, conflictedPaths: review.merge.conflictedPaths },
    projectRoot: input.projectRoot,
    verdict,
    summary: summarize(verdict, migrations, conflicts, review, rehearsal, missing.value === true),
    conflicts,
    editedMigrations: review.edited,
    duplicateNumbers: review.duplicates,
    graphProblems: review.problems,
    migrations,
    rehearsal,
    schemaDifferences: (evidence?.schemaDifferences ?? []).map((d) => ({ kind: d.kind, table: d.table, ...(d.name ? { name: d.name } : {}), message: d.message })),
    missingMigrations: missing,
    deployOrder,
    timings: input.timings
  }
}

function migrationReport(
  file: MigrationFile,
  review: StaticReview,
  input: AssembleInput,
  evidence: RehearsalEvidence | null,
  notRun: string
): MigrationReport {
  const key = migrationKey(file)
  const entry = evidence?.migrations.get(key)
  const rules = input.ruleFindings?.get(key) ?? []
  const facts = entry ? factsOf(entry, input.lockTimeoutMs ?? 0) : []
  const fused = fuse(rules, facts, entry ? checkedBy(entry, evidence!) : null)
  const lineOf = (index: number | null | undefined): number | null =>
    index === null || index === undefined ? null : (file.operations.find((operation) => operation.index === index)?.line ?? null)
  for (const finding of fused) if (finding.line === null && finding.operationIndex != null) finding.line = lineOf(finding.operationIndex)

  // Worst first; among equals, what the rehearsal saw before what the rules expect.
  const findings = [...structuralFindings(review, file), ...fused].sort(
    (a, b) =>
      compareSeverity(a.severity, b.severity) ||
      Number(b.evidence === 'rehearsal') - Number(a.evidence === 'rehearsal') ||
      (a.line ?? 0) - (b.line ?? 0)
  )
  const active = findings.filter((finding) => finding.ignored === undefined)
  const established = <T>(value: T | null, reason: string | undefined) => (value === null ? { value: null, reason: reason ?? notRun } : { value })
  const forward = entry?.forward ?? null
  const oldBreaks = entry?.oldCodeProbed ? entry.oldCodeFailures.length > 0 : null
  const newBreaks = entry?.newCodeProbed ? entry.newCodeFailures.length > 0 : null
  const evidenceKinds = new Set<Evidence>(active.map((finding) => finding.evidence))
  if (entry?.forward) evidenceKinds.add('rehearsal')
  if (active.length > 0 || evidenceKinds.size === 0) evidenceKinds.add('static')

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
    appliesOnSeededData: forward
      ? { value: forward.error === null, ...(forward.error ? { error: errorInfo(forward, lineOf) } : {}) }
      : established(null, entry?.forwardSkipped),
    backwardCompatible:
      oldBreaks === null ? established(null, entry ? 'the old code was not probed after it' : undefined) : { value: !oldBreaks, failures: entry!.oldCodeFailures },
    forwardCompatible:
      newBreaks === null ? established(null, entry ? 'the new code was not probed on the old schema' : undefined) : { value: !newBreaks, failures: entry!.newCodeFailures },
    reversible: entry?.reverse
      ? { value: entry.reverse.error === null, ...(entry.reverse.error ? { error: errorInfo(entry.reverse, lineOf) } : {}) }
      : established(null, entry?.reverseSkipped),
    dataLoss:
      entry && (entry.dataLossMeasured || entry.dataLoss.length > 0)
        ? { value: entry.dataLoss.length > 0, losses: entry.dataLoss }
        : established(null, entry?.dataLossSkipped),
    reappliesAfterReverse: entry?.reapply
      ? { value: entry.reapply.error === null, ...(entry.reapply.error ? { error: errorInfo(entry.reapply, lineOf) } : {}) }
      : established(null, entry?.reapplySkipped),
    locks: strongestLocks(forward?.statements ?? []),
    rewrites: [...new Set((forward?.statements ?? []).flatMap((statement) => statement.rewrite))].sort(),
    statements: (forward?.statements ?? []).map((statement) => statementRecord(statement, lineOf)),
    reverseStatements: (entry?.reverse?.statements ?? []).map((statement) => statementRecord(statement, lineOf)),
    ...(forward && forward.droppedStatements > 0 ? { droppedStatements: forward.droppedStatements } : {}),
    durationMs: forward ? forward.ms : null
  }
}

/** For refuting a rule: did the rehearsal look for this kind of fact about this migration? */
function checkedBy(entry: MigrationEvidence, evidence: RehearsalEvidence): Checked {
  const applied = entry.forward !== null && entry.forward.error === null
  return (kind, finding) => {
    switch (kind) {
      case 'old-code-breaks': {
        const model = finding.model
        const inconclusive = evidence.inconclusiveModels.some((label) => label.toLowerCase() === model)
        return applied && entry.oldCodeProbed && !inconclusive
      }
      case 'new-code-breaks':
        return applied && entry.newCodeProbed
      case 'apply-error':
        // A run stopped by another error (lock_timeout, statement_timeout) did not show that it applies.
        return applied
      case 'rewrite':
      case 'blocking-lock':
        return applied
      case 'irreversible':
      case 'reverse-error':
        return entry.reverse !== null
      case 'data-loss':
        return entry.dataLossMeasured
    }
  }
}

function migrationDeployOrder(oldBreaks: boolean | null, newBreaks: boolean | null, findings: Finding[]): DeployOrder | null {
  if (oldBreaks !== null && newBreaks !== null) {
    const staticOrder = strictest(findings.filter((f) => f.evidence === 'static').map((f) => f.deployOrder))
    if (oldBreaks && newBreaks) return 'multi-step'
    if (oldBreaks) return staticOrder === 'multi-step' ? 'multi-step' : 'deploy-first'
    if (newBreaks) return 'migrate-first'
    return staticOrder === 'multi-step' ? 'multi-step' : 'migrate-first'
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
    findings.push({ rule: problem.kind, severity: 'error', message: problem.message, line: problem.line, evidence: 'static' })
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

function summarize(
  verdict: Verdict,
  migrations: MigrationReport[],
  conflicts: ConflictReport[],
  review: StaticReview,
  rehearsal: RehearsalInfo,
  missing: boolean
): string {
  const count = `${migrations.length} new migration${migrations.length === 1 ? '' : 's'}`
  const basis = rehearsal.status === 'ran' ? 'static review and rehearsal' : 'static review only'
  const causes: string[] = []
  if (rehearsal.status === 'failed') causes.push(`the rehearsal could not run: ${rehearsal.reason}`)
  if (review.problems.length > 0) causes.push(`${review.problems.length} migration graph error${review.problems.length === 1 ? '' : 's'}`)
  const newConflicts = conflicts.filter((conflict) => !conflict.preexisting)
  if (newConflicts.length > 0) causes.push(`conflicting leaves in ${newConflicts.map((c) => `'${c.app}'`).join(', ')} after merge`)
  if (review.edited.length > 0) causes.push(`${review.edited.length} existing migration${review.edited.length === 1 ? '' : 's'} changed`)
  for (const level of ['error', 'unsafe', 'warning'] as const) {
    const flagged = migrations.filter((migration) => migration.verdict === level)
    if (flagged.length > 0) causes.push(`${flagged.length} ${level}`)
  }
  if (missing) causes.push('model changes without a migration')
  if (migrations.length === 0 && causes.length === 0) return `safe: this pull request adds no migrations (${basis})`
  return `${verdict}: ${count}; ${causes.length > 0 ? causes.join('; ') : 'no problems found'} (${basis})`
}

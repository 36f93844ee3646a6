// Evidence in, report out: static findings (and, when it ran, the rehearsal's
// evidence) become one verdict per migration and one for the pull request.
import { migrationKey, type MigrationFile } from '../graph/types.js'
import type { StaticReview } from '../review/static-review.js'
import {
  SCHEMA_VERSION,
  type ConflictReport,
  type Finding,
  type MigrationReport,
  type RehearsalInfo,
  type Report,
  type Verdict
} from '../report/types.js'
import { TOOL_VERSION } from '../version.js'
import { compareSeverity, verdictOf, worstSeverity, worstVerdict } from './severity.js'

export interface AssembleInput {
  review: StaticReview
  projectRoot: string
  /** Findings of the rules table, per migration key (issue: rules). */
  ruleFindings?: ReadonlyMap<string, Finding[]>
  rehearsal?: RehearsalInfo
  timings: Record<string, number>
}

export function assembleReport(input: AssembleInput): Report {
  const { review } = input
  const rehearsal: RehearsalInfo = input.rehearsal ?? { status: 'skipped', reason: 'the rehearsal was not run (static review only)' }
  const notRun = rehearsal.status === 'ran' ? 'not measured' : `not established: ${rehearsal.reason ?? 'the rehearsal did not run'}`

  const migrations = review.added.map((file): MigrationReport => {
    const key = migrationKey(file)
    const findings = [...structuralFindings(review, file), ...(input.ruleFindings?.get(key) ?? [])].sort(
      (a, b) => compareSeverity(a.severity, b.severity) || (a.line ?? 0) - (b.line ?? 0)
    )
    const active = findings.filter((finding) => finding.ignored === undefined)
    return {
      app: file.app,
      name: file.name,
      path: file.path,
      operations: file.operations.map((operation) => ({ index: operation.index, type: operation.type, line: operation.line })),
      findings,
      verdict: verdictOf(worstSeverity(active.map((finding) => finding.severity))),
      deployOrder: null,
      evidence: [...new Set(active.map((finding) => finding.evidence))].sort(),
      atomic: file.atomic,
      appliesOnSeededData: { value: null, reason: notRun },
      backwardCompatible: { value: null, reason: notRun },
      forwardCompatible: { value: null, reason: notRun },
      reversible: { value: null, reason: notRun },
      dataLoss: { value: null, reason: notRun },
      reappliesAfterReverse: { value: null, reason: notRun },
      statements: [],
      reverseStatements: [],
      durationMs: null
    }
  })

  const conflicts: ConflictReport[] = review.conflicts.map((conflict) => ({
    app: conflict.app,
    leaves: conflict.leaves.map((leaf) => ({ name: leaf.name, path: leaf.path, side: leaf.side })),
    commonAncestor: conflict.commonAncestor,
    branches: conflict.branches,
    overlap: conflict.overlap,
    needsHumanReview: conflict.needsHumanReview,
    reason: conflict.reason,
    preexisting: conflict.preexisting,
    fix: {
      renames: conflict.fix.renames,
      patch: conflict.fix.patch,
      unavailable: conflict.fix.unavailable,
      mergeCommand: conflict.fix.mergeCommand
    }
  }))

  const verdicts: Verdict[] = [
    ...migrations.map((migration) => migration.verdict),
    ...conflicts.map((conflict): Verdict => (conflict.preexisting ? 'warning' : 'unsafe')),
    ...review.edited.map((edit): Verdict => (edit.change === 'modified' ? 'warning' : 'unsafe')),
    ...review.problems.map((): Verdict => 'error')
  ]
  const verdict = worstVerdict(verdicts)
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'django-migration-review', version: TOOL_VERSION },
    base: review.base,
    head: review.head,
    mergeBase: review.mergeBase,
    merge: { tree: review.merge.tree, clean: review.merge.clean, conflictedPaths: review.merge.conflictedPaths },
    projectRoot: input.projectRoot,
    verdict,
    summary: summarize(verdict, migrations, conflicts, review, rehearsal),
    conflicts,
    editedMigrations: review.edited,
    duplicateNumbers: review.duplicates,
    graphProblems: review.problems,
    migrations,
    rehearsal,
    missingMigrations: { value: null, reason: notRun },
    timings: input.timings
  }
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
  rehearsal: RehearsalInfo
): string {
  const count = `${migrations.length} new migration${migrations.length === 1 ? '' : 's'}`
  const basis = rehearsal.status === 'ran' ? 'static review and rehearsal' : 'static review only'
  const causes: string[] = []
  if (review.problems.length > 0) causes.push(`${review.problems.length} migration graph error${review.problems.length === 1 ? '' : 's'}`)
  const newConflicts = conflicts.filter((conflict) => !conflict.preexisting)
  if (newConflicts.length > 0) {
    causes.push(`conflicting leaves in ${newConflicts.map((c) => `'${c.app}'`).join(', ')} after merge`)
  }
  const edits = review.edited.length
  if (edits > 0) causes.push(`${edits} existing migration${edits === 1 ? '' : 's'} changed`)
  const flagged = migrations.filter((migration) => migration.verdict !== 'safe' && migration.verdict !== verdict).length
  const worst = migrations.filter((migration) => migration.verdict === verdict && verdict !== 'safe').length
  if (worst > 0 && causes.length === 0) causes.push(`${worst} migration${worst === 1 ? '' : 's'} ${verdict}`)
  if (flagged > 0 && causes.length === 0) causes.push(`${flagged} with warnings`)
  if (migrations.length === 0 && causes.length === 0) return `safe: this pull request adds no migrations (${basis})`
  const detail = causes.length > 0 ? causes.join('; ') : 'no problems found'
  return `${verdict}: ${count}; ${detail} (${basis})`
}

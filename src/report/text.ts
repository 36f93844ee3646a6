// The report for a terminal: the verdict first, the migrations and what to do
// instead, and the answer again at the end (the verdict and the deploy plan),
// where a terminal leaves the reader. Lines fit the terminal's width; text
// from the repository shows control characters escaped; colour only when asked
// (a TTY, FORCE_COLOR), never in files.
import { formatDuration } from '../model/durations.js'
import { BLOCKING_MODES, lockName } from '../model/locks.js'
import { visible } from './terminal-escape.js'
import type { ConflictReport, Finding, MigrationReport, Report, Severity, Verdict } from '../model/report.js'
import { deployPlan, stepText } from './deploy-plan.js'

interface Palette {
  bold: (text: string) => string
  dim: (text: string) => string
  red: (text: string) => string
  yellow: (text: string) => string
  green: (text: string) => string
  cyan: (text: string) => string
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`
const COLOR: Palette = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  yellow: ansi(33, 39),
  green: ansi(32, 39),
  cyan: ansi(36, 39)
}
const PLAIN: Palette = { bold: (t) => t, dim: (t) => t, red: (t) => t, yellow: (t) => t, green: (t) => t, cyan: (t) => t }

const VERDICT_MARK: Record<Verdict, string> = { safe: '✔', warning: '▲', unsafe: '✖', error: '✖' }
const SEVERITY_MARK: Record<Severity, string> = { info: 'ℹ', warning: '▲', unsafe: '✖', error: '✖' }

export interface TextOptions {
  color: boolean
  /** Columns to wrap at (the terminal's); 100 when not a terminal. */
  width?: number
  /** Where --fix-patch wrote the conflicts' fix, if it was asked for. */
  fixPatch?: string
}

export function renderText(report: Report, options: TextOptions): string {
  const c = options.color ? COLOR : PLAIN
  const width = Math.max(60, options.width ?? 100)
  const tint = (level: Verdict | Severity, text: string): string =>
    level === 'safe' || level === 'info' ? (level === 'safe' ? c.green(text) : c.cyan(text)) : level === 'warning' ? c.yellow(text) : c.red(text)
  const out: string[] = []
  // Wraps a line of plain words at the width, later lines indented; colour goes on afterwards.
  const wrap = (indent: number, text: string, hanging = indent + 2): string[] => {
    const words = visible(text).split(' ')
    const lines: string[] = []
    let line = ' '.repeat(indent)
    for (const word of words) {
      if (line.trim() !== '' && line.length + 1 + word.length > width) {
        lines.push(line)
        line = ' '.repeat(hanging)
      }
      line += line.trim() === '' ? word : ` ${word}`
    }
    if (line.trim() !== '') lines.push(line)
    return lines
  }
  const verdictLine = `${tint(report.verdict, `${VERDICT_MARK[report.verdict]} ${report.verdict.toUpperCase()}`)}  ${visible(report.summary.replace(/^\w+: /, ''))}`

  out.push(c.dim(visible(`django-migration-review ${report.tool.version} · base ${report.base.ref} (${report.base.sha.slice(0, 7)}) · head ${report.head.ref} (${report.head.sha.slice(0, 7)})`)), '', verdictLine)

  if (report.graphProblems.length > 0) {
    out.push('', c.bold('The migration graph'))
    for (const problem of report.graphProblems) {
      const level: Severity = problem.severity === 'warning' ? 'warning' : 'error'
      out.push(...wrap(2, `${SEVERITY_MARK[level]} ${problem.path}:${problem.line}  ${problem.message}`).map((line, i) => (i === 0 ? tint(level, line) : line)))
    }
  }

  for (const conflict of report.conflicts) out.push('', ...conflictLines(conflict, c, options.fixPatch, wrap))

  if (report.editedMigrations.length > 0) {
    out.push('', c.bold('Existing migrations changed by this PR'))
    for (const edit of report.editedMigrations) {
      const level: Severity = edit.severity ?? (edit.change === 'modified' ? 'warning' : 'unsafe')
      out.push(...wrap(2, `${SEVERITY_MARK[level]} ${edit.path}  ${edit.message}`))
    }
  }

  if (report.migrations.length > 0) {
    out.push('', c.bold('New migrations'))
    for (const migration of report.migrations) out.push(...migrationLines(migration, c, tint, wrap))
  }

  const missing = report.missingMigrations
  if (missing.value === true && missing.changes) {
    out.push('', c.bold('Model changes without a migration'))
    for (const change of missing.changes) {
      const level: Severity = change.databaseOperations.length > 0 ? 'unsafe' : 'info'
      out.push(...wrap(2, `${SEVERITY_MARK[level]} ${change.app}: ${change.operations.slice(0, 10).join('; ')}`))
    }
    if (missing.command) out.push(`  run: ${missing.command}`)
  }

  const duplicates = report.duplicateNumbers.filter((d) => d.introducedByPr && !report.conflicts.some((c2) => c2.app === d.app))
  if (duplicates.length > 0) {
    out.push('', c.bold('Shared number prefixes'))
    for (const duplicate of duplicates) {
      out.push(...wrap(2, `ℹ ${duplicate.app}: ${duplicate.migrations.map((key) => key.split('.')[1]).join(', ')} share ${duplicate.number}`))
    }
  }

  if (report.rehearsal.status !== 'ran') out.push('', ...wrap(0, `Rehearsal ${report.rehearsal.status}: ${report.rehearsal.reason ?? 'no reason given'}`).map(c.dim))
  for (const note of report.rehearsal.notes ?? []) out.push(...wrap(0, `note: ${note}`).map(c.dim))

  // The answer again, where the terminal leaves the reader.
  out.push('', verdictLine, c.bold('Deploy plan'))
  deployPlan(report).forEach((step, i) => out.push(...wrap(2, `${i + 1}. ${stepText(step)}`, 5)))
  return `${out.join('\n')}\n`
}

type Wrap = (indent: number, text: string, hanging?: number) => string[]

function conflictLines(conflict: ConflictReport, c: Palette, fixPatch: string | undefined, wrap: Wrap): string[] {
  const lines = [c.bold(visible(`Conflict in '${conflict.app}': ${conflict.leaves.length} leaf migrations after the merge${conflict.preexisting ? ' (already on the base branch)' : ''}`))]
  const width = Math.max(...conflict.leaves.map((leaf) => leaf.name.length))
  for (const leaf of conflict.leaves) {
    const side = leaf.side === 'pr' ? 'this PR' : leaf.side === 'main' ? 'base branch' : 'both'
    lines.push(visible(`  ${leaf.name.padEnd(width)}  ${side.padEnd(11)}  `) + c.dim(visible(leaf.path)))
  }
  lines.push(...wrap(2, `common ancestor: ${conflict.commonAncestor ?? 'none'}`))
  lines.push(...wrap(2, `${conflict.needsHumanReview ? '▲ ' : ''}${conflict.reason}`).map((line) => (conflict.needsHumanReview ? c.yellow(line) : line)))
  if (conflict.fix.patch !== null) {
    const renames = conflict.fix.renames.map((r) => `${r.from.split('.')[1]} → ${r.to.split('.')[1]}`).join(', ')
    lines.push(...wrap(2, `fix: ${renames ? `rename ${renames}, ` : ''}depend on the base branch's leaf`))
    lines.push(
      ...wrap(
        2,
        fixPatch
          ? `the patch is in ${fixPatch}: git apply ${fixPatch}`
          : 'get the patch with --fix-patch FILE (then git apply FILE), or see it in --format markdown'
      )
    )
    lines.push(...wrap(2, `or: ${conflict.fix.mergeCommand}`))
  } else {
    lines.push(...wrap(2, `fix: ${conflict.fix.mergeCommand}${conflict.fix.unavailable ? ` (no rename patch: ${conflict.fix.unavailable})` : ''}`))
  }
  return lines
}

function migrationLines(migration: MigrationReport, c: Palette, tint: (level: Verdict | Severity, text: string) => string, wrap: Wrap): string[] {
  const head = `  ${tint(migration.verdict, VERDICT_MARK[migration.verdict])} ${c.bold(visible(`${migration.app}.${migration.name}`))}  ${tint(migration.verdict, migration.verdict)}  ${c.dim(visible(migration.path))}`
  const lines = [head]
  const facts = factsLine(migration)
  if (facts) lines.push(...wrap(6, facts).map(c.dim))
  for (const finding of migration.findings.filter((f) => f.ignored === undefined)) {
    lines.push(...findingLines(finding, c, tint, wrap))
  }
  return lines
}

function factsLine(migration: MigrationReport): string {
  const parts: string[] = []
  const rehearsal = migration.rehearsal
  if (rehearsal.status === 'not-rehearsed' || rehearsal.status === 'recorded-applied' || rehearsal.status === 'replaced') parts.push(`${rehearsal.status.replace('-', ' ')}`)
  if (migration.deployOrder) parts.push(`deploy: ${migration.deployOrder}`)
  const yesNo = (label: string, value: boolean | null) => (value === null ? null : `${label}: ${value ? 'yes' : 'no'}`)
  for (const part of [
    yesNo('backward compatible', migration.backwardCompatible.value),
    yesNo('reversible', migration.reversible.value),
    yesNo('data loss', migration.dataLoss.value)
  ]) {
    if (part) parts.push(part)
  }
  if (rehearsal.basis && rehearsal.basis !== 'adversarial-seed') parts.push(`on ${rehearsal.basis}`)
  // The lock held longest, when it blocks reads or writes and is not brief: to the COMMIT, not only while its statement ran.
  const hold = migration.lockHolds?.find((entry) => BLOCKING_MODES.has(entry.mode) && (entry.heldMs >= 100 || entry.estimatedMs !== undefined))
  if (hold) {
    const held = `${lockName(hold.mode)} on ${visible(hold.relation)} held ${formatDuration(hold.heldMs)}${hold.line !== null ? ` from line ${hold.line}` : ''}${hold.until === 'commit' ? ' to the COMMIT' : ''}`
    parts.push(hold.estimatedMs !== undefined ? `${held}, about ${formatDuration(hold.estimatedMs)} on production's sizes` : held)
  }
  // The running code's longest wait beside it, when it waited long enough to notice.
  const wait = migration.contention?.blocked[0]
  if (wait && wait.waitedMs >= 100) parts.push(`the running code's ${wait.query.startsWith('SELECT') ? 'reads' : 'writes'} of ${visible(wait.table)} waited ${formatDuration(wait.waitedMs)}${wait.timedOut ? ' (gave up)' : ''}`)
  return parts.join(' · ')
}

function findingLines(finding: Finding, c: Palette, tint: (level: Verdict | Severity, text: string) => string, wrap: Wrap): string[] {
  const where = finding.line === null ? '' : `:${finding.line} `
  const seen = finding.outcome === 'seen' ? ', seen in the rehearsal' : finding.outcome === 'not-seen' ? ', not seen in the rehearsal' : ''
  const [first, ...rest] = wrap(6, `${SEVERITY_MARK[finding.severity]} ${where}${finding.message} [${finding.rule}${seen}]`, 8)
  const lines = [tint(finding.severity, first!), ...rest]
  for (const proof of (finding.proof ?? []).slice(0, 3)) lines.push(...wrap(10, `↳ ${proof}`, 12).map(c.dim))
  if (finding.productionCheck) lines.push(...wrap(10, `check production (read-only): ${finding.productionCheck.sql}`, 12))
  if (finding.safeAlternative) lines.push(...wrap(10, `instead: ${finding.safeAlternative.replace(/`/g, '')}`, 12).map(c.green))
  return lines
}

// The report for a terminal: the verdict first, then what to do, one screen
// where possible. Colour only when asked (a TTY, FORCE_COLOR), never in files.
import type { ConflictReport, Finding, MigrationReport, Report, Severity, Verdict } from '../model/report.js'

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

export function renderText(report: Report, options: { color: boolean }): string {
  const c = options.color ? COLOR : PLAIN
  const tint = (level: Verdict | Severity, text: string): string =>
    level === 'safe' || level === 'info' ? (level === 'safe' ? c.green(text) : c.cyan(text)) : level === 'warning' ? c.yellow(text) : c.red(text)
  const out: string[] = []
  out.push(
    c.dim(
      `django-migration-review ${report.tool.version} · base ${report.base.ref} (${report.base.sha.slice(0, 7)}) · head ${report.head.ref} (${report.head.sha.slice(0, 7)})`
    ),
    '',
    `${tint(report.verdict, `${VERDICT_MARK[report.verdict]} ${report.verdict.toUpperCase()}`)}  ${report.summary.replace(/^\w+: /, '')}`
  )

  if (report.graphProblems.length > 0) {
    out.push('', c.bold('The migration graph does not load'))
    for (const problem of report.graphProblems) out.push(`  ${c.red('✖')} ${problem.path}:${problem.line}  ${problem.message}`)
  }

  for (const conflict of report.conflicts) out.push('', ...conflictLines(conflict, c))

  if (report.editedMigrations.length > 0) {
    out.push('', c.bold('Existing migrations changed by this PR'))
    for (const edit of report.editedMigrations) {
      const level: Severity = edit.change === 'modified' ? 'warning' : 'unsafe'
      out.push(`  ${tint(level, SEVERITY_MARK[level])} ${edit.path}  ${edit.message}`)
    }
  }

  if (report.migrations.length > 0) {
    out.push('', c.bold('New migrations'))
    for (const migration of report.migrations) out.push(...migrationLines(migration, c, tint))
  }

  const duplicates = report.duplicateNumbers.filter((d) => d.introducedByPr && !report.conflicts.some((c2) => c2.app === d.app))
  if (duplicates.length > 0) {
    out.push('', c.bold('Shared number prefixes'))
    for (const duplicate of duplicates) {
      out.push(`  ${c.cyan('ℹ')} ${duplicate.app}: ${duplicate.migrations.map((key) => key.split('.')[1]).join(', ')} share ${duplicate.number}`)
    }
  }

  if (report.rehearsal.status !== 'ran') out.push('', c.dim(`Rehearsal ${report.rehearsal.status}: ${report.rehearsal.reason ?? 'no reason given'}`))
  return `${out.join('\n')}\n`
}

function conflictLines(conflict: ConflictReport, c: Palette): string[] {
  const lines = [c.bold(`Conflict in '${conflict.app}': ${conflict.leaves.length} leaf migrations after the merge${conflict.preexisting ? ' (already on the base branch)' : ''}`)]
  const width = Math.max(...conflict.leaves.map((leaf) => leaf.name.length))
  for (const leaf of conflict.leaves) {
    const side = leaf.side === 'pr' ? 'this PR' : leaf.side === 'main' ? 'base branch' : 'both'
    lines.push(`  ${leaf.name.padEnd(width)}  ${side.padEnd(11)}  ${c.dim(leaf.path)}`)
  }
  lines.push(`  common ancestor: ${conflict.commonAncestor ?? 'none'}`)
  lines.push(`  ${conflict.needsHumanReview ? c.yellow('▲ ' + conflict.reason) : conflict.reason}`)
  if (conflict.fix.patch !== null) {
    const renames = conflict.fix.renames.map((r) => `${r.from.split('.')[1]} → ${r.to.split('.')[1]}`).join(', ')
    lines.push(`  fix: ${renames ? `rename ${renames}, ` : ''}depend on the base branch's leaf; apply with \`git apply\`:`)
    for (const line of conflict.fix.patch.trimEnd().split('\n')) {
      const colored = line.startsWith('+') && !line.startsWith('+++') ? c.green(line) : line.startsWith('-') && !line.startsWith('---') ? c.red(line) : c.dim(line)
      lines.push(`    ${colored}`)
    }
    lines.push(`  or: ${conflict.fix.mergeCommand}`)
  } else {
    lines.push(`  fix: ${conflict.fix.mergeCommand}${conflict.fix.unavailable ? c.dim(` (no rename patch: ${conflict.fix.unavailable})`) : ''}`)
  }
  return lines
}

function migrationLines(
  migration: MigrationReport,
  c: Palette,
  tint: (level: Verdict | Severity, text: string) => string
): string[] {
  const head = `  ${tint(migration.verdict, VERDICT_MARK[migration.verdict])} ${c.bold(`${migration.app}.${migration.name}`)}  ${tint(migration.verdict, migration.verdict)}  ${c.dim(migration.path)}`
  const lines = [head]
  const facts = factsLine(migration)
  if (facts) lines.push(`      ${c.dim(facts)}`)
  for (const finding of migration.findings.filter((f) => f.ignored === undefined)) {
    lines.push(findingLine(finding, c, tint))
    for (const proof of (finding.proof ?? []).slice(0, 3)) lines.push(`          ${c.dim(`↳ ${proof}`)}`)
    if (finding.productionCheck) lines.push(`          check production (read-only): ${finding.productionCheck.sql}`)
  }
  return lines
}

function factsLine(migration: MigrationReport): string {
  const parts: string[] = []
  if (migration.deployOrder) parts.push(`deploy: ${migration.deployOrder}`)
  const yesNo = (label: string, value: boolean | null) => (value === null ? null : `${label}: ${value ? 'yes' : 'no'}`)
  for (const part of [
    yesNo('backward compatible', migration.backwardCompatible.value),
    yesNo('reversible', migration.reversible.value),
    yesNo('data loss', migration.dataLoss.value)
  ]) {
    if (part) parts.push(part)
  }
  return parts.join(' · ')
}

function findingLine(finding: Finding, c: Palette, tint: (level: Verdict | Severity, text: string) => string): string {
  const where = finding.line === null ? '' : `:${finding.line} `
  const seen = finding.outcome === 'seen' ? ', seen in the rehearsal' : finding.outcome === 'not-seen' ? ', not seen in the rehearsal' : ''
  return `      ${tint(finding.severity, SEVERITY_MARK[finding.severity])} ${c.dim(where)}${finding.message} ${c.dim(`[${finding.rule}${seen}]`)}`
}

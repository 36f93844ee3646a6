// The report as GitHub-flavoured markdown: the PR comment and the job summary.
// Every user-controlled string goes through markdown-escape.
import { code, codeBlock, text } from './markdown-escape.js'
import type { ConflictReport, Finding, MigrationReport, Report, Verdict } from './types.js'

const VERDICT_ICON: Record<Verdict, string> = { safe: '🟢', warning: '🟡', unsafe: '🔴', error: '⛔' }

export interface MarkdownOptions {
  /** Include per-migration details and patches (dropped first when the comment is too long). */
  details: boolean
}

export function renderMarkdown(report: Report, options: MarkdownOptions = { details: true }): string {
  const parts: string[] = []
  parts.push(`### ${VERDICT_ICON[report.verdict]} Migration review: ${report.verdict}`)
  parts.push(text(report.summary, 1000))
  if (report.graphProblems.length > 0) {
    parts.push('**The migration graph does not load after the merge:**')
    parts.push(report.graphProblems.map((p) => `- ${code(`${p.path}:${p.line}`)} ${text(p.message)}`).join('\n'))
  }
  for (const conflict of report.conflicts) parts.push(conflictSection(conflict, options))
  if (report.editedMigrations.length > 0) {
    parts.push('**Existing migrations changed by this PR:**')
    parts.push(report.editedMigrations.map((e) => `- ${code(e.path)}: ${text(e.message)}`).join('\n'))
  }
  if (report.migrations.length > 0) {
    parts.push(migrationTable(report.migrations))
    if (options.details) {
      for (const migration of report.migrations) {
        const section = migrationDetails(migration)
        if (section) parts.push(section)
      }
    }
  }
  parts.push(
    `<sub>${text(report.tool.name)} ${text(report.tool.version)} · base ${code(report.base.sha.slice(0, 7))} · head ${code(report.head.sha.slice(0, 7))} · rehearsal: ${text(report.rehearsal.status)}</sub>`
  )
  return `${parts.join('\n\n')}\n`
}

function conflictSection(conflict: ConflictReport, options: MarkdownOptions): string {
  const lines = [
    `**Conflict in ${code(conflict.app)}:** ${conflict.leaves.length} leaf migrations after the merge${conflict.preexisting ? ' (already on the base branch)' : ''}.`,
    '',
    ...conflict.leaves.map((leaf) => `- ${code(leaf.name)} from ${leaf.side === 'pr' ? 'this PR' : leaf.side === 'main' ? 'the base branch' : 'both'}`),
    '',
    `${conflict.needsHumanReview ? '⚠️ ' : ''}${text(conflict.reason)}.`
  ]
  if (conflict.fix.patch !== null && options.details) {
    lines.push('', `Fix: apply this patch (\`git apply\`), or run ${code(conflict.fix.mergeCommand)}.`, '', codeBlock(conflict.fix.patch, 'diff'))
  } else {
    lines.push('', `Fix: run ${code(conflict.fix.mergeCommand)}.`)
  }
  return lines.join('\n')
}

/** A yes/no fact with a mark saying whether it is the good answer; a dash when not established. */
function yesNo(value: boolean | null, good: boolean): string {
  if (value === null) return '—'
  const word = value ? 'yes' : 'no'
  return value === good ? `✅ ${word}` : `❌ ${word}`
}

function migrationTable(migrations: MigrationReport[]): string {
  const rows = migrations.map((m) =>
    [
      code(`${m.app}.${m.name}`, { inTable: true }),
      `${VERDICT_ICON[m.verdict]} ${m.verdict}`,
      yesNo(m.backwardCompatible.value, true),
      m.deployOrder ?? '—',
      yesNo(m.reversible.value, true),
      yesNo(m.dataLoss.value, false)
    ].join(' | ')
  )
  return ['| Migration | Verdict | Backward compatible | Deploy order | Reversible | Data loss |', '| --- | --- | --- | --- | --- | --- |', ...rows.map((row) => `| ${row} |`)].join('\n')
}

function migrationDetails(migration: MigrationReport): string | null {
  const findings = migration.findings.filter((finding) => finding.ignored === undefined)
  if (findings.length === 0) return null
  const body = findings.map(findingLine).join('\n')
  return `<details><summary>${text(`${migration.app}.${migration.name}`)}: ${findings.length} finding${findings.length === 1 ? '' : 's'}</summary>\n\n${body}\n\n</details>`
}

function findingLine(finding: Finding): string {
  const where = finding.line === null ? '' : ` (line ${finding.line})`
  return `- **${text(finding.severity)}**${where}: ${text(finding.message)} ${code(finding.rule)}`
}

// The report as GitHub-flavoured markdown: the PR comment (kept under GitHub's
// 65,536-character limit by dropping detail in whole steps, never by cutting
// text mid-markdown) and the job summary (everything). Every user-controlled
// string goes through markdown-escape.
import { code, codeBlock, rich, text } from './markdown-escape.js'
import type { ConflictReport, Finding, MigrationReport, Report, StatementRecord, Verdict } from '../model/report.js'

const ICON: Record<Verdict, string> = { safe: '🟢', warning: '🟡', unsafe: '🔴', error: '⛔' }
const SEVERITY_ICON = { info: 'ℹ️', warning: '🟡', unsafe: '🔴', error: '⛔' } as const

/** How much detail: 0 is everything; each step drops more. */
export type Tier = 0 | 1 | 2 | 3

export interface MarkdownOptions {
  tier?: Tier
  /** Link to the run, whose job summary holds the full report. */
  runUrl?: string | undefined
}

/** GitHub refuses comment bodies over 65,536 characters; keep a margin for the marker. */
export const COMMENT_LIMIT = 65_536
const COMMENT_BUDGET = 64_000

/** The richest tier that fits; the smallest tier always fits. */
export function renderComment(report: Report, options: Omit<MarkdownOptions, 'tier'> = {}): { body: string; tier: Tier } {
  for (const tier of [0, 1, 2] as const) {
    const body = renderMarkdown(report, { ...options, tier })
    if (body.length <= COMMENT_BUDGET) return { body, tier }
  }
  return { body: renderMarkdown(report, { ...options, tier: 3 }), tier: 3 }
}

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const tier = options.tier ?? 0
  const parts: string[] = [heading(report), facts(report)]

  if (report.graphProblems.length > 0) {
    const shown = tier >= 3 ? report.graphProblems.slice(0, 5) : report.graphProblems.slice(0, 50)
    parts.push(
      `**The migration graph does not load after the merge** (\`migrate\` would fail):\n\n${shown
        .map((p) => `- ${code(`${p.path}:${p.line}`)} ${text(p.message)}`)
        .join('\n')}${report.graphProblems.length > shown.length ? `\n- … ${report.graphProblems.length - shown.length} more` : ''}`
    )
  }

  if (report.migrations.length > 0) parts.push(migrationTable(report.migrations, tier))

  for (const conflict of report.conflicts) parts.push(conflictSection(conflict, tier))

  if (report.editedMigrations.length > 0) {
    parts.push(
      `**Migrations already on the base branch that this PR changes:**\n\n${report.editedMigrations
        .slice(0, tier >= 3 ? 5 : 100)
        .map((edit) => `- ${edit.change === 'modified' ? '🟡' : '🔴'} ${code(edit.path)}: ${text(edit.message)}`)
        .join('\n')}`
    )
  }

  if (report.missingMigrations.value === true && report.missingMigrations.changes) {
    parts.push(
      `**Model changes without a migration** (\`makemigrations\` would write them):\n\n${report.missingMigrations.changes
        .map((change) => `- ${code(change.app)}: ${change.operations.slice(0, 10).map((op) => text(op, 120)).join('; ')}`)
        .join('\n')}`
    )
  }

  if (tier <= 1) {
    for (const migration of report.migrations) {
      const section = migrationDetails(migration, tier)
      if (section) parts.push(section)
    }
  }
  if (tier >= 2 && report.migrations.some((migration) => activeFindings(migration).some((f) => f.severity !== 'info'))) {
    parts.push(`_Details were left out to fit GitHub's comment limit; the full report is in the ${runLink(options.runUrl, 'job summary')}._`)
  }
  parts.push(footer(report, options.runUrl))
  return `${parts.join('\n\n')}\n`
}

function heading(report: Report): string {
  const words: Record<Verdict, string> = {
    safe: 'safe to deploy',
    warning: 'safe with warnings',
    unsafe: 'unsafe as it stands',
    error: 'review failed'
  }
  return `### ${ICON[report.verdict]} Migration review: ${words[report.verdict]}`
}

function facts(report: Report): string {
  const items: string[] = []
  items.push(`**${report.migrations.length}** new migration${report.migrations.length === 1 ? '' : 's'}`)
  if (report.deployOrder) items.push(`deploy order: **${report.deployOrder}**`)
  const rehearsal = report.rehearsal
  if (rehearsal.status === 'ran') {
    items.push(
      `rehearsed on PostgreSQL ${text(rehearsal.postgresVersion?.split(' ')[0] ?? '?')} with Django ${text(rehearsal.djangoVersion ?? '?')}${rehearsal.seededRows ? `, ${rehearsal.seededRows} seeded rows` : ''}`
    )
  } else {
    items.push(`rehearsal ${rehearsal.status}${rehearsal.reason ? `: ${text(rehearsal.reason, 200)}` : ''}`)
  }
  return items.join(' · ')
}

function yesNo(value: boolean | null, good: boolean): string {
  if (value === null) return '—'
  const word = value ? 'yes' : 'no'
  return value === good ? `✅ ${word}` : `❌ ${word}`
}

const LOCK_NAMES: Record<string, string> = {
  AccessExclusiveLock: 'ACCESS EXCLUSIVE',
  ExclusiveLock: 'EXCLUSIVE',
  ShareRowExclusiveLock: 'SHARE ROW EXCLUSIVE',
  ShareLock: 'SHARE',
  ShareUpdateExclusiveLock: 'SHARE UPDATE EXCLUSIVE'
}
const LOCK_ORDER = Object.keys(LOCK_NAMES)

/** The strongest lock the migration took, on which relation (tables before indexes), and a rewrite. */
function locksCell(migration: MigrationReport): string {
  if (migration.statements.length === 0) return '—'
  const blocking = migration.locks.filter((lock) => lock.mode in LOCK_NAMES)
  if (blocking.length === 0) return 'none blocking'
  const strongest = LOCK_ORDER.find((mode) => blocking.some((lock) => lock.mode === mode))!
  const relations = blocking.filter((lock) => lock.mode === strongest).map((lock) => lock.relation)
  // An index's name starts with its table's; show the table when it is among them.
  const shown = relations.find((relation) => relations.every((other) => other === relation || other.startsWith(relation))) ?? relations[0]!
  const more = relations.length > 1 ? ` +${relations.length - 1}` : ''
  return `${LOCK_NAMES[strongest]} ${code(shown, { inTable: true, maxLength: 40 })}${more}${migration.rewrites.length > 0 ? ', rewrite' : ''}`
}

/** One short line under a flagged migration's name: what happened, or what the rules expect. */
function headline(migration: MigrationReport): string | null {
  if (migration.rehearsal.status === 'not-rehearsed') return `not rehearsed: ${migration.rehearsal.reason ?? 'the rehearsal did not reach it'}`
  if (migration.appliesOnSeededData.value === false) {
    return migration.rehearsal.status === 'rehearsed' ? 'fails on the seeded rows; rehearsed again after repairing them' : 'does not apply on the seeded data'
  }
  const worst = activeFindings(migration).find((finding) => finding.severity !== 'info')
  return worst ? shortRule(worst.message) : null
}

/** The first clause of a message: `adds book.stock as NOT NULL with only a Python default`. */
function shortRule(message: string): string {
  const clause = message.replace(/`/g, '').split(/: |; /)[0]!
  return clause.length > 90 ? `${clause.slice(0, 89)}…` : clause
}

function migrationTable(migrations: MigrationReport[], tier: Tier): string {
  const shown = tier >= 3 ? migrations.slice(0, 30) : migrations
  const rows = shown.map((m) => {
    const what = m.verdict === 'safe' ? null : headline(m)
    return [
      `${code(`${m.app}.${m.name}`, { inTable: true, maxLength: 80 })}${what ? `<br><sub>${text(what, 100)}</sub>` : ''}`,
      `${ICON[m.verdict]} ${m.verdict}`,
      yesNo(m.backwardCompatible.value, true),
      m.deployOrder ?? '—',
      yesNo(m.reversible.value, true),
      m.dataLoss.value === true ? `❌ ${dataLossCount(m)}` : yesNo(m.dataLoss.value, false),
      locksCell(m)
    ].join(' | ')
  })
  const more = migrations.length > shown.length ? `\n\n… and ${migrations.length - shown.length} more migrations.` : ''
  return [
    '| Migration | Verdict | Backward compatible | Deploy | Reversible | Data loss | Locks |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`)
  ].join('\n') + more
}

/** Values and rows lost, each table/column counted once (forward and round trip see the same ones). */
function dataLossCount(migration: MigrationReport): string {
  const worst = new Map<string, number>()
  for (const loss of migration.dataLoss.losses ?? []) {
    const key = `${loss.table}.${loss.column ?? ''}`
    worst.set(key, Math.max(worst.get(key) ?? 0, loss.valuesChanged + loss.rowsLost))
  }
  return `yes (${[...worst.values()].reduce((sum, count) => sum + count, 0)})`
}

const mermaidId = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_')
const mermaidLabel = (name: string): string => name.replace(/[^A-Za-z0-9_.\- ()]/g, '_')

function conflictSection(conflict: ConflictReport, tier: Tier): string {
  const lines: string[] = []
  lines.push(`#### ${conflict.preexisting ? '🟡' : '🔴'} Conflicting migrations in ${code(conflict.app)}`)
  const leaves = conflict.leaves.map((leaf) => `${code(leaf.name)} (${leaf.side === 'pr' ? 'this PR' : leaf.side === 'main' ? 'base branch' : 'both'})`)
  lines.push(
    `After the merge, ${code(conflict.app)} has ${conflict.leaves.length} leaf migrations: ${leaves.join(' and ')}. ` +
      '`migrate` will stop with "Conflicting migrations detected".' +
      (conflict.preexisting ? ' The base branch already has this conflict.' : '')
  )
  lines.push(`${conflict.needsHumanReview ? '⚠️ ' : ''}${rich(conflict.reason)}.`)
  if (tier <= 1) {
    const ancestor = conflict.commonAncestor?.split('.').slice(1).join('.') ?? null
    const graph = ['graph LR']
    const chain = (side: 'main' | 'pr') => {
      const names = conflict.branches[side].map((key) => key.split('.').slice(1).join('.'))
      let previous = ancestor
      for (const name of names) {
        graph.push(`  ${previous ? `${mermaidId(previous)} --> ` : ''}${mermaidId(name)}["${mermaidLabel(name)} · ${side === 'pr' ? 'this PR' : 'base branch'}"]`)
        previous = name
      }
    }
    if (ancestor) graph.push(`  ${mermaidId(ancestor)}["${mermaidLabel(ancestor)}"]`)
    chain('main')
    chain('pr')
    lines.push(codeBlock(graph.join('\n'), 'mermaid'))
  }
  if (conflict.fix.patch !== null) {
    const renames = conflict.fix.renames.map((r) => `${code(r.from.split('.').slice(1).join('.'))} → ${code(r.to.split('.').slice(1).join('.'))}`)
    lines.push(
      `**Fix:** ${renames.length > 0 ? `rename ${renames.join(', ')} and ` : ''}make it depend on the base branch's newest migration` +
        ` — apply the patch below with \`git apply\`, or run ${code(conflict.fix.mergeCommand)} on the merged code.`
    )
    if (tier <= 1) lines.push(`<details><summary>Patch</summary>\n\n${codeBlock(conflict.fix.patch, 'diff', 400)}\n\n</details>`)
  } else {
    lines.push(`**Fix:** run ${code(conflict.fix.mergeCommand)} on the merged code${conflict.fix.unavailable ? ` (no rename patch: ${text(conflict.fix.unavailable)})` : ''}.`)
  }
  return lines.join('\n\n')
}

function activeFindings(migration: MigrationReport): Finding[] {
  return migration.findings.filter((finding) => finding.ignored === undefined)
}

function migrationDetails(migration: MigrationReport, tier: Tier): string | null {
  const findings = activeFindings(migration).filter((finding) => finding.severity !== 'info' || migration.verdict === 'safe')
  const ignored = migration.findings.filter((finding) => finding.ignored !== undefined)
  const hasStatements = tier === 0 && migration.statements.length > 0
  if (findings.length === 0 && ignored.length === 0 && !hasStatements) return null
  const what = headline(migration) ?? (findings[0] ? shortRule(findings[0].message) : null)
  const summary = `${ICON[migration.verdict]} <code>${text(`${migration.app}.${migration.name}`, 120)}</code>${what ? ` — ${text(what, 120)}` : ''}`
  const body: string[] = [`${code(migration.path)}${migration.atomic ? '' : ' · `atomic = False`'}`]
  for (const finding of findings) body.push(findingBlock(finding))
  if (ignored.length > 0) {
    body.push(
      `Ignored: ${ignored.map((finding) => `${code(finding.rule)} (${finding.ignored!.source}: ${text(finding.ignored!.reason, 200)})`).join('; ')}`
    )
  }
  if (hasStatements) body.push(statementsTable(migration.statements, 'Statements'))
  if (tier === 0 && migration.reversible.value === false && migration.reverseStatements.length > 0) {
    body.push(statementsTable(migration.reverseStatements, 'Reverse statements'))
  }
  return `<details><summary>${summary}</summary>\n\n${body.join('\n\n')}\n\n</details>`
}

function findingBlock(finding: Finding): string {
  const where = finding.line === null ? '' : `line ${finding.line} · `
  const seen = finding.outcome === 'seen' ? ' · seen in the rehearsal' : finding.outcome === 'not-seen' ? ' · not seen in the rehearsal' : ''
  const blocks = [`${SEVERITY_ICON[finding.severity]} **${text(finding.severity)}** · ${where}${code(finding.rule)}${seen}  \n${rich(finding.message, 1200)}`]
  const proof = (finding.proof ?? []).slice(0, 5)
  if (proof.length > 0) blocks.push(proof.map((line) => `> ${rich(line, 400)}`).join('  \n'))
  if (finding.productionCheck) {
    blocks.push(
      `**Check production** (read-only; ${text(finding.productionCheck.meaning, 300)}):\n\n${codeBlock(finding.productionCheck.sql, 'sql', 40)}`
    )
  }
  if (finding.safeAlternative) blocks.push(`**Instead:** ${rich(finding.safeAlternative, 800)}`)
  return blocks.join('\n\n')
}

function statementsTable(statements: StatementRecord[], title: string): string {
  const shown = statements.slice(0, 15)
  const rows = shown.map((statement) =>
    [
      statement.line === null ? '' : String(statement.line),
      code(statement.sql, { inTable: true, maxLength: 120 }),
      `${statement.ms < 10 ? statement.ms.toFixed(1) : Math.round(statement.ms)} ms`,
      statement.locks
        .filter((lock) => lock.mode !== 'AccessShareLock')
        .slice(0, 3)
        .map((lock) => `${lock.mode.replace(/Lock$/, '')} ${code(lock.relation, { inTable: true, maxLength: 40 })}`)
        .join(', ') || '—',
      statement.rewrite.length > 0 ? `rewrote ${statement.rewrite.map((r) => code(r, { inTable: true, maxLength: 40 })).join(', ')}` : ''
    ].join(' | ')
  )
  const more = statements.length > shown.length ? `\n\n… ${statements.length - shown.length} more statements in the JSON report.` : ''
  return `**${title}**\n\n| Line | SQL | Time | Locks | Rewrite |\n| --- | --- | --- | --- | --- |\n${rows.map((row) => `| ${row} |`).join('\n')}${more}`
}

function runLink(runUrl: string | undefined, label: string): string {
  return runUrl && /^https?:\/\/[^\s)]+$/.test(runUrl) ? `[${label}](${runUrl})` : label
}

function footer(report: Report, runUrl: string | undefined): string {
  const parts = [
    `${text(report.tool.name)} ${text(report.tool.version)}`,
    `base ${code(report.base.sha.slice(0, 7))}`,
    `head ${code(report.head.sha.slice(0, 7))}`,
    runLink(runUrl, 'full report')
  ]
  return `<sub>${parts.join(' · ')}</sub>`
}

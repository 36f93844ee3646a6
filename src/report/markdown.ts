// The report as GitHub-flavoured markdown. The PR comment says what to do,
// first: the verdict, the deploy plan, then what blocks the PR, each item with
// its file and line as a link, its rule linked to its page, its proof and what
// to do instead, all visible; warnings and the migration table follow. It is
// kept under GitHub's 65,536-character limit by dropping detail in whole
// steps, never by cutting text mid-markdown. The job summary is the full
// report: every finding, statement, lock, probe and repair. Every
// user-controlled string goes through markdown-escape.
import type { ConflictReport, Finding, LockHold, MigrationReport, Report, StatementRecord, Verdict, WorkKind } from '../model/report.js'
import { formatDuration } from '../model/durations.js'
import { deployPlan, firstClause, type Segment } from './deploy-plan.js'
import { code, codeBlock, rich, text } from './markdown-escape.js'

const ICON: Record<Verdict, string> = { safe: '🟢', warning: '🟡', unsafe: '🔴', error: '⛔' }
const SEVERITY_ICON = { info: 'ℹ️', warning: '🟡', unsafe: '🔴', error: '⛔' } as const
const RULES_URL = 'https://github.com/django-migration-review/django-migration-review/blob/main/docs/rules'

/** How much detail: 0 is everything; each step drops more. */
export type Tier = 0 | 1 | 2 | 3

export interface MarkdownOptions {
  tier?: Tier
  /** Link to the run, whose job summary holds the full report. */
  runUrl?: string | undefined
  /** `https://github.com/acme/shop/blob/<head sha>`: file paths and lines become links. */
  blobUrl?: string | undefined
  /** Where the rule pages live: `<rulesUrl>/<rule>.md`. */
  rulesUrl?: string | undefined
}

/** GitHub refuses comment bodies over 65,536 characters; keep a margin for the marker. */
export const COMMENT_LIMIT = 65_536
const COMMENT_BUDGET = 64_000
const SAFE_URL = /^https?:\/\/[^\s)<>"'`]+$/

/** The richest tier that fits; the smallest tier always fits. */
export function renderComment(report: Report, options: Omit<MarkdownOptions, 'tier'> = {}): { body: string; tier: Tier } {
  for (const tier of [0, 1, 2] as const) {
    const body = renderMarkdown(report, { ...options, tier })
    if (body.length <= COMMENT_BUDGET) return { body, tier }
  }
  return { body: renderMarkdown(report, { ...options, tier: 3 }), tier: 3 }
}

/** The PR comment at a detail tier. */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const tier = options.tier ?? 0
  const links = linker(options)
  const parts: string[] = [heading(report), facts(report), planSection(report)]
  const blockers = blockingSection(report, links, tier)
  if (blockers) parts.push(blockers)
  if (report.migrations.length > 0) parts.push(migrationTable(report.migrations, tier))
  if (tier <= 1) {
    const warnings = warningSection(report, links, tier)
    if (warnings) parts.push(warnings)
  }
  if (tier >= 2 && report.migrations.some((migration) => activeFindings(migration).some((f) => f.severity !== 'info'))) {
    parts.push(`_Details were left out to fit GitHub's comment limit; the full report is in the ${runLink(options.runUrl, 'job summary')}._`)
  }
  parts.push(footer(report, options.runUrl))
  return `${parts.join('\n\n')}\n`
}

/** The job summary: the comment's content, then every finding, statement, lock, probe and repair. */
export function renderJobSummary(report: Report, options: Omit<MarkdownOptions, 'tier'> = {}): string {
  const links = linker(options)
  const parts: string[] = [heading(report), facts(report), planSection(report)]
  const blockers = blockingSection(report, links, 0)
  if (blockers) parts.push(blockers)
  if (report.migrations.length > 0) parts.push(migrationTable(report.migrations, 0))
  for (const migration of report.migrations) parts.push(migrationDetails(migration, links))
  if (report.rehearsal.notes?.length) parts.push(`**Notes from the rehearsal**\n\n${report.rehearsal.notes.map((note) => `- ${text(note, 400)}`).join('\n')}`)
  if (report.rehearsal.timings) {
    parts.push(`**Timings (ms)**: ${Object.entries(report.rehearsal.timings).map(([phase, ms]) => `${text(phase)} ${ms}`).join(' · ')}`)
  }
  parts.push(footer(report, undefined))
  return `${parts.join('\n\n')}\n`
}

interface Links {
  file(path: string, line: number | null): string
  rule(rule: string): string
}

function linker(options: MarkdownOptions): Links {
  const blob = options.blobUrl && SAFE_URL.test(options.blobUrl) ? options.blobUrl.replace(/\/$/, '') : null
  const rules = options.rulesUrl && SAFE_URL.test(options.rulesUrl) ? options.rulesUrl.replace(/\/$/, '') : RULES_URL
  return {
    file: (path, line) => {
      const label = code(line === null ? path : `${path}:${line}`, { maxLength: 160 })
      if (blob === null || !/^[\w./@+-]+$/.test(path)) return label
      return `[${label}](${blob}/${path.split('/').map(encodeURIComponent).join('/')}${line === null ? '' : `#L${line}`})`
    },
    rule: (rule) => (/^[a-z][a-z0-9-]*$/.test(rule) ? `[${code(rule)}](${rules}/${rule}.md)` : code(rule))
  }
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
    const counted = rehearsal.migrationsPlanned !== undefined ? ` (${rehearsal.migrationsRehearsed ?? 0} of ${rehearsal.migrationsPlanned} rehearsed)` : ''
    items.push(
      `rehearsed on PostgreSQL ${text(rehearsal.postgresVersion?.split(' ')[0] ?? '?')} with Django ${text(rehearsal.djangoVersion ?? '?')}${templateFacts(report)}${rehearsal.seededRows ? `, ${rehearsal.seededRows} seeded rows` : ''}${rehearsal.sizes ? `, times scaled to production's sizes (${rehearsal.sizes.tables} tables in table-stats)` : ''}${counted}`
    )
  } else {
    items.push(`rehearsal ${rehearsal.status}${rehearsal.reason ? `: ${text(rehearsal.reason, 200)}` : ''}`)
  }
  return items.join(' · ')
}

/** The team's snapshot: which database, and the rows of each table the PR's migrations touched. */
function templateFacts(report: Report): string {
  const template = report.rehearsal.template
  if (!template) return ''
  const known = new Map(template.tables.map((table) => [table.table, table]))
  const touched = [...new Set(report.migrations.flatMap((migration) => migration.locks.map((lock) => lock.relation)))].filter((name) => known.has(name)).sort()
  const rows = touched.slice(0, 8).map((name) => {
    const table = known.get(name)!
    return `${code(name)} ${table.estimated ? '≈' : ''}${table.rows.toLocaleString('en-US')}`
  })
  return `, on a copy of the template database ${code(template.database)}${rows.length > 0 ? ` (rows: ${rows.join(', ')}${touched.length > 8 ? ', …' : ''})` : ''}`
}

function planSection(report: Report): string {
  const steps = deployPlan(report)
  // Words between code spans keep the spaces around them.
  const words = (value: string): string => `${/^\s/.test(value) ? ' ' : ''}${text(value, 600)}${/\S\s$/.test(value) ? ' ' : ''}`
  const render = (segment: Segment): string => ('text' in segment ? words(segment.text) : 'code' in segment ? code(segment.code, { maxLength: 160 }) : rich(segment.prose, 800))
  return `**Deploy plan**\n\n${steps.map((step, i) => `${i + 1}. ${step.segments.map(render).join('')}`).join('\n')}`
}

/** What stops the PR: conflicts, graph errors, changed migrations, missing migrations, unsafe findings. Each once. */
function blockingSection(report: Report, links: Links, tier: Tier): string | null {
  const items: string[] = []
  const problems = report.graphProblems.filter((problem) => problem.severity !== 'warning')
  for (const problem of problems.slice(0, tier >= 3 ? 5 : 50)) items.push(`- ⛔ ${links.file(problem.path, problem.line)} ${text(problem.message)}`)
  if (problems.length > 50) items.push(`- … ${problems.length - 50} more`)
  const blockingEdit = (entry: Report['editedMigrations'][number]) => (entry.severity ?? (entry.change === 'modified' ? 'warning' : 'unsafe')) === 'unsafe'
  for (const edit of report.editedMigrations.filter(blockingEdit).slice(0, tier >= 3 ? 5 : 100)) {
    items.push(`- 🔴 ${links.file(edit.path, null)}: ${text(edit.message)}`)
  }
  const missing = report.missingMigrations
  if (missing.value === true && missing.changes?.some((change) => change.databaseOperations.length > 0)) {
    items.push(
      `- 🔴 **Model changes without a migration**: ${missing.changes
        .filter((change) => change.databaseOperations.length > 0)
        .map((change) => `${code(change.app)}: ${change.databaseOperations.slice(0, 10).map((op) => text(op, 120)).join('; ')}`)
        .join(' · ')}  \n  **Instead:** run ${code(missing.command ?? 'python manage.py makemigrations')} and commit the migrations.`
    )
  }
  const conflicts = report.conflicts.filter((conflict) => !conflict.preexisting)
  const findings: string[] = []
  for (const migration of report.migrations) {
    for (const finding of activeFindings(migration)) {
      if (finding.severity !== 'unsafe' && finding.severity !== 'error') continue
      if (finding.rule === 'conflicting-leaves' && conflicts.length > 0) continue
      findings.push(findingItem(migration, finding, links, tier))
    }
  }
  const limit = tier >= 3 ? 10 : tier >= 2 ? 40 : Infinity
  items.push(...findings.slice(0, limit))
  if (findings.length > limit) items.push(`- … ${findings.length - limit} more in the job summary`)
  const sections = conflicts.map((conflict) => conflictSection(conflict, tier, links))
  if (items.length === 0 && sections.length === 0) return null
  return [items.length > 0 ? `**What blocks it**\n\n${items.join('\n')}` : null, ...sections].filter(Boolean).join('\n\n')
}

/** One finding as a list item: where (a link), the rule (a link), what, the proof, and what to do instead. */
function findingItem(migration: MigrationReport, finding: Finding, links: Links, tier: Tier): string {
  const seen = finding.outcome === 'seen' ? ' · seen in the rehearsal' : finding.outcome === 'not-seen' ? ' · not seen in the rehearsal' : ''
  // Three blocks in the list item: what and where; the proof, quoted; what to do. Blank lines
  // between them, or the quote would swallow the lines after it (Markdown's lazy continuation).
  const blocks = [
    [
      `- ${SEVERITY_ICON[finding.severity]} **${text(`${migration.app}.${migration.name}`, 120)}** · ${links.file(migration.path, finding.line)} · ${links.rule(finding.rule)}${seen}`,
      `  ${rich(finding.message, 1200)}`
    ]
  ]
  const proof = (finding.proof ?? []).slice(0, tier >= 2 ? 1 : 3)
  if (proof.length > 0) blocks.push(proof.map((line) => `  > ${rich(line, 400)}`))
  const actions: string[] = []
  if (finding.productionCheck) {
    actions.push(`  **Check production** (read-only; ${text(finding.productionCheck.meaning, 300)}): ${code(finding.productionCheck.sql, { maxLength: 400 })}`)
  }
  if (finding.safeAlternative) actions.push(`  **Instead:** ${rich(finding.safeAlternative, 800)}`)
  if (actions.length > 0) blocks.push(actions)
  return blocks.map((lines) => lines.join('  \n')).join('\n\n')
}

function warningSection(report: Report, links: Links, tier: Tier): string | null {
  const items: string[] = []
  for (const migration of report.migrations) {
    for (const finding of activeFindings(migration)) if (finding.severity === 'warning') items.push(findingItem(migration, finding, links, tier))
  }
  for (const problem of report.graphProblems.filter((entry) => entry.severity === 'warning')) items.push(`- 🟡 ${links.file(problem.path, problem.line)} ${text(problem.message)}`)
  for (const edit of report.editedMigrations.filter((entry) => (entry.severity ?? (entry.change === 'modified' ? 'warning' : 'unsafe')) === 'warning')) {
    items.push(`- 🟡 ${links.file(edit.path, null)}: ${text(edit.message)}`)
  }
  const missing = report.missingMigrations
  if (missing.value === true && missing.changes?.every((change) => change.databaseOperations.length === 0)) {
    items.push(`- ℹ️ Model state changes without a migration (no database change): ${missing.changes.map((change) => `${code(change.app)}: ${change.operations.slice(0, 5).map((op) => text(op, 100)).join('; ')}`).join(' · ')}`)
  }
  const ignored = report.migrations.flatMap((migration) =>
    migration.findings.filter((finding) => finding.ignored).map((finding) => `- ${code(`${migration.app}.${migration.name}`)} ${code(finding.rule)} ignored (${finding.ignored!.source}: ${text(finding.ignored!.reason, 200)})`)
  )
  items.push(...ignored)
  if (items.length === 0) return null
  return `<details><summary>${items.length} warning${items.length === 1 ? '' : 's'} and note${items.length === 1 ? '' : 's'}</summary>\n\n${items.join('\n')}\n\n</details>`
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
const ESTIMATE_WORDS: Record<WorkKind, string> = { rewrite: 'the rewrite', scan: 'the full scan', 'index-build': 'the index build' }
/** A blocking lock held this long on the seeded rows is worth a look; shorter ones are noise at this size. */
const NOTABLE_LOCK_MS = 100

/** The lock that matters: a rewrite, or a blocking lock held for long; brief ones are not named. */
function locksCell(migration: MigrationReport): string {
  if (migration.statements.length === 0) return '—'
  // How long each lock was held (to the COMMIT): a quick ALTER before a slow RunPython holds its lock throughout.
  if (migration.lockHolds !== undefined) {
    const hold = migration.lockHolds.find((entry) => entry.mode in LOCK_NAMES)
    if (hold === undefined) return 'none blocking'
    // On production's sizes (table-stats) when known: what production would feel.
    if (hold.estimatedMs !== undefined) {
      return `${LOCK_NAMES[hold.mode]} ${code(hold.relation, { inTable: true, maxLength: 40 })} ~${formatMs(hold.estimatedMs)} in production${migration.rewrites.length > 0 ? ', rewrite' : ''}`
    }
    if (migration.rewrites.length === 0 && hold.heldMs < NOTABLE_LOCK_MS) return 'brief'
    return `${LOCK_NAMES[hold.mode]} ${code(hold.relation, { inTable: true, maxLength: 40 })} ${formatMs(hold.heldMs)}${migration.rewrites.length > 0 ? ', rewrite' : ''}`
  }
  const blocking = migration.statements.flatMap((statement) => statement.locks.filter((lock) => lock.mode in LOCK_NAMES).map((lock) => ({ lock, statement })))
  if (blocking.length === 0) return 'none blocking'
  const strongest = LOCK_ORDER.find((mode) => blocking.some((entry) => entry.lock.mode === mode))!
  const held = blocking.filter((entry) => entry.lock.mode === strongest)
  const longest = Math.max(...held.map((entry) => entry.statement.ms))
  if (migration.rewrites.length === 0 && longest < NOTABLE_LOCK_MS) return 'brief'
  const relations = [...new Set(held.map((entry) => entry.lock.relation))]
  // An index's name starts with its table's; show the table when it is among them.
  const shown = relations.find((relation) => relations.every((other) => other === relation || other.startsWith(relation))) ?? relations[0]!
  return `${LOCK_NAMES[strongest]} ${code(shown, { inTable: true, maxLength: 40 })}${migration.rewrites.length > 0 ? ', rewrite' : ` ${formatMs(longest)}`}`
}

/** One short line under a flagged migration's name: what happened, or what the rules expect. */
function headline(migration: MigrationReport): string | null {
  if (migration.rehearsal.status === 'not-rehearsed') return `not rehearsed: ${migration.rehearsal.reason ?? 'the rehearsal did not reach it'}`
  // The finding that set the verdict comes first: a migration that is unsafe for another reason must not
  // read as if failing on made-up rows were what made it unsafe.
  const findings = activeFindings(migration)
  const decisive = findings.find((finding) => finding.severity === migration.verdict)
  if (migration.appliesOnSeededData.value === false) {
    if (migration.rehearsal.status !== 'rehearsed') return 'does not apply on the seeded data'
    if (decisive === undefined || decisive.rule === 'apply-failed' || decisive.severity === 'warning') return 'fails on the seeded rows; rehearsed again after repairing them'
  }
  const worst = decisive ?? findings.find((finding) => finding.severity !== 'info')
  return worst ? firstClause(worst.message) : null
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

function conflictSection(conflict: ConflictReport, tier: Tier, links: Links): string {
  const lines: string[] = []
  lines.push(`#### ${conflict.preexisting ? '🟡' : '🔴'} Conflicting migrations in ${code(conflict.app)}`)
  const leaves = conflict.leaves.map((leaf) => `${links.file(leaf.path, null)} (${leaf.side === 'pr' ? 'this PR' : leaf.side === 'main' ? 'base branch' : 'both'})`)
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

/** Everything about one migration, for the job summary. */
function migrationDetails(migration: MigrationReport, links: Links): string {
  const title = `#### ${ICON[migration.verdict]} ${code(`${migration.app}.${migration.name}`, { maxLength: 120 })} — ${migration.verdict}`
  const body: string[] = [
    `${links.file(migration.path, null)}${migration.atomic ? '' : ' · `atomic = False`'} · rehearsal: ${text(migration.rehearsal.status)}${migration.rehearsal.reason ? ` (${text(migration.rehearsal.reason, 300)})` : ''}${migration.rehearsal.basis ? ` · facts rest on: ${text(migration.rehearsal.basis)}` : ''}`
  ]
  const fields: Array<[string, { value: boolean | null; reason?: string; basis?: string }]> = [
    ['applies on the seeded rows', migration.appliesOnSeededData],
    ['backward compatible', migration.backwardCompatible],
    ['new code on the old schema', migration.forwardCompatible],
    ['reversible', migration.reversible],
    ['data loss', migration.dataLoss],
    ['re-applies after its reverse', migration.reappliesAfterReverse]
  ]
  body.push(fields.map(([label, field]) => `- ${label}: ${field.value === null ? `— ${text(field.reason ?? '', 200)}` : `**${field.value ? 'yes' : 'no'}**${field.basis ? ` (${text(field.basis)})` : ''}`}`).join('\n'))
  const hold = migration.lockHolds?.find((entry) => entry.mode in LOCK_NAMES)
  if (hold) {
    const production = hold.estimatedMs !== undefined ? `; about ${formatMs(hold.estimatedMs)} on production's sizes` : ''
    body.push(`Longest blocking lock: ${holdSentence(hold, migration.statements)} (on the seeded rows${production})`)
  }
  const wait = migration.contention?.blocked[0]
  if (wait) {
    body.push(
      `Longest wait of the running code: ${code(wait.query, { maxLength: 120 })} waited ${wait.timedOut ? `${formatMs(wait.waitedMs)} and gave up` : formatMs(wait.waitedMs)}${wait.lock ? ` behind ${LOCK_NAMES[wait.lock] ?? text(wait.lock)} on ${code(wait.table, { maxLength: 60 })}` : ''} (${migration.contention!.probes} queries played beside the migration, on the seeded rows)`
    )
  } else if (migration.contention && migration.contention.probes > 0) {
    body.push(`The running code's queries played beside the migration (${migration.contention.probes}) waited at most ${formatMs(migration.contention.maxWaitMs)}`)
  }
  for (const lockWait of migration.lockWaits ?? []) {
    body.push(
      `Lock wait: ${code(lockWait.query, { maxLength: 120 })} waited ${formatMs(lockWait.waitedMs)} or more for ${lockWait.holders.map((holder) => `${code(holder.query || '(no query yet)', { maxLength: 120 })} (pid ${holder.pid}${holder.state ? `, ${text(holder.state)}` : ''})`).join(', ')}`
    )
  }
  for (const estimate of migration.estimates ?? []) {
    body.push(
      `On production's size: ${ESTIMATE_WORDS[estimate.kind]} of ${code(estimate.table, { maxLength: 60 })} (${estimate.rows.toLocaleString('en-US')} rows) about ${formatMs(estimate.estimatedMs)}${estimate.lock ? ` under ${LOCK_NAMES[estimate.lock] ?? text(estimate.lock)}` : ''}, ${formatMs(estimate.seededMs)} on the seeded rows: ${text(estimate.basis, 300)}`
    )
  }
  const findings = migration.findings.map((finding) => findingItem(migration, finding, links, 0))
  if (findings.length > 0) body.push(findings.join('\n'))
  for (const repair of migration.rehearsal.repairs) {
    body.push(`Repair (${text(repair.kind)}): ${repair.rows} row${repair.rows === 1 ? '' : 's'} of ${text(repair.tables.join(', '))}${repair.syntheticOnly ? ', all made up by the seeder' : ''}, after: ${text(repair.cause, 300)}`)
  }
  if (migration.statements.length > 0) body.push(statementsTable(migration.statements, 'Statements'))
  if (migration.reverseStatements.length > 0) body.push(statementsTable(migration.reverseStatements, 'Reverse statements'))
  return `${title}\n\n${body.join('\n\n')}`
}

/** `ACCESS EXCLUSIVE on `shop_book` for 1.6 s: from the ALTER TABLE at line 12 to the end of the operation at line 20`. */
export function holdSentence(hold: LockHold, statements: readonly StatementRecord[]): string {
  const verb = (statements[hold.statement]?.sql ?? '').trim().split(/\s+/).slice(0, 2).join(' ').toUpperCase()
  const from = `the ${text(verb || 'statement')}${hold.line !== null ? ` at line ${hold.line}` : ''}`
  const to =
    hold.until === 'statement'
      ? 'its own end (no transaction)'
      : hold.releasedAfterLine != null
        ? `the COMMIT, after the operation at line ${hold.releasedAfterLine}`
        : 'the COMMIT'
  return `${LOCK_NAMES[hold.mode] ?? text(hold.mode)} on ${code(hold.relation, { maxLength: 60 })} for ${formatMs(hold.heldMs)}: from ${from} to ${to}`
}

/** Statements with repeats folded: seven identical UPDATEs are one row `7 ×`. */
function statementsTable(statements: StatementRecord[], title: string): string {
  const folded: Array<{ statement: StatementRecord; count: number; ms: number }> = []
  for (const statement of statements) {
    const last = folded.at(-1)
    if (last && last.statement.sql === statement.sql && last.statement.line === statement.line && !statement.error) {
      last.count++
      last.ms += statement.ms
    } else folded.push({ statement, count: 1, ms: statement.ms })
  }
  const shown = folded.slice(0, 40)
  const rows = shown.map(({ statement, count, ms }) =>
    [
      statement.line === null ? '' : String(statement.line),
      `${count > 1 ? `${count} × ` : ''}${code(statement.sql, { inTable: true, maxLength: 160 })}`,
      formatMs(ms),
      statement.locks
        .filter((lock) => lock.mode !== 'AccessShareLock')
        .slice(0, 3)
        .map((lock) => `${lock.mode.replace(/Lock$/, '')} ${code(lock.relation, { inTable: true, maxLength: 40 })}`)
        .join(', ') || '—',
      statement.rewrite.length > 0 ? `rewrote ${statement.rewrite.map((r) => code(r, { inTable: true, maxLength: 40 })).join(', ')}` : statement.error ? text(statement.error.message, 120) : ''
    ].join(' | ')
  )
  const more = folded.length > shown.length ? `\n\n… ${folded.length - shown.length} more in the JSON report.` : ''
  return `**${title}**\n\n| Line | SQL | Time | Locks | Rewrite |\n| --- | --- | --- | --- | --- |\n${rows.map((row) => `| ${row} |`).join('\n')}${more}`
}

/** Statement times of a few milliseconds keep their tenths. */
function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : formatDuration(ms)
}

function runLink(runUrl: string | undefined, label: string): string {
  return runUrl && SAFE_URL.test(runUrl) ? `[${label}](${runUrl})` : label
}

function footer(report: Report, runUrl: string | undefined): string {
  const parts = [
    `${text(report.tool.name)} ${text(report.tool.version)}`,
    `base ${code(report.base.sha.slice(0, 7))}`,
    `head ${code(report.head.sha.slice(0, 7))}`,
    ...(runUrl !== undefined ? [runLink(runUrl, 'full report')] : [])
  ]
  return `<sub>${parts.join(' · ')}</sub>`
}

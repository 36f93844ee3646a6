// What to do, in order: the deploy plan of the whole pull request, from the
// deploy order each migration needs and what the findings say about it. Each
// step is a list of segments; the renderers escape and format them (names and
// messages come from the repository, and may be hostile).
import type { ConflictReport, DeployOrder, Finding, MigrationReport, Report } from '../model/report.js'

/** `text`: plain words; `code`: a name or command; `prose`: a rule's sentence with `code` spans of its own. */
export type Segment = { text: string } | { code: string } | { prose: string }

export interface PlanStep {
  segments: Segment[]
  /** Migrations the step is about (`app.name`). */
  migrations: string[]
}

/** The plain text of a step (for the terminal, annotations). */
export function stepText(step: PlanStep): string {
  return step.segments.map((segment) => ('text' in segment ? segment.text : 'code' in segment ? `\`${segment.code}\`` : segment.prose)).join('')
}

/** Steps listing migrations stop naming them one by one past this many. */
const NAMED = 8

const key = (migration: MigrationReport): string => `${migration.app}.${migration.name}`

/** The first clause of a finding's message: `drops book.subtitle`. */
export function firstClause(message: string): string {
  const clause = message.replace(/`/g, '').split(/: |; /)[0]!
  return clause.length > 120 ? `${clause.slice(0, 119)}…` : clause
}

function worst(migration: MigrationReport, order?: DeployOrder): Finding | undefined {
  const rank = { error: 0, unsafe: 1, warning: 2, info: 3 } as const
  return migration.findings
    .filter((finding) => finding.ignored === undefined && (order === undefined || finding.deployOrder === order))
    .sort((a, b) => rank[a.severity] - rank[b.severity])[0]
}

/** An unsafe finding about locks alone (a rewrite of a big table, the running code waiting): the order cannot help. */
function locksOnly(migration: MigrationReport): Finding | undefined {
  return migration.findings.find(
    (finding) =>
      finding.ignored === undefined &&
      (finding.severity === 'unsafe' || finding.severity === 'error') &&
      (finding.breaks ?? []).includes('locks') &&
      !(finding.breaks ?? []).some((part) => part === 'old-code' || part === 'new-code' || part === 'data')
  )
}

export function deployPlan(report: Report): PlanStep[] {
  const steps: PlanStep[] = []
  const conflicts = report.conflicts.filter((conflict: ConflictReport) => !conflict.preexisting)
  for (const conflict of conflicts) {
    steps.push({
      segments:
        conflict.fix.patch !== null
          ? [{ text: "Before merging, renumber this PR's migrations of " }, { code: conflict.app }, { text: " after the base branch's (the fix below), or run " }, { code: conflict.fix.mergeCommand }, { text: '.' }]
          : [{ text: 'Before merging, run ' }, { code: conflict.fix.mergeCommand }, { text: ' on the merged code.' }],
      migrations: conflict.leaves.filter((leaf) => leaf.side === 'pr').map((leaf) => `${conflict.app}.${leaf.name}`)
    })
  }
  const missing = report.missingMigrations
  if (missing.value === true && missing.changes?.some((change) => change.databaseOperations.length > 0)) {
    steps.push({ segments: [{ text: 'Add the missing migrations: ' }, { code: missing.command ?? 'python manage.py makemigrations' }, { text: ', and commit them.' }], migrations: [] })
  }
  const migrations = report.migrations.filter((migration) => migration.rehearsal.status !== 'recorded-applied' && migration.rehearsal.status !== 'replaced')
  if (migrations.length === 0) {
    if (steps.length === 0) steps.push({ segments: [{ text: 'Nothing to migrate: deploy as usual.' }], migrations: [] })
    return steps
  }
  const byOrder = (order: DeployOrder) => migrations.filter((migration) => migration.deployOrder === order)
  const multi = byOrder('multi-step')
  const codeFirst = byOrder('deploy-first')
  const migrateFirst = migrations.filter((migration) => migration.deployOrder !== 'multi-step' && migration.deployOrder !== 'deploy-first')
  for (const migration of multi.slice(0, NAMED)) {
    const finding = worst(migration, 'multi-step') ?? worst(migration)
    steps.push({
      segments: [
        { code: key(migration) },
        { text: ` cannot ship in one release (${finding ? firstClause(finding.message) : 'old and new code both break'}): ` },
        finding?.safeAlternative ? { prose: finding.safeAlternative } : { text: 'split it into an expand and a contract step across two releases.' }
      ],
      migrations: [key(migration)]
    })
  }
  // No deploy order fixes a lock the running code waits on: the migration itself has to change.
  for (const migration of migrations.filter((entry) => !multi.includes(entry)).slice(0, NAMED)) {
    const blocking = locksOnly(migration)
    if (!blocking) continue
    steps.push({
      segments: [
        { text: 'Before it ships, change ' },
        { code: key(migration) },
        { text: `: it makes the running code wait in any order (${firstClause(blocking.message)}): ` },
        blocking.safeAlternative ? { prose: blocking.safeAlternative } : { text: 'split it so that each blocking lock is held briefly.' }
      ],
      migrations: [key(migration)]
    })
  }
  if (multi.length > NAMED) steps.push({ segments: [{ text: `${multi.length - NAMED} more migrations cannot ship in one release either (the job summary lists them).` }], migrations: multi.slice(NAMED).map(key) })
  // After a migration that needs its own releases, the plain steps are about the others only.
  const others = multi.length > 0
  if (codeFirst.length > 0) {
    const what: Segment[] = codeFirst.slice(0, NAMED).flatMap((migration, i) => {
      const finding = worst(migration, 'deploy-first') ?? worst(migration)
      return [...(i > 0 ? [{ text: '; ' }] : []), { code: key(migration) }, { text: finding ? ` ${firstClause(finding.message)}` : '' }]
    })
    if (codeFirst.length > NAMED) what.push({ text: `; and ${codeFirst.length - NAMED} more` })
    steps.push({
      segments: [{ text: `${others ? 'For the others: deploy' : 'Deploy'} the new code first, so that no running code still uses what the migrations remove: ` }, ...what, { text: '.' }],
      migrations: codeFirst.map(key)
    })
    steps.push({ segments: [{ text: 'Then run the migrations (' }, { code: 'python manage.py migrate' }, { text: ').' }], migrations: codeFirst.map(key) })
    if (migrateFirst.length > 0) {
      const names: Segment[] = migrateFirst.slice(0, NAMED).flatMap((migration, i) => [...(i > 0 ? [{ text: ', ' }] : []), { code: key(migration) }])
      if (migrateFirst.length > NAMED) names.push({ text: ` and ${migrateFirst.length - NAMED} more` })
      const one = migrateFirst.length === 1
      // The two orders cannot both hold in one release: say so instead of listing steps that contradict each other.
      steps.push({
        segments: [
          { text: 'But ' },
          ...names,
          { text: ` ${one ? 'has' : 'have'} to run before the new code is deployed: ship ${one ? 'it' : 'them'} in an earlier release (migrate, then deploy), or split this PR.` }
        ],
        migrations: migrateFirst.map(key)
      })
    }
  } else if (migrateFirst.length > 0) {
    steps.push({ segments: [{ text: others ? 'For the others: run the migrations (' : 'Run the migrations (' }, { code: 'python manage.py migrate' }, { text: ').' }], migrations: migrateFirst.map(key) })
    steps.push({
      segments: [{ text: others ? 'Then deploy the new code.' : 'Then deploy the new code: the code still running keeps working on the new schema.' }],
      migrations: migrateFirst.map(key)
    })
  }
  return steps
}

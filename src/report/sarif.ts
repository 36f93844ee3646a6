// The report as SARIF 2.1.0, for GitHub code scanning and other SARIF
// viewers: one result per active finding, graph problem and conflict, on the
// migration file and line. Deterministic: the same report gives the same
// bytes.
import type { Report, Severity } from '../model/report.js'

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json'
export const DEFAULT_INFORMATION_URI = 'https://github.com/django-migration-review/django-migration-review'

/** A thing worth pointing at in a file: an active finding, a graph problem or a conflict. */
export interface LocatedProblem {
  rule: string
  severity: Severity
  /** Plain text as written (may hold markdown-style backticks). */
  message: string
  safeAlternative?: string
  /** A read-only query that answers, on production, what the rehearsal's made-up rows could not. */
  productionCheck?: { sql: string; meaning: string }
  path: string
  line: number | null
  column?: number
  /** `app.name` of the migration the finding is on, when it is one. */
  migration?: string
  kind: 'finding' | 'graph-problem' | 'conflict'
}

const SIDE = { main: 'base branch', pr: 'this PR', both: 'both' } as const

/**
 * Every problem with a place in a file, in report order: findings of each
 * migration (ignored ones left out), then graph problems and conflicts that
 * no finding already reports (the engine copies both onto the PR's own
 * migrations; an ignored copy keeps them silent here too).
 */
export function locatedProblems(report: Report): LocatedProblem[] {
  const problems: LocatedProblem[] = []
  const findingKeys = new Set<string>()
  const rulesByPath = new Map<string, Set<string>>()
  for (const migration of report.migrations) {
    for (const finding of migration.findings) {
      findingKeys.add(`${migration.path}\u0000${finding.rule}\u0000${finding.line ?? ''}`)
      if (!rulesByPath.has(migration.path)) rulesByPath.set(migration.path, new Set())
      rulesByPath.get(migration.path)!.add(finding.rule)
      if (finding.ignored) continue
      problems.push({
        rule: finding.rule,
        severity: finding.severity,
        message: finding.message,
        ...(finding.safeAlternative ? { safeAlternative: finding.safeAlternative } : {}),
        ...(finding.productionCheck ? { productionCheck: finding.productionCheck } : {}),
        path: migration.path,
        line: finding.line,
        migration: `${migration.app}.${migration.name}`,
        kind: 'finding'
      })
    }
  }
  for (const problem of report.graphProblems) {
    if (findingKeys.has(`${problem.path}\u0000${problem.kind}\u0000${problem.line}`)) continue
    problems.push({
      rule: problem.kind,
      severity: problem.severity ?? 'error',
      message: problem.message,
      path: problem.path,
      line: problem.line,
      ...(problem.column !== undefined ? { column: problem.column } : {}),
      kind: 'graph-problem'
    })
  }
  for (const conflict of report.conflicts) {
    const prLeaves = conflict.leaves.filter((leaf) => leaf.side === 'pr')
    const leaves = prLeaves.length > 0 ? prLeaves : conflict.leaves
    const listed = conflict.leaves.map((leaf) => `${leaf.name} (${SIDE[leaf.side]})`).join(', ')
    const fix = conflict.fix.patch
      ? `apply the patch in the job summary or run \`${conflict.fix.mergeCommand}\``
      : `run \`${conflict.fix.mergeCommand}\``
    const message =
      `after the merge, app '${conflict.app}' has ${conflict.leaves.length} leaf migrations: ${listed}; ` +
      `\`migrate\` will stop with "Conflicting migrations detected". Fix: ${fix}.` +
      (conflict.needsHumanReview ? ` Look first: ${conflict.reason}.` : '') +
      (conflict.preexisting ? ' The conflict is already on the base branch.' : '')
    for (const leaf of leaves) {
      if (rulesByPath.get(leaf.path)?.has('conflicting-leaves')) continue
      problems.push({
        rule: 'conflicting-leaves',
        severity: conflict.preexisting ? 'warning' : 'unsafe',
        message,
        path: leaf.path,
        line: null,
        migration: `${conflict.app}.${leaf.name}`,
        kind: 'conflict'
      })
    }
  }
  return problems
}

export type SarifLevel = 'error' | 'warning' | 'note'

export function sarifLevel(severity: Severity): SarifLevel {
  return severity === 'error' || severity === 'unsafe' ? 'error' : severity === 'warning' ? 'warning' : 'note'
}

/** `add-field-not-null` → `Add field not null`. */
export function ruleTitle(rule: string): string {
  const words = rule.replace(/[-_]+/g, ' ').trim()
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : rule
}

/** A repository-relative path as a URI reference (each segment percent-encoded). */
function pathUri(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/^\.?\/+/, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/')
}

function messageText(problem: LocatedProblem): string {
  const sentence = problem.message.trim()
  const first = sentence ? sentence.charAt(0).toUpperCase() + sentence.slice(1) : problem.rule
  const ended = /[.!?]$/.test(first) ? first : `${first}.`
  return problem.safeAlternative ? `${ended} Instead: ${problem.safeAlternative.trim()}` : ended
}

export interface SarifOptions {
  /** Where the tool is documented; the Action can pass `${GITHUB_SERVER_URL}/${GITHUB_ACTION_REPOSITORY}`. */
  informationUri?: string
}

export function renderSarif(report: Report, options: SarifOptions = {}): object {
  const problems = locatedProblems(report)
  const ruleIds = [...new Set(problems.map((problem) => problem.rule))].sort()
  const ruleIndex = new Map(ruleIds.map((id, index) => [id, index]))
  const worst = new Map<string, Severity>()
  const rank: Record<Severity, number> = { info: 0, warning: 1, unsafe: 2, error: 3 }
  for (const problem of problems) {
    const before = worst.get(problem.rule)
    if (!before || rank[problem.severity] > rank[before]) worst.set(problem.rule, problem.severity)
  }

  const results = problems.map((problem) => {
    const hasLine = problem.line !== null && Number.isInteger(problem.line) && problem.line >= 1
    const region = hasLine
      ? {
          startLine: problem.line!,
          ...(problem.column !== undefined && Number.isInteger(problem.column) && problem.column >= 1 ? { startColumn: problem.column } : {})
        }
      : null
    return {
      ruleId: problem.rule,
      ruleIndex: ruleIndex.get(problem.rule)!,
      level: sarifLevel(problem.severity),
      message: { text: messageText(problem) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: pathUri(problem.path) },
            ...(region ? { region } : {})
          }
        }
      ],
      properties: {
        severity: problem.severity,
        kind: problem.kind,
        ...(problem.migration ? { migration: problem.migration } : {})
      }
    }
  })

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'django-migration-review',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: options.informationUri ?? DEFAULT_INFORMATION_URI,
            rules: ruleIds.map((id) => ({
              id,
              name: id,
              shortDescription: { text: ruleTitle(id) },
              defaultConfiguration: { level: sarifLevel(worst.get(id)!) }
            }))
          }
        },
        results,
        properties: { verdict: report.verdict, base: report.base.sha, head: report.head.sha }
      }
    ]
  }
}

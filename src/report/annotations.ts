// Findings as workflow annotations (`core.error/warning/notice` with a file
// and line): they show on the PR's "Files changed" tab and need no token
// permission, so they work for fork PRs too. GitHub keeps at most 10 errors
// and 10 warnings per step, so the worst come first and a final notice says
// how many more the job summary holds.
import { locatedProblems, ruleTitle, type LocatedProblem } from './sarif.js'
import type { Report, Severity } from '../model/report.js'

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  /** Plain text on one line: annotations do not render markdown. */
  message: string
  title: string
  /** The migration file; absent only on the closing notice. */
  file?: string
  startLine?: number
}

const RANK: Record<Severity, number> = { error: 0, unsafe: 1, warning: 2, info: 3 }
const MAX_MESSAGE = 1000

/** Markdown-ish text as one plain line: code spans become quoted, emphasis and line breaks go. */
export function plainLine(value: string, maxLength = MAX_MESSAGE): string {
  const plain = value
    .replace(/(`+)\s?([^`]+?)\s?\1/g, '"$2"')
    .replace(/`/g, '')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/[\r\n\t\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return plain.length > maxLength ? `${plain.slice(0, maxLength - 1)}…` : plain
}

function message(problem: LocatedProblem): string {
  const text = plainLine(problem.message)
  const first = text ? text.charAt(0).toUpperCase() + text.slice(1) : ruleTitle(problem.rule)
  const ended = /[.!?…]$/.test(first) ? first : `${first}.`
  const check = problem.productionCheck ? ` Check production (read-only; ${problem.productionCheck.meaning}): ${problem.productionCheck.sql}` : ''
  const instead = problem.safeAlternative ? ` Instead: ${problem.safeAlternative}` : ''
  return plainLine(`${ended}${check}${instead}`)
}

export function annotationsOf(report: Report, limit = 10): Annotation[] {
  const ranked = locatedProblems(report)
    .filter((problem) => problem.severity !== 'info')
    .map((problem, order) => ({ problem, order }))
    .sort((a, b) => RANK[a.problem.severity] - RANK[b.problem.severity] || a.order - b.order)

  const kept: Annotation[] = []
  const count = { error: 0, warning: 0 }
  let dropped = 0
  for (const { problem } of ranked) {
    const level = problem.severity === 'warning' ? 'warning' : 'error'
    if (count[level] >= limit) {
      dropped++
      continue
    }
    count[level]++
    const hasLine = problem.line !== null && Number.isInteger(problem.line) && problem.line >= 1
    kept.push({
      level,
      message: message(problem),
      title: plainLine(`${problem.severity}: ${problem.rule}${problem.migration ? ` in ${problem.migration}` : ''}`, 200),
      file: problem.path,
      ...(hasLine ? { startLine: problem.line! } : {})
    })
  }
  if (dropped > 0) {
    kept.push({
      level: 'notice',
      title: 'More migration findings',
      message: `${dropped} more finding${dropped === 1 ? ' is' : 's are'} not annotated here (GitHub shows at most ${limit} errors and ${limit} warnings per step); the job summary lists all of them.`
    })
  }
  return kept
}

// The order of severities and verdicts, and the step from one to the other.
import type { Severity, Verdict } from '../model/report.js'
import type { FailOn } from '../model/options.js'

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, unsafe: 2, error: 3 }
const VERDICT_RANK: Record<Verdict, number> = { safe: 0, warning: 1, unsafe: 2, error: 3 }

export function verdictOf(severity: Severity): Verdict {
  return severity === 'info' ? 'safe' : severity
}

export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'safe'
  for (const verdict of verdicts) if (VERDICT_RANK[verdict] > VERDICT_RANK[worst]) worst = verdict
  return worst
}

export function worstSeverity(severities: Iterable<Severity>): Severity {
  let worst: Severity = 'info'
  for (const severity of severities) if (SEVERITY_RANK[severity] > SEVERITY_RANK[worst]) worst = severity
  return worst
}

export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_RANK[b] - SEVERITY_RANK[a]
}

/** Whether a verdict fails the run under a `fail-on` policy. */
export function failsPolicy(verdict: Verdict, failOn: FailOn): boolean {
  if (failOn === 'never') return false
  // An error (the review could not complete, or the graph cannot load) always fails.
  if (verdict === 'error') return true
  return VERDICT_RANK[verdict] >= VERDICT_RANK[failOn]
}

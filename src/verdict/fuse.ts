// Rules and rehearsal evidence about the same operation become one finding.
// A rule whose first proof kind the rehearsal saw is confirmed (evidence:
// rehearsal, with the proof). A rule the rehearsal checked and did not see
// happen is refuted: it drops one severity level and says so. Facts no rule
// claimed become findings of their own.
import type { ProofKind, RuleFinding } from '../model/findings.js'
import type { Finding, Severity } from '../model/report.js'
import type { Fact } from './facts.js'

/** Whether the rehearsal looked for a kind of fact for this migration (and so its absence means something). */
export type Checked = (kind: ProofKind, finding: RuleFinding) => boolean

const LOWER: Record<Severity, Severity> = { error: 'unsafe', unsafe: 'warning', warning: 'info', info: 'info' }

export function fuse(ruleFindings: readonly RuleFinding[], facts: readonly Fact[], checked: Checked | null): Finding[] {
  const used = new Set<Fact>()
  const findings: Finding[] = []
  for (const rule of ruleFindings) {
    const { model: _model, provenBy, operationIndex, ...finding } = rule
    const out: Finding = { ...finding, operationIndex }
    if (checked !== null && provenBy.length > 0) {
      const related = facts.filter((fact) => provenBy.includes(fact.kind as ProofKind) && concerns(fact, rule))
      const primary = related.filter((fact) => fact.kind === provenBy[0])
      if (rule.ignored !== undefined) {
        // Silenced with a reason: it keeps its grade, and the facts that prove it
        // do not come back as findings of their own (which nothing could silence).
        if (related.length > 0) {
          out.evidence = 'rehearsal'
          out.proof = related.flatMap((fact) => fact.proof)
          related.forEach((fact) => used.add(fact))
        }
      } else if (primary.length > 0 || related.some((fact) => fact.kind === 'apply-error')) {
        out.evidence = 'rehearsal'
        out.proof = related.flatMap((fact) => fact.proof)
        if (related.some((fact) => fact.kind === 'apply-error') && rankOf(out.severity) < rankOf('unsafe')) out.severity = 'unsafe'
        related.forEach((fact) => used.add(fact))
      } else if (checked(provenBy[0]!, rule)) {
        out.evidence = 'rehearsal'
        out.severity = LOWER[out.severity]
        out.message = `${out.message}. The rehearsal did not see this happen on seeded data (${REFUTED[provenBy[0]!]})`
        out.proof = related.flatMap((fact) => fact.proof)
        related.forEach((fact) => used.add(fact))
      }
    }
    findings.push(out)
  }
  for (const fact of facts) {
    if (used.has(fact) || fact.kind === 'blocking-lock') continue
    findings.push(factFinding(fact))
  }
  return findings
}

/** A fact is about a rule's operation when it names the same operation, or the same model or table. */
function concerns(fact: Fact, rule: RuleFinding): boolean {
  if (fact.operationIndex !== null && rule.operationIndex !== null) return fact.operationIndex === rule.operationIndex
  if (rule.model === null) return fact.operationIndex === null && fact.model === null && fact.table === null
  const [app, model] = rule.model.split('.')
  return fact.model === rule.model || fact.table === `${app}_${model}`
}

const REFUTED: Record<ProofKind, string> = {
  rewrite: 'no table or index was rewritten',
  'old-code-breaks': "the base code's SELECT, INSERT and UPDATE still work after it",
  'new-code-breaks': 'the new code works on the old schema',
  'apply-error': 'it applied',
  irreversible: 'it reversed',
  'reverse-error': 'it reversed',
  'data-loss': 'no data was lost',
  'blocking-lock': 'no blocking lock was held'
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, unsafe: 2, error: 3 }
const rankOf = (severity: Severity): number => RANK[severity]

const FACT_RULES: Record<Fact['kind'], { rule: string; severity: Severity; breaks: Finding['breaks']; alternative?: string }> = {
  'apply-error': { rule: 'apply-failed', severity: 'unsafe', breaks: ['data'] },
  'lock-timeout': {
    rule: 'lock-timeout',
    severity: 'unsafe',
    breaks: ['locks'],
    alternative: 'Keep lock_timeout set for migrations in production and retry them; split the migration so each lock is held briefly.'
  },
  'statement-timeout': { rule: 'statement-timeout', severity: 'unsafe', breaks: ['locks'] },
  'old-code-breaks': { rule: 'old-code-breaks', severity: 'unsafe', breaks: ['old-code'] },
  'new-code-breaks': { rule: 'new-code-breaks', severity: 'info', breaks: ['new-code'] },
  rewrite: { rule: 'table-rewrite', severity: 'warning', breaks: ['locks'] },
  irreversible: { rule: 'irreversible', severity: 'warning', breaks: [] },
  'reverse-error': { rule: 'reverse-failed', severity: 'warning', breaks: ['data'] },
  'reapply-error': { rule: 'reapply-failed', severity: 'warning', breaks: [] },
  'data-loss': { rule: 'data-loss', severity: 'warning', breaks: ['data'] },
  'blocking-lock': { rule: 'blocking-lock', severity: 'info', breaks: ['locks'] }
}

function factFinding(fact: Fact): Finding {
  const spec = FACT_RULES[fact.kind]
  const finding: Finding = {
    rule: spec.rule,
    severity: spec.severity,
    message: fact.kind === 'new-code-breaks' ? `${fact.summary}: run the migration before deploying the new code` : fact.summary,
    line: null,
    evidence: 'rehearsal',
    operationIndex: fact.operationIndex,
    breaks: spec.breaks,
    proof: fact.proof
  }
  if (fact.kind === 'old-code-breaks') finding.deployOrder = 'deploy-first'
  if (fact.kind === 'new-code-breaks') finding.deployOrder = 'migrate-first'
  if (spec.alternative) finding.safeAlternative = spec.alternative
  return finding
}

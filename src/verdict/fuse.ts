// Rules and rehearsal facts about the same operation become one finding.
// Each fact goes to the one rule it proves (a unique violation to add-unique,
// not to its neighbour). A rule with facts is confirmed: it carries every one
// of them as proof, at the severity the worst of them warrants (a failure only
// the seeder's made-up rows caused warrants a warning and a query to run on
// production). A rule is refuted only when the rehearsal looked for every kind
// of fact that would prove it and saw none: it drops one level and says what
// was checked. Facts no rule claimed become findings of their own.
import type { ProofKind, RuleFinding } from '../model/findings.js'
import type { Finding, Severity } from '../model/report.js'
import type { Fact, FactKind } from './facts.js'
import { worstSeverity } from './severity.js'

/** Whether the rehearsal looked for a kind of fact for this migration (so that its absence means something). */
export type Checked = (kind: ProofKind, finding: RuleFinding) => boolean

const LOWER: Record<Severity, Severity> = { error: 'unsafe', unsafe: 'warning', warning: 'info', info: 'info' }
const RANK: Record<Severity, number> = { info: 0, warning: 1, unsafe: 2, error: 3 }
const lesser = (a: Severity, b: Severity): Severity => (RANK[a] <= RANK[b] ? a : b)

export function fuse(ruleFindings: readonly RuleFinding[], facts: readonly Fact[], checked: Checked | null): Finding[] {
  const owners = assignFacts(ruleFindings, facts)
  const findings: Finding[] = []
  for (const rule of ruleFindings) {
    const { model: _model, provenBy, operationIndex, severityWhenSeen, safeAlternativeWhenSeen, explains: _explains, ...finding } = rule
    const out: Finding = { ...finding, operationIndex }
    const related = facts.filter((fact) => owners.get(fact) === rule)
    if (checked !== null && related.length > 0) {
      out.evidence = 'rehearsal'
      out.outcome = 'seen'
      out.proof = related.flatMap((fact) => fact.proof)
      if (safeAlternativeWhenSeen) out.safeAlternative = safeAlternativeWhenSeen
      out.basis = related[0]!.basis
      const check = related.find((fact) => fact.productionCheck)?.productionCheck
      if (check) out.productionCheck = check
      // Silenced with a reason: it keeps its grade; its facts stay with it.
      if (rule.ignored === undefined) {
        out.severity = worstSeverity(
          related.map((fact) => {
            const warranted = lesser(rule.severity, severityWhenSeen?.[fact.kind as ProofKind] ?? rule.severity)
            const capped = fact.certainty === 'data-dependent' ? lesser(warranted, 'warning') : warranted
            return RANK[fact.severity] > RANK[capped] ? fact.severity : capped
          })
        )
        // Production's size made it worse than the rule alone: say so in the message.
        const sized = related.find((fact) => fact.atScale !== undefined && RANK[fact.severity] > RANK[rule.severity])
        if (sized) out.message = `${out.message}. In the rehearsal it ${sized.atScale}`
        const dependent = related.find((fact) => fact.certainty === 'data-dependent')
        if (dependent && related.every((fact) => fact.certainty === 'data-dependent' || fact.kind === 'blocking-lock')) {
          out.message = `${out.message}. In the rehearsal it ${dependent.summary.replace(/^fails/, 'failed')}; whether it fails in production depends on your rows`
        }
      }
    } else if (checked !== null && provenBy.length > 0 && rule.ignored === undefined && provenBy.every((kind) => checked(kind, rule))) {
      out.evidence = 'rehearsal'
      out.outcome = 'not-seen'
      out.severity = LOWER[out.severity]
      out.message = `${out.message}. Not seen in the rehearsal: ${provenBy.map((kind) => NOT_SEEN[kind]).join('; ')}`
    }
    findings.push(out)
  }
  for (const fact of facts) {
    // A blocking lock is a finding of its own only when production's size makes it long.
    if (owners.has(fact) || (fact.kind === 'blocking-lock' && fact.severity === 'info')) continue
    findings.push(factFinding(fact))
  }
  return findings
}

/** Each fact to the one rule it proves: the rule of its operation that explains its SQLSTATE, else the first that claims its kind. */
function assignFacts(rules: readonly RuleFinding[], facts: readonly Fact[]): Map<Fact, RuleFinding> {
  const owners = new Map<Fact, RuleFinding>()
  for (const fact of facts) {
    const candidates = rules.filter((rule) => rule.provenBy.includes(fact.kind as ProofKind) && concerns(fact, rule))
    if (candidates.length === 0) continue
    const explaining = fact.sqlstate ? candidates.find((rule) => rule.explains?.includes(fact.sqlstate!)) : undefined
    const rejecting = fact.sqlstate ? candidates.filter((rule) => rule.explains !== undefined && !rule.explains.includes(fact.sqlstate!)) : []
    owners.set(fact, explaining ?? candidates.find((rule) => !rejecting.includes(rule)) ?? candidates[0]!)
  }
  return owners
}

/** A fact is about a rule's operation when it names the same operation, or the same model or table. */
function concerns(fact: Fact, rule: RuleFinding): boolean {
  if (fact.operationIndex !== null && rule.operationIndex !== null) return fact.operationIndex === rule.operationIndex
  if (rule.model === null) return fact.operationIndex === null && fact.model === null && fact.table === null
  const [app, model] = rule.model.split('.')
  return fact.model === rule.model || fact.table === `${app}_${model}`
}

const NOT_SEEN: Record<ProofKind, string> = {
  rewrite: 'no table or index was rewritten',
  'old-code-breaks': "the base code's SELECT, INSERT and UPDATE still worked after it",
  'new-code-breaks': 'the new code worked on the old schema',
  'apply-error': 'it applied on the seeded rows',
  irreversible: 'it reversed',
  'reverse-error': 'it reversed',
  'data-loss': 'no data was lost',
  'blocking-lock': 'no statement held a lock that blocks reads or writes',
  'round-trip': 'the base code read back what it wrote',
  'reverse-data-loss': 'migrating forward and back lost no value'
}

const FACT_RULES: Record<FactKind, { rule: string; breaks: Finding['breaks']; alternative?: string; deployOrder?: Finding['deployOrder'] }> = {
  'apply-error': { rule: 'apply-failed', breaks: ['data'] },
  'lock-timeout': {
    rule: 'lock-timeout',
    breaks: ['locks'],
    alternative: 'Keep lock_timeout set for migrations in production and retry them; split the migration so each lock is held briefly.'
  },
  'statement-timeout': { rule: 'statement-timeout', breaks: ['locks'] },
  'old-code-breaks': { rule: 'old-code-breaks', breaks: ['old-code'], deployOrder: 'deploy-first' },
  'round-trip': {
    rule: 'old-code-round-trip',
    breaks: ['old-code'],
    deployOrder: 'multi-step',
    alternative: 'Add a new column of the new type beside the old one, write both from the code, backfill, switch reads, and drop the old column in a later release.'
  },
  'new-code-breaks': { rule: 'new-code-breaks', breaks: ['new-code'], deployOrder: 'migrate-first' },
  'new-code-broken': {
    rule: 'new-code-broken',
    breaks: ['new-code'],
    alternative: "Make the models and the migrations agree: a field left out of the model only (SeparateDatabaseAndState) must be nullable or have a db_default in the database first; a renamed field keeps its column with db_column."
  },
  rewrite: { rule: 'table-rewrite', breaks: ['locks'] },
  irreversible: { rule: 'irreversible', breaks: [] },
  'reverse-error': { rule: 'reverse-failed', breaks: ['data'] },
  'reapply-error': { rule: 'reapply-failed', breaks: [] },
  'data-loss': { rule: 'data-loss', breaks: ['data'] },
  'reverse-data-loss': { rule: 'reverse-data-loss', breaks: ['data'] },
  'reverse-rewrite': {
    rule: 'reverse-table-rewrite',
    breaks: ['locks'],
    alternative: 'Plan the rollback as a new forward migration, or make the reverse a no-op where the old code works with the new column (a wider varchar, a nullable column).'
  },
  'reverse-scan': {
    rule: 'reverse-validates-by-scan',
    breaks: ['locks'],
    alternative: 'Make the reverse re-add the column as nullable (or with a db_default), or add the constraint NOT VALID and validate it separately.'
  },
  'schema-drift': { rule: 'reverse-schema-drift', breaks: [] },
  'blocking-lock': { rule: 'blocking-lock', breaks: ['locks'] },
  'running-code-waits': {
    rule: 'running-code-waits',
    breaks: ['locks'],
    alternative:
      'Keep each blocking lock short: no data migration in the same transaction as a schema change (split it into its own migration, or `atomic = False`), build indexes with AddIndexConcurrently, add constraints NOT VALID and validate them later, and set lock_timeout for migrations in production.'
  },
  'lock-wait': {
    rule: 'lock-wait',
    breaks: ['locks'],
    alternative: "Use the migration's own connection (`schema_editor.connection`) in RunPython; a second connection waits for the locks the migration's transaction holds."
  }
}

function factFinding(fact: Fact): Finding {
  const spec = FACT_RULES[fact.kind]
  const finding: Finding = {
    rule: spec.rule,
    severity: fact.severity,
    message: fact.kind === 'new-code-breaks' ? `${fact.summary}: run the migration before deploying the new code` : fact.summary,
    line: null,
    evidence: 'rehearsal',
    outcome: 'seen',
    basis: fact.basis,
    operationIndex: fact.operationIndex,
    breaks: spec.breaks,
    proof: fact.proof
  }
  if (spec.deployOrder) finding.deployOrder = spec.deployOrder
  if (spec.alternative) finding.safeAlternative = spec.alternative
  if (fact.productionCheck) finding.productionCheck = fact.productionCheck
  return finding
}

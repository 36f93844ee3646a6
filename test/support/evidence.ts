// The values the stages hand on, from a real run: the static review and the
// rules on a real git history, the rehearsal's evidence from the Python helper
// on a real Postgres. Tests that judge evidence again start from these, never
// from evidence written by hand.
import type { ReviewStages } from '../../src/review/run-review.js'
import type { Options } from '../../src/model/options.js'
import type { MigrationEvidence } from '../../src/model/evidence.js'
import type { RuleFinding } from '../../src/model/findings.js'
import type { Report } from '../../src/model/report.js'
import { factsOf, type Fact } from '../../src/verdict/facts.js'
import { rehearseScenario, type Scenario } from './rehearsal.js'

export interface Rehearsed {
  report: Report
  stages: ReviewStages
  /** The one migration's rule findings, evidence and facts. */
  rules: RuleFinding[]
  evidence: MigrationEvidence
  facts: Fact[]
}

export async function rehearsed(scenario: Scenario, options: Partial<Options> = {}, migration?: string): Promise<Rehearsed> {
  let stages: ReviewStages | null = null
  const { report } = await rehearseScenario(scenario, options, { onStages: (values) => (stages = values) })
  const captured = stages as ReviewStages | null
  if (captured === null || captured.evidence === null) throw new Error(`the rehearsal did not run: ${report.rehearsal.reason}`)
  const key = `shop.${migration ?? scenario.pr.at(-1)!.name}`
  const evidence = captured.evidence.migrations.get(key)!
  return {
    report,
    stages: captured,
    rules: captured.ruleFindings.get(key) ?? [],
    evidence,
    facts: factsOf(evidence, { lockTimeoutMs: options.lockTimeoutMs ?? 1000, baseTables: new Set(captured.evidence.baseTables) })
  }
}

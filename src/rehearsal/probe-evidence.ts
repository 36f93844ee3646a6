// A probe failure is evidence only when the same probe passes on the schema
// the code was written for (the control): otherwise it says something about
// our generated values, not about the migration.
import type { ModelProbe, ProbeOutcome } from '../model/helper.js'
import type { ProbeFailure } from '../model/report.js'

const KINDS = ['select', 'insert', 'update'] as const

/** `model:kind` of every probe that passed on the control schema. */
export function passingProbes(control: readonly ModelProbe[]): Set<string> {
  const passing = new Set<string>()
  for (const probe of control) for (const kind of KINDS) if (probe[kind].ok === true) passing.add(`${probe.model}:${kind}`)
  return passing
}

/** Probes that passed on the control and fail now. */
export function newFailures(results: readonly ModelProbe[], passingOnControl: ReadonlySet<string>): ProbeFailure[] {
  const failures: ProbeFailure[] = []
  for (const probe of results) {
    for (const kind of KINDS) {
      const outcome: ProbeOutcome = probe[kind]
      if (outcome.ok === false && passingOnControl.has(`${probe.model}:${kind}`)) {
        failures.push({ model: probe.model, table: probe.table, probe: kind, message: outcome.message ?? 'failed', sqlstate: outcome.sqlstate ?? null })
      }
    }
  }
  return failures
}

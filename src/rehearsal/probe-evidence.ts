// A probe failure is evidence only when the same probe passes on the schema
// the code was written for (the control): otherwise it says something about
// our generated values, not about the migration.
import type { ModelProbe, ProbeOutcome, RoundTrip } from '../model/helper.js'
import type { ProbeGap } from '../model/evidence.js'
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

/**
 * Probes that prove nothing: they did not pass on the control (the same code on the schema it was
 * written for), or could not run now. Only the models of `tables`.
 */
export function unansweredProbes(results: readonly ModelProbe[], control: readonly ModelProbe[], tables: ReadonlySet<string>): ProbeGap[] {
  const controls = new Map(control.map((probe) => [probe.model, probe]))
  const gaps: ProbeGap[] = []
  for (const probe of results) {
    if (!tables.has(probe.table)) continue
    for (const kind of KINDS) {
      const before = controls.get(probe.model)?.[kind]
      const now = probe[kind]
      if (before?.ok !== true) {
        const why =
          before === undefined
            ? 'the model was not probed on the schema the code was written for'
            : before.ok === false
              ? `it fails on the schema the code was written for too: ${headline(before.message ?? 'failed')}`
              : (before.reason ?? 'it could not run')
        gaps.push({ model: probe.model, table: probe.table, probe: kind, reason: why })
      } else if (now.ok === null) {
        gaps.push({ model: probe.model, table: probe.table, probe: kind, reason: now.reason ?? 'it could not run' })
      }
    }
  }
  return gaps
}

/** What the write-then-read did on the schema the code was written for. */
export interface RoundTripControl {
  /** Models whose round trip ran. */
  ran: Set<string>
  /** `model:field` that came back different even there (a field that never round-trips exactly). */
  mismatched: Set<string>
}

export function roundTripControl(control: readonly RoundTrip[]): RoundTripControl {
  const ran = new Set<string>()
  const mismatched = new Set<string>()
  for (const entry of control) {
    if (entry.ok === null) continue
    ran.add(entry.model)
    for (const mismatch of entry.mismatches) mismatched.add(`${entry.model}:${mismatch.field}`)
  }
  return { ran, mismatched }
}

/** Values that came back the same on the control and differ now, one failure per model. */
export function roundTripFailures(results: readonly RoundTrip[], control: RoundTripControl): ProbeFailure[] {
  const failures: ProbeFailure[] = []
  for (const entry of results) {
    if (!control.ran.has(entry.model)) continue
    const changed = entry.mismatches.filter((mismatch) => !control.mismatched.has(`${entry.model}:${mismatch.field}`))
    if (changed.length === 0) continue
    failures.push({
      model: entry.model,
      table: entry.table,
      probe: 'round-trip',
      message: changed.map((m) => `wrote ${m.wrote} to column "${m.column}" and read back ${m.read}`).join('; '),
      sqlstate: null
    })
  }
  return failures
}

/** A database error's first line: PostgreSQL's DETAIL repeats the whole failing row, seeded values and all. */
export function headline(message: string): string {
  return message.split('\n')[0]!.trim()
}

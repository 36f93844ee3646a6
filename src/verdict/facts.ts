// The rehearsal's evidence about one migration as a list of facts, each tied
// to an operation (or a model/table) and carrying its proof in words.
import type { HelperRun, HelperStatement } from '../model/helper.js'
import type { MigrationEvidence } from '../model/evidence.js'
import type { ProbeFailure } from '../model/report.js'
import type { ProofKind } from '../model/findings.js'

export interface Fact {
  kind: ProofKind | 'reapply-error' | 'statement-timeout' | 'lock-timeout'
  operationIndex: number | null
  /** Lowercase `app.model` or table the fact is about, when it is about one. */
  model: string | null
  table: string | null
  summary: string
  proof: string[]
}

const BLOCKING_MODES = new Set(['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'])

export function factsOf(evidence: MigrationEvidence, lockTimeoutMs: number): Fact[] {
  const facts: Fact[] = []
  const forward = evidence.forward
  if (forward?.error) facts.push(errorFact(forward, 'apply', lockTimeoutMs))
  for (const statement of forward?.statements ?? []) {
    if (statement.rewrite.length > 0) {
      facts.push({
        kind: 'rewrite',
        operationIndex: statement.operationIndex,
        model: null,
        table: statement.rewrite[0]!,
        summary: `rewrote ${statement.rewrite.join(', ')} in ${formatMs(statement.ms)}`,
        proof: [`\`${oneLine(statement.sql)}\` rewrote ${statement.rewrite.join(', ')} holding ${lockList(statement)}`]
      })
    }
    const blocking = statement.locks.filter((lock) => BLOCKING_MODES.has(lock.mode))
    if (blocking.length > 0 && !statement.error) {
      facts.push({
        kind: 'blocking-lock',
        operationIndex: statement.operationIndex,
        model: null,
        table: blocking[0]!.relation,
        summary: `held ${lockList(statement)}`,
        proof: [`\`${oneLine(statement.sql)}\` held ${lockList(statement)}`]
      })
    }
  }
  facts.push(...probeFacts('old-code-breaks', evidence.oldCodeFailures))
  facts.push(...probeFacts('new-code-breaks', evidence.newCodeFailures))
  const reverse = evidence.reverse
  if (reverse?.error) {
    if (reverse.error.exception === 'IrreversibleError') {
      facts.push({
        kind: 'irreversible',
        operationIndex: reverse.error.operationIndex,
        model: null,
        table: null,
        summary: 'cannot be reversed (IrreversibleError)',
        proof: [`migrate back: ${firstLine(reverse.error.message)}`]
      })
    } else facts.push(errorFact(reverse, 'reverse', lockTimeoutMs))
  }
  if (evidence.reapply?.error) {
    const fact = errorFact(evidence.reapply, 'reapply', lockTimeoutMs)
    facts.push({ ...fact, kind: 'reapply-error' })
  }
  for (const loss of evidence.dataLoss) {
    const what = loss.column === null ? `${loss.rowsLost} row${loss.rowsLost === 1 ? '' : 's'} of ${loss.table}` : `${loss.valuesChanged} value${loss.valuesChanged === 1 ? '' : 's'} of ${loss.table}.${loss.column}`
    facts.push({
      kind: 'data-loss',
      operationIndex: null,
      model: null,
      table: loss.table,
      summary: loss.when === 'forward' ? `drops ${what}` : `rolling back does not restore ${what}`,
      proof: [loss.when === 'forward' ? `forward: ${what} gone` : `after migrate and reverse: ${what} lost or changed`]
    })
  }
  return facts
}

/** Probe failures grouped by model: one fact per model the old (or new) code breaks on. */
function probeFacts(kind: 'old-code-breaks' | 'new-code-breaks', failures: readonly ProbeFailure[]): Fact[] {
  const byModel = new Map<string, ProbeFailure[]>()
  for (const failure of failures) byModel.set(failure.model, [...(byModel.get(failure.model) ?? []), failure])
  const old = kind === 'old-code-breaks'
  return [...byModel].map(([model, list]) => ({
    kind,
    operationIndex: null,
    model: model.toLowerCase(),
    table: list[0]!.table,
    summary: `the ${old ? 'base' : 'new'} code's ${list.map((f) => f.probe.toUpperCase()).join('/')} on ${model} fails${old ? '' : ' on the old schema'}: ${firstLine(list[0]!.message)}`,
    proof: list.map(
      (f) => `${old ? 'old' : 'new'} code ${f.probe.toUpperCase()} on ${model}${old ? '' : ' (old schema)'}: ${firstLine(f.message)}${old && f.sqlstate ? ` (SQLSTATE ${f.sqlstate})` : ''}`
    )
  }))
}

function errorFact(run: HelperRun, phase: 'apply' | 'reverse' | 'reapply', lockTimeoutMs: number): Fact {
  const error = run.error!
  const kind: Fact['kind'] =
    error.sqlstate === '55P03' ? 'lock-timeout' : error.sqlstate === '57014' ? 'statement-timeout' : phase === 'reverse' ? 'reverse-error' : 'apply-error'
  const what = phase === 'apply' ? 'does not apply on the seeded data' : phase === 'reverse' ? 'cannot be reversed on the seeded data' : 'does not apply a second time after its reverse'
  const summary =
    kind === 'lock-timeout'
      ? `waited more than lock_timeout (${lockTimeoutMs} ms) for a lock and gave up`
      : kind === 'statement-timeout'
        ? 'ran past statement_timeout and was cancelled'
        : `${what}: ${firstLine(error.message)}`
  const proof = [`${error.exception}: ${firstLine(error.message)}${error.sqlstate ? ` (SQLSTATE ${error.sqlstate})` : ''}`]
  if (error.statement) proof.push(`statement: \`${oneLine(error.statement)}\`${error.params?.length ? ` with ${error.params.join(', ')}` : ''}`)
  return { kind, operationIndex: error.operationIndex, model: null, table: null, summary, proof }
}

export function lockList(statement: HelperStatement): string {
  return statement.locks.map((lock) => `${lock.mode} on ${lock.relation}`).join(', ') || 'no locks'
}

export function oneLine(sql: string, max = 160): string {
  const flat = sql.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

export function firstLine(message: string): string {
  return message.split('\n')[0]!.trim()
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

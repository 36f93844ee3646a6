// The rehearsal's evidence about one migration as facts: each tied to an
// operation (or a model or table), with its proof in words, how bad it is on
// its own, whether it is certain or depends on data production may not have,
// and the data it rests on.
import type { MigrationEvidence } from '../model/evidence.js'
import type { ProofKind } from '../model/findings.js'
import type { HelperRun } from '../model/helper.js'
import type { Basis, Contention, ContentionWait, DataLossEntry, ProbeFailure, ProductionCheck, ProductionSizes, Severity } from '../model/report.js'
import { formatDuration } from '../model/durations.js'
import { estimatePhrase, tooLong, type Estimates } from './estimates.js'
import { BLOCKING_MODES, heldDuring, lockList, lockName } from './locks.js'

export type FactKind =
  | ProofKind
  | 'reapply-error'
  | 'new-code-broken'
  | 'statement-timeout'
  | 'lock-timeout'
  | 'reverse-rewrite'
  | 'reverse-scan'
  | 'schema-drift'
  | 'running-code-waits'
  | 'lock-wait'

export interface Fact {
  kind: FactKind
  operationIndex: number | null
  /** Lowercase `app.model` or table the fact is about, when it is about one. */
  model: string | null
  table: string | null
  summary: string
  proof: string[]
  /** How bad the fact is on its own. */
  severity: Severity
  /** data-dependent: it happened on rows the seeder made up, and production may have none such. */
  certainty: 'certain' | 'data-dependent'
  basis: Basis
  sqlstate?: string | null
  productionCheck?: ProductionCheck
  /** What production's size makes of it, as the end of "In the rehearsal it …" (with `table-stats`). */
  atScale?: string
}

// Statements that check every row while holding their lock: a NOT NULL set on a column, a new constraint,
// a unique index. Not ADD COLUMN ... NOT NULL: with a constant DEFAULT it is a catalog change (PostgreSQL
// 11+), with a volatile one a rewrite (reported as such), and without one it fails on any row at once.
const SCANS = /\bSET\s+NOT\s+NULL\b|\bADD\s+CONSTRAINT\b[^;]*\b(CHECK|FOREIGN\s+KEY|UNIQUE)\b(?![^;]*\bNOT\s+VALID\b)|\bCREATE\s+UNIQUE\s+INDEX\b(?![^;]*\bCONCURRENTLY\b)|\bVALIDATE\s+CONSTRAINT\b/i

export interface FactContext {
  lockTimeoutMs: number
  /** Tables the base branch has: a rewrite of a table this PR creates costs nothing. */
  baseTables: ReadonlySet<string>
  /** How long the running code may wait behind a lock (`max-lock-hold`). */
  maxLockHoldMs?: number
  /** With `table-stats`: the forward and reverse runs' statements on production's sizes. */
  sizes?: { production: ProductionSizes; forward: Estimates; reverse: Estimates }
}

export function factsOf(evidence: MigrationEvidence, context: FactContext): Fact[] {
  const facts: Fact[] = []
  const basis = evidence.basis
  const first = evidence.firstRun
  if (first?.error) facts.push(applyFact(evidence, first, context))
  const forward = evidence.status === 'applied' ? evidence.forward : null
  for (const [index, statement] of (forward?.statements ?? []).entries()) {
    // A statement runs under every lock its transaction holds so far, not only those it took.
    const held = heldDuring(forward!.statements, index)
    const rewritten = statement.rewrite.filter((relation) => isBaseRelation(relation, context))
    const estimate = context.sizes?.forward.get(index)
    const long = tooLong(estimate, context.sizes?.production)
    const scaled = estimate ? [`production's size: ${estimatePhrase(estimate)} (${estimate.basis})`] : []
    if (rewritten.length > 0) {
      const summary = `rewrote ${rewritten.join(', ')} in ${formatDuration(statement.ms)}${estimate ? ` on the seeded rows; ${estimatePhrase(estimate)}` : ''}`
      const rewrite = fact('rewrite', statement.operationIndex, rewritten[0]!, summary, [
        `\`${oneLine(statement.sql)}\` rewrote ${rewritten.join(', ')} holding ${lockList(held)}`,
        ...scaled
      ], long ? 'unsafe' : 'warning', basis)
      facts.push(long ? { ...rewrite, atScale: summary } : rewrite)
    }
    const blocking = held.filter((lock) => BLOCKING_MODES.has(lock.mode))
    if (blocking.length > 0 && !statement.error) {
      // A scan or an index build under a blocking lock, long on production's table: unsafe on its own.
      const slow = long && rewritten.length === 0
      const atScale = slow ? `reads every row ${estimatePhrase(estimate!)}` : undefined
      const summary = atScale ? `\`${oneLine(statement.sql, 80)}\` ${atScale}` : `held ${lockList(held)}`
      const lock = fact('blocking-lock', statement.operationIndex, blocking[0]!.relation, summary, [`\`${oneLine(statement.sql)}\` ran holding ${lockList(held)}`, ...(rewritten.length === 0 ? scaled : [])], slow ? 'unsafe' : 'info', basis)
      facts.push(atScale ? { ...lock, atScale } : lock)
    }
  }
  if (forward && evidence.contention) facts.push(...contentionFacts(evidence.contention, forward, 'forward', context, basis))
  facts.push(...probeFacts('old-code-breaks', evidence.oldCode.failures.filter((f) => f.probe !== 'round-trip'), basis))
  facts.push(...probeFacts('round-trip', evidence.oldCode.failures.filter((f) => f.probe === 'round-trip'), basis))
  facts.push(...probeFacts('new-code-breaks', evidence.newCode.failures, basis))
  for (const fact of probeFacts('new-code-breaks', evidence.newCode.broken, basis)) {
    facts.push({
      ...fact,
      kind: 'new-code-broken',
      severity: 'unsafe',
      summary: fact.summary.replace(' on the old schema', ' on the schema its own migrations leave').replace(/^the new code's/, "the new code's own"),
      proof: fact.proof.map((line) => line.replace(' (old schema)', ' (new schema)'))
    })
  }

  const reverse = evidence.reverse
  if (reverse?.error) {
    if (reverse.error.exception === 'IrreversibleError') {
      facts.push(fact('irreversible', reverse.error.operationIndex, null, 'cannot be reversed (IrreversibleError)', [`migrate back: ${firstLine(reverse.error.message)}`], 'warning', basis))
    } else facts.push(errorFact(reverse, 'reverse', context, basis))
  }
  const reverseStatements = reverse?.error ? [] : (reverse?.statements ?? [])
  for (const [index, statement] of reverseStatements.entries()) {
    const held = heldDuring(reverseStatements, index)
    const rewritten = statement.rewrite.filter((relation) => isBaseRelation(relation, context))
    const estimate = context.sizes?.reverse.get(index)
    const scaled = estimate ? [`production's size: ${estimatePhrase(estimate)} (${estimate.basis})`] : []
    if (rewritten.length > 0) {
      facts.push(fact('reverse-rewrite', statement.operationIndex, rewritten[0]!, `rolling it back rewrites ${rewritten.join(', ')} (${formatDuration(statement.ms)} on the seeded rows${estimate ? `; ${estimatePhrase(estimate)}` : ''})`, [
        `reverse: \`${oneLine(statement.sql)}\` rewrote ${rewritten.join(', ')} holding ${lockList(held)}`,
        ...scaled
      ], 'warning', basis))
    } else if (SCANS.test(statement.sql)) {
      const strong = held.filter((lock) => BLOCKING_MODES.has(lock.mode) && isBaseRelation(lock.relation, context))
      if (strong.length > 0) {
        facts.push(fact('reverse-scan', statement.operationIndex, strong[0]!.relation, `rolling it back checks every row of ${strong[0]!.relation} while holding ${lockName(strong[0]!.mode)}${estimate ? ` (${estimatePhrase(estimate)})` : ''}`, [
          `reverse: \`${oneLine(statement.sql)}\` ran holding ${lockList(held)}`,
          ...scaled
        ], 'warning', basis))
      }
    }
  }
  if (reverse && !reverse.error && evidence.reverseContention) facts.push(...contentionFacts(evidence.reverseContention, reverse, 'reverse', context, basis))
  facts.push(...lockWaitFacts(evidence, context, basis))
  const rollback = evidence.rollback
  if (rollback?.error && !reverse?.error) {
    const fact = errorFact(rollback, 'reverse', context, basis)
    facts.push({ ...fact, summary: `rolling back the whole pull request stops here, once its later migrations have run: ${firstLine(rollback.error.message)}` })
  }
  if (evidence.reapply?.error) facts.push({ ...errorFact(evidence.reapply, 'reapply', context, basis), kind: 'reapply-error' })
  for (const loss of evidence.dataLoss) facts.push(lossFact(loss, basis))
  for (const difference of evidence.schemaDrift) {
    facts.push(fact('schema-drift', null, difference.table, `after migrating forward and back, the schema differs from before it: ${difference.message}`, [], 'warning', basis))
  }
  return facts
}

/** The running code's queries that waited past the budget behind the run's locks: reads blocked are unsafe. */
function contentionFacts(contention: Contention, run: HelperRun, phase: 'forward' | 'reverse', context: FactContext, basis: Basis): Fact[] {
  const budget = context.maxLockHoldMs ?? 1000
  const long = contention.blocked.filter((wait) => wait.timedOut || wait.waitedMs >= budget)
  if (long.length === 0) return []
  const worst = long[0]!
  const reads = long.some((wait) => wait.query.startsWith('SELECT'))
  const taker = run.statements.find((statement) => statement.locks.some((lock) => lock.relation === worst.table && lock.mode === worst.lock))
  const waited = (wait: ContentionWait) => (wait.timedOut ? `more than ${budget} ms and gave up (lock_timeout)` : `${formatDuration(wait.waitedMs)}`)
  const summary = `${phase === 'reverse' ? 'rolling it back, ' : ''}the running code's ${reads ? 'reads' : 'writes'} of ${worst.table} waited ${worst.timedOut ? `over ${budget} ms` : formatDuration(worst.waitedMs)} behind its ${worst.lock ? lockName(worst.lock) : 'blocking'} lock`
  const proof = long.map((wait) => `${phase === 'reverse' ? 'reverse: ' : ''}\`${wait.query}\` waited ${waited(wait)} behind ${wait.lock ? lockName(wait.lock) : 'a blocking lock'} on ${wait.table}`)
  if (taker) proof.push(`the lock was taken by \`${oneLine(taker.sql)}\`${taker.inTransaction ? ' and held to the COMMIT' : ''}, on the seeded rows`)
  return [fact('running-code-waits', taker?.operationIndex ?? null, worst.table, summary, proof, reads && phase === 'forward' ? 'unsafe' : 'warning', basis)]
}

/** The migration's own statements that waited for a lock another session held: who held it. */
function lockWaitFacts(evidence: MigrationEvidence, context: FactContext, basis: Basis): Fact[] {
  const budget = context.maxLockHoldMs ?? 1000
  const runs = [evidence.firstRun, evidence.forward, evidence.reverse].filter((run): run is HelperRun => run !== null)
  const timedOut = runs.some((run) => run.error?.sqlstate === '55P03')
  const statements = runs.flatMap((run) => run.statements)
  return evidence.lockWaits
    .filter((wait) => timedOut || wait.waitedMs >= budget)
    .slice(0, 3)
    .map((wait) => {
      // The migration's own statement that took a lock on the table is what holds it; a session's last query may be a later one.
      const taker = wait.relation === null ? undefined : statements.find((statement) => statement.locks.some((lock) => lock.relation === wait.relation))
      const sessions = wait.holders.map((holder) => `pid ${holder.pid}${holder.state ? `, ${holder.state}` : ''}`).join('; ')
      const holders = taker
        ? `the migration's own transaction, which took it with \`${oneLine(taker.sql)}\` (${sessions})`
        : wait.holders.map((holder) => `\`${oneLine(holder.query || '(no query yet)')}\` (pid ${holder.pid}${holder.state ? `, ${holder.state}` : ''})`).join(', ')
      return fact('lock-wait', taker?.operationIndex ?? null, wait.relation, `a statement of the migration waited ${formatDuration(wait.waitedMs)} or more for a lock${wait.relation ? ` on ${wait.relation}` : ''} held by another session of the same run: ${holders}`, [
        `\`${oneLine(wait.query)}\` waited for ${holders}`,
        'a data migration that opens a second connection waits for its own migration\'s locks until lock_timeout, in production too'
      ], timedOut ? 'unsafe' : 'warning', basis)
    })
}

function fact(kind: FactKind, operationIndex: number | null, table: string | null, summary: string, proof: string[], severity: Severity, basis: Basis): Fact {
  return { kind, operationIndex, model: null, table, summary, proof, severity, certainty: 'certain', basis }
}

function isBaseRelation(relation: string, context: FactContext): boolean {
  // An index's name starts with its table's; a relation of a table the PR creates is not the base's.
  return [...context.baseTables].some((table) => relation === table || relation.startsWith(`${table}_`))
}

/** The first run's failure, and whether it is certain or only the seeder's rows caused it. */
function applyFact(evidence: MigrationEvidence, first: HelperRun, context: FactContext): Fact {
  const base = errorFact(first, 'apply', context, evidence.firstBasis)
  if (base.kind !== 'apply-error') return base
  const repairs = evidence.repairs
  const last = repairs.at(-1)
  if (evidence.status !== 'applied' || last === undefined) return base
  const proof = [
    ...base.proof,
    ...repairs.map(
      (repair) =>
        `the rehearsal ${repair.kind === 'empty-tables' ? `emptied ${repair.tables.join(', ')}${repair.rows ? ` (${repair.rows} row${repair.rows === 1 ? '' : 's'})` : ''}` : `repaired ${repair.rows} row${repair.rows === 1 ? '' : 's'} (${repairLabel(repair.kind)}${repair.table ? ` in ${repair.table}` : ''})`} and ran it again: ${repair === last ? 'it applied' : 'it failed again'}`
    )
  ]
  const everyRow = last.kind === 'empty-tables' || (last.offendingRows !== null && last.tableRows !== null && last.tableRows > 0 && last.offendingRows >= last.tableRows)
  if (everyRow) {
    return { ...base, proof: [...proof, 'every row of the table had the problem: it fails on any table with rows'] }
  }
  if (!repairs.every((repair) => repair.syntheticOnly)) {
    return { ...base, proof: [...proof, "rows of the team's own seed had the problem"] }
  }
  const check = repairs.find((repair) => repair.productionCheck !== null)
  return {
    ...base,
    severity: 'warning',
    certainty: 'data-dependent',
    summary: `fails on rows the seeder made up${last.offendingRows !== null ? ` (${last.offendingRows} of them)` : ''}: ${firstLine(first.error!.message)}`,
    proof,
    ...(check?.productionCheck
      ? { productionCheck: { sql: check.productionCheck.sql, meaning: check.productionCheck.meaning, seededRows: check.offendingRows ?? check.rows } }
      : {})
  }
}

function repairLabel(kind: MigrationEvidence['repairs'][number]['kind']): string {
  switch (kind) {
    case 'not-null':
      return 'NULLs removed'
    case 'unique':
      return 'duplicates removed'
    case 'too-long':
      return 'values shortened'
    case 'check':
      return 'rows breaking the check removed'
    case 'foreign-key':
      return 'rows pointing nowhere removed'
    case 'ordinary-rows':
      return 'only the ordinary rows kept'
    case 'empty-tables':
      return 'tables emptied'
  }
}

function lossFact(loss: DataLossEntry, basis: Basis): Fact {
  const what =
    loss.column === null
      ? `${loss.rowsLost} row${loss.rowsLost === 1 ? '' : 's'} of ${loss.table}`
      : `${loss.valuesChanged} value${loss.valuesChanged === 1 ? '' : 's'} of ${loss.table}.${loss.column}`
  const forward = loss.when === 'forward'
  return {
    kind: forward ? 'data-loss' : 'reverse-data-loss',
    operationIndex: loss.operationIndex ?? null,
    model: null,
    table: loss.table,
    summary: forward ? `drops ${what}` : `rolling it back does not restore ${what}`,
    proof: [forward ? `forward: ${what} gone` : `after migrating forward and back: ${what} lost or changed`],
    severity: 'warning',
    certainty: 'certain',
    basis
  }
}

/** Probe failures grouped by model: one fact per model the code breaks on. */
function probeFacts(kind: 'old-code-breaks' | 'new-code-breaks' | 'round-trip', failures: readonly ProbeFailure[], basis: Basis): Fact[] {
  const groups = new Map<string, ProbeFailure[]>()
  for (const failure of failures) {
    const id = `${failure.model}\0${failure.operationIndex ?? ''}`
    groups.set(id, [...(groups.get(id) ?? []), failure])
  }
  const old = kind !== 'new-code-breaks'
  return [...groups.values()].map((list) => {
    const model = list[0]!.model
    // The old code writing a value that repeats, now that a unique constraint exists: only when its users do.
    const repeats = old && list.every((failure) => failure.sqlstate === '23505')
    const summary =
      kind === 'round-trip'
        ? `the base code reads back values of ${model} it did not write: ${firstLine(list[0]!.message)}`
        : `the ${old ? 'base' : 'new'} code's ${list.map((f) => f.probe.toUpperCase()).join('/')} on ${model} fails${old ? '' : ' on the old schema'}: ${firstLine(list[0]!.message)}`
    return {
      kind,
      operationIndex: list[0]!.operationIndex ?? null,
      model: model.toLowerCase(),
      table: list[0]!.table,
      summary,
      proof: list.map((f) =>
        f.probe === 'round-trip'
          ? `old code wrote a ${model} and read it back: ${f.message}`
          : `${old ? 'old' : 'new'} code ${f.probe.toUpperCase()} on ${model}${old ? '' : ' (old schema)'}: ${firstLine(f.message)}${old && f.sqlstate ? ` (SQLSTATE ${f.sqlstate})` : ''}`
      ),
      severity: kind === 'new-code-breaks' ? 'info' : repeats ? 'warning' : 'unsafe',
      certainty: repeats ? 'data-dependent' : 'certain',
      basis,
      sqlstate: list[0]!.sqlstate
    } satisfies Fact
  })
}

function errorFact(run: HelperRun, phase: 'apply' | 'reverse' | 'reapply', context: FactContext, basis: Basis): Fact {
  const error = run.error!
  const kind: FactKind =
    error.sqlstate === '55P03' ? 'lock-timeout' : error.sqlstate === '57014' ? 'statement-timeout' : phase === 'reverse' ? 'reverse-error' : 'apply-error'
  const what =
    phase === 'apply'
      ? 'does not apply on the seeded data'
      : phase === 'reverse'
        ? 'cannot be reversed on the rows as the new code leaves them'
        : 'does not apply a second time after its reverse'
  const summary =
    kind === 'lock-timeout'
      ? `waited more than lock_timeout (${context.lockTimeoutMs} ms) for a lock and gave up`
      : kind === 'statement-timeout'
        ? 'ran past statement_timeout and was cancelled'
        : `${what}: ${firstLine(error.message)}`
  const proof = [`${error.exception}: ${firstLine(error.message)}${error.sqlstate ? ` (SQLSTATE ${error.sqlstate})` : ''}`]
  if (error.statement) proof.push(`statement: \`${oneLine(error.statement)}\`${error.params?.length ? ` with ${error.params.join(', ')}` : ''}`)
  const severity: Severity = phase === 'apply' ? 'unsafe' : 'warning'
  return { kind, operationIndex: error.operationIndex, model: null, table: null, summary, proof, severity, certainty: 'certain', basis, sqlstate: error.sqlstate }
}

export function oneLine(sql: string, max = 160): string {
  const flat = sql.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

export function firstLine(message: string): string {
  return message.split('\n')[0]!.trim()
}

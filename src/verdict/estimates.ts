// How long a migration's statements would take on production's tables: each
// rewrite, full scan and index build of a table `table-stats` sizes, at the
// speed this runner measured for that kind of work, scaled to the table's
// bytes. The seeded rows cannot tell a 40-row table from a 40-million-row one;
// these can, roughly (a runner with the table in cache is faster than a
// production disk, so the figures lean low).
import type { HelperRun, HelperStatement } from '../model/helper.js'
import type { LockHold, ProductionSizes, SizeEstimate, TableSizes, WorkKind } from '../model/report.js'
import { formatDuration } from '../model/durations.js'
import { BLOCKING_MODES, heldDuring, lockName } from './locks.js'

/** Estimates by statement index. */
export type Estimates = ReadonlyMap<number, SizeEstimate>

const INDEX_BUILD = /^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY\b)[^;]*?\bON\s+(?:ONLY\s+)?("[^"]+"|[\w.]+)/i
const ALTER_TABLE = /^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?("[^"]+"|[\w.]+)/i
// A UNIQUE constraint builds its index; the others read every row to validate.
const ADDS_UNIQUE = /\bADD\s+CONSTRAINT\b[^;]*\bUNIQUE\b/i
const SCANS = /\bSET\s+NOT\s+NULL\b|\bADD\s+CONSTRAINT\b[^;]*\b(CHECK|FOREIGN\s+KEY)\b(?![^;]*\bNOT\s+VALID\b)|\bVALIDATE\s+CONSTRAINT\b/i

const ORDER = [...BLOCKING_MODES]

export function estimateRun(run: HelperRun, sizes: TableSizes, production: ProductionSizes): Estimates {
  const estimates = new Map<number, SizeEstimate>()
  run.statements.forEach((statement, index) => {
    if (statement.error) return
    const work = workOf(statement, sizes)
    const throughput = work && production.throughput.find((entry) => entry.kind === work.kind)
    if (!work || !throughput) return
    const size = sizes.get(work.table)!
    const bytes = work.kind === 'rewrite' ? size.bytes + size.indexBytes : size.bytes
    const held = heldDuring(run.statements, index).filter((lock) => lock.relation === work.table && BLOCKING_MODES.has(lock.mode))
    const lock = held.map((entry) => entry.mode).sort((a, b) => ORDER.indexOf(b) - ORDER.indexOf(a))[0] ?? null
    estimates.set(index, {
      statement: index,
      table: work.table,
      kind: work.kind,
      rows: size.rows,
      bytes,
      seededMs: statement.ms,
      estimatedMs: Math.round(bytes / Math.max(1, throughput.bytesPerMs)),
      lock,
      basis: `${WORDS[work.kind]} at ${formatBytes(throughput.bytesPerMs * 1000)}/s, measured on this runner (${formatBytes(throughput.sampleBytes)} in ${throughput.sampleMs} ms), scaled to ${formatBytes(bytes)}${work.kind === 'rewrite' ? ' of table and indexes' : ''}`
    })
  })
  return estimates
}

/** A hold on production's sizes: its seeded time with each estimated statement inside it replaced by its estimate. */
export function estimatedHold(hold: LockHold, run: HelperRun, estimates: Estimates): number | null {
  const taken = run.statements[hold.statement]
  if (!taken) return null
  let extra = 0
  let any = false
  run.statements.forEach((statement, index) => {
    const estimate = estimates.get(index)
    if (!estimate || statement.startMs < taken.startMs || statement.startMs > taken.heldUntilMs) return
    any = true
    extra += Math.max(0, estimate.estimatedMs - statement.ms)
  })
  return any ? Math.round(hold.heldMs + extra) : null
}

/** Whether an estimate is a blocking lock held past the budget. */
export function tooLong(estimate: SizeEstimate | undefined, production: ProductionSizes | undefined): boolean {
  return estimate !== undefined && production !== undefined && estimate.lock !== null && estimate.estimatedMs >= production.maxLockHoldMs
}

/** One phrase: "on production's 40,000,000 rows of shop_book (12 GB), about 2 min under ACCESS EXCLUSIVE". */
export function estimatePhrase(estimate: SizeEstimate): string {
  return `on production's ${estimate.rows.toLocaleString('en-US')} rows of ${estimate.table} (${formatBytes(estimate.bytes)}), about ${formatDuration(estimate.estimatedMs)}${estimate.lock ? ` under ${lockName(estimate.lock)}` : ''}`
}

const WORDS: Record<WorkKind, string> = { rewrite: 'a rewrite', scan: 'a full scan', 'index-build': 'an index build' }

function workOf(statement: HelperStatement, sizes: TableSizes): { kind: WorkKind; table: string } | null {
  const rewritten = statement.rewrite.filter((relation) => sizes.has(relation))
  if (rewritten.length > 0) {
    // The biggest table it rewrote: the one production waits for.
    const table = rewritten.sort((a, b) => sizes.get(b)!.bytes - sizes.get(a)!.bytes)[0]!
    return { kind: 'rewrite', table }
  }
  const index = INDEX_BUILD.exec(statement.sql)
  if (index) return known({ kind: 'index-build', table: unquote(index[1]!) }, sizes)
  const alter = ALTER_TABLE.exec(statement.sql)
  if (alter && ADDS_UNIQUE.test(statement.sql)) return known({ kind: 'index-build', table: unquote(alter[1]!) }, sizes)
  if (alter && SCANS.test(statement.sql)) return known({ kind: 'scan', table: unquote(alter[1]!) }, sizes)
  return null
}

function known(work: { kind: WorkKind; table: string }, sizes: TableSizes): { kind: WorkKind; table: string } | null {
  return sizes.has(work.table) ? work : null
}

function unquote(name: string): string {
  const bare = name.replace(/"/g, '')
  return bare.includes('.') ? bare.slice(bare.lastIndexOf('.') + 1) : bare
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return unit === 0 ? `${Math.round(value)} bytes` : `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`
}

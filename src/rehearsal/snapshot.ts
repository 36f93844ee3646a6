// A data snapshot of every table (row count, a checksum per column, and the
// rows themselves as text keyed by primary key, up to a cap), and the
// comparison of two snapshots: rows gone, values changed or nulled, columns
// and tables that vanished with what they held.
import type pg from 'pg'
import { qualifiedName, quoteIdent, readCatalog, type Catalog } from '../seed/catalog.js'

/** Rows read per table by default (`sample-rows`); a larger table is sampled. */
export const SNAPSHOT_ROW_CAP = 5000
const IGNORED_TABLES = new Set(['django_migrations'])
/** Examples kept per column and lost keys per table, for the report. */
const EXAMPLES = 5
const LOST_KEYS = 20

export interface ColumnSnapshot {
  name: string
  /** `format_type`, e.g. `character varying(100)`. */
  dataType: string
  /** md5 of the column's text values (NULL marked as such) in primary-key order; in value order when the table has no primary key. */
  checksum: string
  /** Rows where the column is not NULL. */
  nonNull: number
}

export interface TableSnapshot {
  table: string
  /** Primary key columns; null when the table has none. */
  primaryKey: string[] | null
  rowCount: number
  columns: ColumnSnapshot[]
  /**
   * Every row's values as text, in `columns` order, keyed by the JSON array of
   * its primary-key values; for a table past the sample size, a sample of
   * them (`sample`). Null when the table has no primary key (`rowsOmitted`).
   */
  rows: Map<string, Array<string | null>> | null
  /** `sampled`: `rows` holds the rows of one bucket of primary-key hashes (`sample`), not all of them. */
  rowsOmitted?: 'no-primary-key' | 'over-cap' | 'sampled'
  /** Which rows `rows` holds: those whose primary-key hash has its low `bits` bits 0 (all of them for 0), and each row's hash. */
  sample?: { bits: number; hashes: Map<string, number> }
}

export interface DataSnapshot {
  schema: string
  tables: Map<string, TableSnapshot>
}

export interface ColumnComparison {
  column: string
  /** The column is gone (its table is still there) and no new column holds its values. */
  vanished: boolean
  /** The column's exact values are now under this name (a RenameField). */
  renamedTo?: string
  nonNullBefore: number
  /**
   * Rows still present whose value is different now (a NULL filled in counts,
   * as does a value nulled). Counted only when the table's comparison is
   * `complete`; otherwise 0, and `checksumChanged` is the only signal.
   */
  valuesChanged: number
  /** The column's checksum differs (rows added or removed change it too). */
  checksumChanged: boolean
  typeBefore: string
  typeAfter: string | null
  /** A few changed values: primary key, before, after. */
  examples: Array<{ key: string[]; before: string; after: string | null }>
}

export interface TableComparison {
  table: string
  /** The table is gone and no new table holds its data. */
  vanished: boolean
  /** The table's exact data is now under this name (a RenameModel). */
  renamedTo?: string
  rowsBefore: number
  rowsAfter: number
  /** Primary keys present before and gone now (when incomplete: at least rowsBefore - rowsAfter). */
  rowsLost: number
  /** Some of the lost rows' primary keys. */
  lostKeys: string[][]
  /** Whether rows were compared one by one (primary key on both sides, same key columns, under the cap). */
  complete: boolean
  /** Why the comparison is not complete. */
  reason?: string
  columns: ColumnComparison[]
}

export interface DataComparison {
  tables: TableComparison[]
  /** Every table compared row by row. */
  complete: boolean
  /** Totals over all tables: rows lost (incl. vanished tables) and values changed (incl. vanished columns' values). */
  rowsLost: number
  valuesChanged: number
}

/**
 * Reads every table's data of `catalog` (read from the database when not
 * given), or only the tables in `only`; skips django_migrations. A table of
 * more than `sampleRows` rows (default SNAPSHOT_ROW_CAP) is sampled: its
 * counts are exact, its checksums cover its first `sampleRows` rows, and the
 * rows kept are those whose primary key hashes into a 1-in-2^k bucket, the
 * same rows whichever snapshot reads them, so two snapshots still compare row
 * by row on what both sampled. Memory stays bounded by `sampleRows` per table.
 *
 * The queries go out a batch of tables at a time, one round trip for their
 * counts and checksums and one for their rows: a project of 200 tables would
 * otherwise wait on 400 round trips after every migration.
 */
export async function takeSnapshot(
  client: pg.ClientBase,
  options: { catalog?: Catalog; only?: ReadonlySet<string>; sampleRows?: number } = {}
): Promise<DataSnapshot> {
  const source = options.catalog ?? (await readCatalog(client))
  const sampleRows = Math.max(1, options.sampleRows ?? SNAPSHOT_ROW_CAP)
  const tables = new Map<string, TableSnapshot>()
  const read = source.tables.filter((table) => !IGNORED_TABLES.has(table.name) && (options.only === undefined || options.only.has(table.name)))
  for (let at = 0; at < read.length; at += TABLES_PER_BATCH) {
    const batch = read.slice(at, at + TABLES_PER_BATCH).map((table) => planTable(table, sampleRows))
    const summaries = await queryBatch<Record<string, string>>(client, batch.map((plan) => plan.summary))
    const snapshots = batch.map((plan, i) => summarize(plan, summaries[i]!.rows[0]!))
    const withRows = batch.map((plan, i) => ({ plan, snapshot: snapshots[i]! })).filter(({ plan }) => plan.pk !== null && plan.columns.length > 0)
    const bitsOf = (snapshot: TableSnapshot): number => (snapshot.rowCount > sampleRows ? Math.ceil(Math.log2(snapshot.rowCount / sampleRows)) : 0)
    const rows = await queryBatch<Array<string | null>>(
      client,
      withRows.map(({ plan, snapshot }) => rowsQuery(plan, bitsOf(snapshot), sampleRows)),
      'array'
    )
    withRows.forEach(({ plan, snapshot }, i) => keepRows(snapshot, plan, rows[i]!.rows, bitsOf(snapshot), sampleRows))
    for (const snapshot of snapshots) tables.set(snapshot.table, snapshot)
  }
  return { schema: source.schema, tables }
}

/** Tables whose queries share one round trip: few enough that their rows, read at once, stay small. */
const TABLES_PER_BATCH = 25

interface TablePlan {
  name: string
  target: string
  pk: string[] | null
  pkOrder: string | null
  columns: Catalog['tables'][number]['columns']
  summary: string
}

function planTable(table: Catalog['tables'][number], sampleRows: number): TablePlan {
  const target = qualifiedName(table.schema, table.name)
  const pk = table.primaryKey && table.primaryKey.length > 0 ? table.primaryKey : null
  const columns = table.columns
  const pkOrder = pk ? pk.map(quoteIdent).join(', ') : null
  // Counts over the whole table; checksums over its first rows (all of them in a table within the sample size).
  const counts = columns.map((column, i) => `count(${quoteIdent(column.name)}) AS n${i}`)
  const checksums = columns.map((column, i) => {
    const text = `${quoteIdent(column.name)}::text`
    return `md5(coalesce(string_agg(quote_nullable(${text}), ',' ORDER BY ${pkOrder ?? text}), '')) AS s${i}`
  })
  const first = `SELECT * FROM ${target} AS t ORDER BY ${pkOrder ?? 't::text'} LIMIT ${sampleRows}`
  const summary =
    `SELECT * FROM (SELECT count(*) AS total${counts.length > 0 ? `, ${counts.join(', ')}` : ''} FROM ${target}) AS a` +
    (checksums.length > 0 ? `, (SELECT ${checksums.join(', ')} FROM (${first}) AS f) AS b` : '')
  return { name: table.name, target, pk, pkOrder, columns, summary }
}

function summarize(plan: TablePlan, row: Record<string, string>): TableSnapshot {
  const snapshot: TableSnapshot = {
    table: plan.name,
    primaryKey: plan.pk,
    rowCount: Number(row.total),
    columns: plan.columns.map((column, i) => ({ name: column.name, dataType: column.dataType, checksum: row[`s${i}`]!, nonNull: Number(row[`n${i}`]) })),
    rows: null
  }
  if (!plan.pk) snapshot.rowsOmitted = 'no-primary-key'
  return snapshot
}

/** The rows of 2^bits buckets of primary-key hashes' bucket 0 (every row when the table fits), with each row's hash. */
function rowsQuery(plan: TablePlan, bits: number, sampleRows: number): string {
  const hash = `hashtext(ROW(${plan.pkOrder})::text)`
  return `SELECT ${plan.columns.map((column) => `${quoteIdent(column.name)}::text`).join(', ')}, (${hash} & ${SAMPLE_MASK})::text FROM ${plan.target}${bits > 0 ? ` WHERE ${hash} & ${(2 ** bits) - 1} = 0` : ''} ORDER BY ${plan.pkOrder} LIMIT ${sampleRows * 4 + 1}`
}

function keepRows(snapshot: TableSnapshot, plan: TablePlan, read: Array<Array<string | null>>, bits: number, sampleRows: number): void {
  if (read.length > sampleRows * 4) {
    snapshot.rowsOmitted = 'over-cap'
    return
  }
  const keyIndexes = plan.pk!.map((name) => plan.columns.findIndex((column) => column.name === name))
  const rows = new Map<string, Array<string | null>>()
  const hashes = new Map<string, number>()
  for (const values of read) {
    const key = JSON.stringify(keyIndexes.map((index) => values[index] ?? null))
    hashes.set(key, Number(values[plan.columns.length]))
    rows.set(key, values.slice(0, plan.columns.length))
  }
  snapshot.rows = rows
  snapshot.sample = { bits, hashes }
  if (bits > 0) snapshot.rowsOmitted = 'sampled'
}

/** Several statements in one round trip (the simple query protocol), a result for each. */
async function queryBatch<R>(client: pg.ClientBase, statements: string[], rowMode?: 'array'): Promise<Array<{ rows: R[] }>> {
  if (statements.length === 0) return []
  const result = (await client.query({ text: statements.join(';\n'), ...(rowMode ? { rowMode } : {}) })) as unknown as { rows: R[] } | Array<{ rows: R[] }>
  return Array.isArray(result) ? result : [result]
}

/** Primary-key hashes are kept to 2^20 buckets: enough for any table a rehearsal samples. */
const SAMPLE_MASK = 2 ** 20 - 1

function incompleteReason(before: TableSnapshot, after: TableSnapshot): string | null {
  if (!before.primaryKey) return 'the table has no primary key: only row counts and checksums were compared'
  if (!after.primaryKey) return 'the table has no primary key any more: only row counts and checksums were compared'
  if (before.primaryKey.join('\0') !== after.primaryKey.join('\0')) {
    return `the primary key changed (${before.primaryKey.join(', ')} -> ${after.primaryKey.join(', ')}): only row counts and checksums were compared`
  }
  if (before.rowsOmitted === 'over-cap' || after.rowsOmitted === 'over-cap') {
    return 'too many rows were sampled: only row counts and checksums were compared'
  }
  if (!before.rows || !after.rows) return 'the rows were not read'
  if (before.rowsOmitted === 'sampled' || after.rowsOmitted === 'sampled') {
    return `${Math.max(before.rowCount, after.rowCount)} rows: a sample of them (sample-rows) was compared row by row, the rest by row counts`
  }
  return null
}

/** The rows both snapshots hold: the coarser of their two samples (a sample of 2^-k rows holds every sample of 2^-(k+1)). */
function commonSample(old: TableSnapshot, current: TableSnapshot): [Map<string, Array<string | null>>, Map<string, Array<string | null>>] | null {
  if (!old.rows || !current.rows || !old.sample || !current.sample) return null
  const bits = Math.max(old.sample.bits, current.sample.bits)
  const mask = 2 ** bits - 1
  const keep = (snapshot: TableSnapshot): Map<string, Array<string | null>> =>
    snapshot.sample!.bits === bits ? snapshot.rows! : new Map([...snapshot.rows!].filter(([key]) => (snapshot.sample!.hashes.get(key)! & mask) === 0))
  return [keep(old), keep(current)]
}

/**
 * Columns of `old` matched to columns of `current`: by name, else (a rename)
 * a column new in `current` holding exactly the same values (checksum and
 * non-NULL count), when the old column held any.
 */
function matchColumns(old: TableSnapshot, current: TableSnapshot): Map<string, number> {
  const match = new Map<string, number>()
  const afterIndex = new Map(current.columns.map((column, i) => [column.name, i]))
  const oldNames = new Set(old.columns.map((column) => column.name))
  const claimed = new Set<number>()
  for (const column of old.columns) {
    const index = afterIndex.get(column.name)
    if (index !== undefined) {
      match.set(column.name, index)
      claimed.add(index)
    }
  }
  for (const column of old.columns) {
    if (match.has(column.name) || column.nonNull === 0) continue
    const index = current.columns.findIndex(
      (candidate, i) => !claimed.has(i) && !oldNames.has(candidate.name) && candidate.checksum === column.checksum && candidate.nonNull === column.nonNull
    )
    if (index >= 0) {
      match.set(column.name, index)
      claimed.add(index)
    }
  }
  return match
}

/** A table new in `after` that holds exactly `old`'s data under another name (a RenameModel). */
function renamedTable(old: TableSnapshot, before: DataSnapshot, after: DataSnapshot, claimed: Set<string>): TableSnapshot | undefined {
  if (old.rowCount === 0) return undefined
  for (const [name, candidate] of after.tables) {
    if (before.tables.has(name) || claimed.has(name) || candidate.rowCount !== old.rowCount) continue
    const matched = matchColumns(old, candidate)
    const valued = old.columns.filter((column) => column.nonNull > 0)
    if (valued.length === 0) continue
    const same = valued.every((column) => {
      const index = matched.get(column.name)
      return index !== undefined && candidate.columns[index]!.checksum === column.checksum
    })
    if (same) return candidate
  }
  return undefined
}

function vanishedTable(name: string, old: TableSnapshot): TableComparison {
  return {
    table: name,
    vanished: true,
    rowsBefore: old.rowCount,
    rowsAfter: 0,
    rowsLost: old.rowCount,
    lostKeys: [],
    complete: true,
    columns: old.columns.map((column) => ({
      column: column.name,
      vanished: true,
      nonNullBefore: column.nonNull,
      valuesChanged: 0,
      checksumChanged: true,
      typeBefore: column.dataType,
      typeAfter: null,
      examples: []
    }))
  }
}

function compareTable(name: string, old: TableSnapshot, current: TableSnapshot): TableComparison {
  const reason = incompleteReason(old, current)
  const complete = reason === null
  const sampled = complete ? null : samePrimaryKey(old, current) ? commonSample(old, current) : null
  const comparison: TableComparison = {
    table: name,
    vanished: false,
    rowsBefore: old.rowCount,
    rowsAfter: current.rowCount,
    rowsLost: complete ? 0 : Math.max(0, old.rowCount - current.rowCount),
    lostKeys: [],
    complete,
    columns: []
  }
  if (current.table !== name) comparison.renamedTo = current.table
  if (reason) comparison.reason = reason
  const matched = matchColumns(old, current)
  const columns = old.columns.map((column): ColumnComparison => {
    const index = matched.get(column.name)
    const now = index === undefined ? undefined : current.columns[index]!
    const entry: ColumnComparison = {
      column: column.name,
      vanished: now === undefined,
      nonNullBefore: column.nonNull,
      valuesChanged: 0,
      checksumChanged: now === undefined || now.checksum !== column.checksum,
      typeBefore: column.dataType,
      typeAfter: now?.dataType ?? null,
      examples: []
    }
    if (now && now.name !== column.name) entry.renamedTo = now.name
    return entry
  })
  const compared = complete ? [old.rows!, current.rows!] as const : sampled
  if (compared !== null) {
    const [oldRows, currentRows] = compared
    const pkIndexes = old.primaryKey!.map((key) => old.columns.findIndex((column) => column.name === key))
    const pairs = old.columns.map((column, i) => [i, matched.get(column.name)] as const)
    let sampleLost = 0
    for (const [key, values] of oldRows) {
      const now = currentRows.get(key)
      if (!now) {
        if (complete) comparison.rowsLost++
        else sampleLost++
        if (comparison.lostKeys.length < LOST_KEYS) comparison.lostKeys.push(pkIndexes.map((i) => values[i] ?? ''))
        continue
      }
      for (const [i, j] of pairs) {
        if (j === undefined) continue
        const was = values[i] ?? null
        const is = now[j] ?? null
        // A NULL that came back filled is lost too: code that tells NULL from '' sees the difference.
        if (is === was) continue
        const entry = columns[i]!
        entry.valuesChanged++
        if (entry.examples.length < EXAMPLES) entry.examples.push({ key: pkIndexes.map((k) => values[k] ?? ''), before: was ?? 'NULL', after: is })
      }
    }
    // Sampled: at least the rows the counts say are gone, at least those the sample saw go.
    if (!complete) comparison.rowsLost = Math.max(comparison.rowsLost, sampleLost)
  }
  comparison.columns = columns
  return comparison
}

function samePrimaryKey(old: TableSnapshot, current: TableSnapshot): boolean {
  return old.primaryKey !== null && current.primaryKey !== null && old.primaryKey.join('\0') === current.primaryKey.join('\0')
}

/** The part of a snapshot about some tables. */
export function restrictSnapshot(snapshot: DataSnapshot, only: ReadonlySet<string>): DataSnapshot {
  return { schema: snapshot.schema, tables: new Map([...snapshot.tables].filter(([name]) => only.has(name))) }
}

/**
 * What was lost between `before` and `after`: rows by primary key, values
 * per column, vanished columns and tables. A table or column that is gone
 * by name but whose exact data (checksums) is under a new name is a rename:
 * compared there, with `renamedTo` set, and not counted as vanished.
 */
export function compareData(before: DataSnapshot, after: DataSnapshot): DataComparison {
  const tables: TableComparison[] = []
  const claimed = new Set<string>()
  for (const [name, old] of before.tables) {
    let current = after.tables.get(name)
    if (!current) {
      current = renamedTable(old, before, after, claimed)
      if (current) claimed.add(current.table)
    }
    tables.push(current ? compareTable(name, old, current) : vanishedTable(name, old))
  }
  return {
    tables,
    complete: tables.every((table) => table.complete),
    rowsLost: tables.reduce((sum, table) => sum + table.rowsLost, 0),
    valuesChanged: tables.reduce(
      (sum, table) => sum + (table.vanished ? 0 : table.columns.reduce((inner, column) => inner + (column.vanished ? column.nonNullBefore : column.valuesChanged), 0)),
      0
    )
  }
}

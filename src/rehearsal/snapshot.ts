// A data snapshot of every table (row count, a checksum per column, and the
// rows themselves as text keyed by primary key, up to a cap), and the
// comparison of two snapshots: rows gone, values changed or nulled, columns
// and tables that vanished with what they held.
import type pg from 'pg'
import { qualifiedName, quoteIdent, readCatalog, type Catalog } from '../seed/catalog.js'

/** Rows kept in memory per table; past it, only counts and checksums are compared. */
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
   * its primary-key values. Null when the table has no primary key or more
   * rows than SNAPSHOT_ROW_CAP (`rowsOmitted` says which).
   */
  rows: Map<string, Array<string | null>> | null
  rowsOmitted?: 'no-primary-key' | 'over-cap'
}

export interface DataSnapshot {
  schema: string
  tables: Map<string, TableSnapshot>
}

export interface ColumnComparison {
  column: string
  /** The column is gone (its table is still there). */
  vanished: boolean
  nonNullBefore: number
  /**
   * Rows still present whose value was not NULL before and is different or
   * NULL now. Counted only when the table's comparison is `complete`;
   * otherwise 0, and `checksumChanged` is the only signal.
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
  /** The table is gone. */
  vanished: boolean
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

/** Reads every table's data of `catalog` (read from the database when not given); skips django_migrations. */
export async function takeSnapshot(client: pg.ClientBase, catalog?: Catalog): Promise<DataSnapshot> {
  const source = catalog ?? (await readCatalog(client))
  const tables = new Map<string, TableSnapshot>()
  for (const table of source.tables) {
    if (IGNORED_TABLES.has(table.name)) continue
    const target = qualifiedName(table.schema, table.name)
    const pk = table.primaryKey && table.primaryKey.length > 0 ? table.primaryKey : null
    const columns = table.columns
    const pkOrder = pk ? pk.map(quoteIdent).join(', ') : null
    const aggregates = columns.map((column, i) => {
      const text = `${quoteIdent(column.name)}::text`
      const order = pkOrder ?? text
      return `md5(coalesce(string_agg(quote_nullable(${text}), ',' ORDER BY ${order}), '')) AS s${i}, count(${quoteIdent(column.name)}) AS n${i}`
    })
    const summary = await client.query<Record<string, string>>(
      `SELECT count(*) AS total${aggregates.length > 0 ? `, ${aggregates.join(', ')}` : ''} FROM ${target}`
    )
    const row = summary.rows[0]!
    const rowCount = Number(row.total)
    const snapshot: TableSnapshot = {
      table: table.name,
      primaryKey: pk,
      rowCount,
      columns: columns.map((column, i) => ({ name: column.name, dataType: column.dataType, checksum: row[`s${i}`]!, nonNull: Number(row[`n${i}`]) })),
      rows: null
    }
    if (!pk) snapshot.rowsOmitted = 'no-primary-key'
    else if (rowCount > SNAPSHOT_ROW_CAP) snapshot.rowsOmitted = 'over-cap'
    else if (columns.length > 0) {
      const keyIndexes = pk.map((name) => columns.findIndex((column) => column.name === name))
      const result = await client.query<Array<string | null>>({
        text: `SELECT ${columns.map((column) => `${quoteIdent(column.name)}::text`).join(', ')} FROM ${target} ORDER BY ${pkOrder} LIMIT ${SNAPSHOT_ROW_CAP + 1}`,
        rowMode: 'array'
      })
      if (result.rows.length > SNAPSHOT_ROW_CAP) snapshot.rowsOmitted = 'over-cap'
      else {
        const rows = new Map<string, Array<string | null>>()
        for (const values of result.rows) rows.set(JSON.stringify(keyIndexes.map((index) => values[index] ?? null)), values)
        snapshot.rows = rows
      }
    }
    tables.set(table.name, snapshot)
  }
  return { schema: source.schema, tables }
}

function incompleteReason(before: TableSnapshot, after: TableSnapshot): string | null {
  if (!before.primaryKey) return 'the table has no primary key: only row counts and checksums were compared'
  if (!after.primaryKey) return 'the table has no primary key any more: only row counts and checksums were compared'
  if (before.primaryKey.join('\0') !== after.primaryKey.join('\0')) {
    return `the primary key changed (${before.primaryKey.join(', ')} -> ${after.primaryKey.join(', ')}): only row counts and checksums were compared`
  }
  if (before.rowsOmitted === 'over-cap' || after.rowsOmitted === 'over-cap') {
    return `more than ${SNAPSHOT_ROW_CAP} rows: only row counts and checksums were compared`
  }
  if (!before.rows || !after.rows) return 'the rows were not read'
  return null
}

/** What was lost between `before` and `after`: rows by primary key, values per column, vanished columns and tables. */
export function compareData(before: DataSnapshot, after: DataSnapshot): DataComparison {
  const tables: TableComparison[] = []
  for (const [name, old] of before.tables) {
    const current = after.tables.get(name)
    if (!current) {
      tables.push({
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
      })
      continue
    }
    const reason = incompleteReason(old, current)
    const complete = reason === null
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
    if (reason) comparison.reason = reason
    const afterIndex = new Map(current.columns.map((column, i) => [column.name, i]))
    const columnComparisons = old.columns.map((column): ColumnComparison => {
      const index = afterIndex.get(column.name)
      const now = index === undefined ? undefined : current.columns[index]!
      return {
        column: column.name,
        vanished: now === undefined,
        nonNullBefore: column.nonNull,
        valuesChanged: 0,
        checksumChanged: now === undefined || now.checksum !== column.checksum,
        typeBefore: column.dataType,
        typeAfter: now?.dataType ?? null,
        examples: []
      }
    })
    if (complete) {
      const pkIndexes = old.primaryKey!.map((key) => old.columns.findIndex((column) => column.name === key))
      const pairs = old.columns.map((column, i) => [i, afterIndex.get(column.name)] as const)
      for (const [key, values] of old.rows!) {
        const now = current.rows!.get(key)
        if (!now) {
          comparison.rowsLost++
          if (comparison.lostKeys.length < LOST_KEYS) comparison.lostKeys.push(pkIndexes.map((i) => values[i] ?? ''))
          continue
        }
        for (const [i, j] of pairs) {
          if (j === undefined) continue
          const was = values[i] ?? null
          if (was === null) continue
          const is = now[j] ?? null
          if (is === was) continue
          const entry = columnComparisons[i]!
          entry.valuesChanged++
          if (entry.examples.length < EXAMPLES) entry.examples.push({ key: pkIndexes.map((k) => values[k] ?? ''), before: was, after: is })
        }
      }
    }
    comparison.columns = columnComparisons
    tables.push(comparison)
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

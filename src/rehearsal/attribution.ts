// Which migration, and which of its operations, a fact the rehearsal saw
// belongs to: the statements each operation ran name the tables and columns,
// and a failing probe or a lost value names them too. The rehearsal hands
// the verdicts facts already tied to their operation.
import type { HelperStatement } from '../model/helper.js'
import type { DataLossEntry, ProbeFailure } from '../model/report.js'
import type { DataComparison } from './snapshot.js'

export function touchedTables(statements: readonly HelperStatement[], knownTables: ReadonlySet<string>): Set<string> {
  const touched = new Set<string>()
  for (const statement of statements) {
    for (const lock of statement.locks) if (knownTables.has(lock.relation)) touched.add(lock.relation)
    for (const match of statement.sql.matchAll(/"([^"]+)"/g)) if (knownTables.has(match[1]!)) touched.add(match[1]!)
  }
  return touched
}

/** Whether the statement names `column` of `table` (`ALTER TABLE "t" DROP COLUMN "c"`). */
function names(statement: HelperStatement, table: string, column: string | null): boolean {
  return statement.sql.includes(`"${table}"`) && (column === null || statement.sql.includes(`"${column}"`))
}

export function namesColumn(statements: readonly HelperStatement[], table: string, column: string): boolean {
  return statements.some((statement) => names(statement, table, column))
}

/**
 * The operation whose statements named the column (else the table); null when
 * none did, or when several operations did and none named the column.
 */
export function operationFor(statements: readonly HelperStatement[], table: string, columns: readonly string[]): number | null {
  for (const column of columns) {
    const naming = statements.filter((statement) => statement.operationIndex !== null && names(statement, table, column))
    if (naming.length > 0) return naming.at(-1)!.operationIndex
  }
  const onTable = new Set(statements.filter((statement) => statement.operationIndex !== null && names(statement, table, null)).map((s) => s.operationIndex))
  return onTable.size === 1 ? [...onTable][0]! : null
}

/** Identifiers a database error names: `column "stock" ...`, `column shop_book.stock ...`. */
export function namedIn(message: string): string[] {
  const found = new Set<string>()
  for (const match of message.matchAll(/"([^"]+)"|\b\w+\.(\w+)\b/g)) found.add(match[1] ?? match[2]!)
  return [...found]
}

/** Each failure with the operation behind it, read from the columns its message names. */
export function attributeFailures(failures: readonly ProbeFailure[], statements: readonly HelperStatement[]): ProbeFailure[] {
  return failures.map((failure) => ({
    ...failure,
    operationIndex: operationFor(
      statements,
      failure.table,
      namedIn(failure.message).filter((name) => name !== failure.table)
    )
  }))
}

/**
 * The comparison as loss entries, each tied to the operation that named its
 * table and column. A forward run loses what it drops (columns, tables); with
 * `permanent` (its reverse failed or cannot run), also the rows and values it
 * changed, which nothing brings back. Only the base schema's tables and
 * columns count: what the PR itself created is no production data.
 */
export function lossEntries(
  comparison: DataComparison,
  when: DataLossEntry['when'],
  statements: readonly HelperStatement[],
  options: { base: ReadonlySet<string>; permanent?: boolean }
): DataLossEntry[] {
  const entries: DataLossEntry[] = []
  const everything = when === 'round-trip' || options.permanent === true
  const add = (entry: Omit<DataLossEntry, 'operationIndex'>) => {
    if (!options.base.has(entry.table) || (entry.column !== null && !options.base.has(`${entry.table}.${entry.column}`))) return
    entries.push({ ...entry, operationIndex: operationFor(statements, entry.table, entry.column === null ? [] : [entry.column]) })
  }
  for (const table of comparison.tables) {
    if (table.vanished) {
      if (table.rowsBefore > 0) add({ table: table.table, column: null, rowsLost: table.rowsBefore, valuesChanged: 0, when })
      continue
    }
    if (everything && table.rowsLost > 0) add({ table: table.table, column: null, rowsLost: table.rowsLost, valuesChanged: 0, when })
    for (const column of table.columns) {
      const changed = column.vanished ? column.nonNullBefore : everything ? column.valuesChanged : 0
      if (changed > 0) add({ table: table.table, column: column.column, rowsLost: 0, valuesChanged: changed, when })
    }
  }
  return entries
}

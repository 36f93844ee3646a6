// Which tables a migration's statements touched: the relations they locked
// and the quoted identifiers they name (a dropped table no longer has a lock
// with a name). Used to point a failing probe at the migration behind it.
import type { HelperStatement } from '../model/helper.js'

export function touchedTables(statements: readonly HelperStatement[], knownTables: ReadonlySet<string>): Set<string> {
  const touched = new Set<string>()
  for (const statement of statements) {
    for (const lock of statement.locks) if (knownTables.has(lock.relation)) touched.add(lock.relation)
    for (const match of statement.sql.matchAll(/"([^"]+)"/g)) if (knownTables.has(match[1]!)) touched.add(match[1]!)
  }
  return touched
}

/** Whether the statements name `column` of `table` (`ALTER TABLE "t" DROP COLUMN "c"`). */
export function namesColumn(statements: readonly HelperStatement[], table: string, column: string): boolean {
  return statements.some((statement) => statement.sql.includes(`"${table}"`) && statement.sql.includes(`"${column}"`))
}

// When a migration fails on the seeded rows, the rehearsal repairs just the
// rows that made it fail and runs it again, so that every other question
// (backward compatibility, reversibility, loss, locks) is still answered.
// Each repair is read from the error Postgres raised: NULLs for a new NOT
// NULL, duplicates for a unique, values too long for a shorter column, rows
// violating a new CHECK or FOREIGN KEY. It also yields the read-only query a
// team can run on production to learn whether its rows have the problem.
// When no targeted repair fits, the tables the migration touched keep only
// their ordinary rows, and as a last resort are emptied.
import type pg from 'pg'
import type { HelperError } from '../model/helper.js'
import type { RepairKind } from '../model/report.js'
import { quoteIdent } from '../seed/catalog.js'

export interface RepairPlan {
  kind: RepairKind
  table: string | null
  tables: string[]
  columns: string[]
  /** Rows of `table` that cause the failure (a WHERE condition), when one identifies them. */
  condition: string | null
  /** Ways to fix them, tried in order (each in a savepoint) until one works. */
  fixes: string[][]
  productionCheck: { sql: string; meaning: string } | null
}

const q = quoteIdent

/** The table an error or its statement names. */
function tableOf(error: HelperError): string | null {
  const statement = error.statement ?? ''
  const fromStatement =
    /ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?"([^"]+)"/i.exec(statement) ??
    /\bON\s+(?:ONLY\s+)?"([^"]+)"/i.exec(statement) ??
    /\bUPDATE\s+"([^"]+)"/i.exec(statement) ??
    /\bINSERT\s+INTO\s+"([^"]+)"/i.exec(statement)
  if (fromStatement) return fromStatement[1]!
  const fromMessage = /(?:of relation|on table|in table) "([^"]+)"/.exec(error.message)
  return fromMessage ? fromMessage[1]! : null
}

/** `Key (a, "b c")=(...)` in a DETAIL line: the columns, or null for an expression. */
function keyColumns(message: string): string[] | null {
  const match = /Key \((.+?)\)=\(/.exec(message)
  if (!match) return null
  const columns = match[1]!.split(/,\s*/).map((part) => part.trim().replace(/^"(.*)"$/, '$1'))
  return columns.some((column) => /[()\s:]/.test(column)) ? null : columns
}

/** The targeted repair for a failure on data, or null when the error says too little. */
export function planRepair(error: HelperError): RepairPlan | null {
  const table = tableOf(error)
  if (table === null) return null
  const t = q(table)
  switch (error.sqlstate) {
    case '23502': {
      const column = /column "([^"]+)" of relation/.exec(error.message)?.[1] ?? /null value in column "([^"]+)"/.exec(error.message)?.[1]
      if (!column) return null
      const c = q(column)
      const condition = `${c} IS NULL`
      return {
        kind: 'not-null',
        table,
        tables: [table],
        columns: [column],
        condition,
        fixes: [[`DELETE FROM ${t} WHERE ${condition}`], [`UPDATE ${t} SET ${c} = (SELECT ${c} FROM ${t} WHERE ${c} IS NOT NULL LIMIT 1) WHERE ${condition}`]],
        productionCheck: { sql: `SELECT count(*) FROM ${t} WHERE ${condition};`, meaning: `rows with NULL in ${table}.${column}: the migration fails if there are any` }
      }
    }
    case '23505': {
      const columns = keyColumns(error.message)
      if (!columns || columns.length === 0) return null
      const list = columns.map(q).join(', ')
      const same = columns.map((column) => `a.${q(column)} = b.${q(column)}`).join(' AND ')
      return {
        kind: 'unique',
        table,
        tables: [table],
        columns,
        condition: `(${list}) IN (SELECT ${list} FROM ${t} GROUP BY ${list} HAVING count(*) > 1)`,
        fixes: [[`DELETE FROM ${t} a USING ${t} b WHERE a.ctid > b.ctid AND ${same}`]],
        productionCheck: {
          sql: `SELECT ${list}, count(*) AS copies FROM ${t} GROUP BY ${list} HAVING count(*) > 1 ORDER BY copies DESC LIMIT 20;`,
          meaning: `values of ${table}.${columns.join(', ')} that repeat: the unique constraint cannot be built while there are any`
        }
      }
    }
    case '22001': {
      const limit = /character varying\((\d+)\)|character\((\d+)\)/.exec(error.message)
      const column = /ALTER\s+COLUMN\s+"([^"]+)"\s+TYPE/i.exec(error.statement ?? '')?.[1]
      if (!limit || !column) return null
      const n = Number(limit[1] ?? limit[2])
      const c = q(column)
      const condition = `char_length(${c}) > ${n}`
      return {
        kind: 'too-long',
        table,
        tables: [table],
        columns: [column],
        condition,
        fixes: [[`UPDATE ${t} SET ${c} = left(${c}, ${n}) WHERE ${condition}`], [`DELETE FROM ${t} WHERE ${condition}`]],
        productionCheck: { sql: `SELECT count(*) FROM ${t} WHERE ${condition};`, meaning: `values of ${table}.${column} longer than ${n} characters: the migration fails if there are any` }
      }
    }
    case '23514': {
      const name = /check constraint "([^"]+)"/.exec(error.message)?.[1]
      const statement = error.statement ?? ''
      const expression = name ? new RegExp(`CONSTRAINT\\s+"${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s+CHECK\\s*\\((.*)\\)`, 'is').exec(statement)?.[1] : undefined
      if (!expression) return null
      const condition = `NOT (${expression})`
      return {
        kind: 'check',
        table,
        tables: [table],
        columns: [...new Set([...expression.matchAll(/"([^"]+)"/g)].map((m) => m[1]!))],
        condition,
        fixes: [[`DELETE FROM ${t} WHERE ${condition}`]],
        productionCheck: { sql: `SELECT count(*) FROM ${t} WHERE ${condition};`, meaning: `rows of ${table} that break CHECK (${expression}): the migration fails if there are any` }
      }
    }
    case '23503': {
      const columns = keyColumns(error.message)
      const references = /REFERENCES\s+"([^"]+)"\s*\(([^)]+)\)/i.exec(error.statement ?? '')
      if (!columns || !references) return null
      const referenced = references[2]!.split(',').map((part) => part.trim().replace(/^"(.*)"$/, '$1'))
      if (referenced.length !== columns.length) return null
      const r = q(references[1]!)
      const join = columns.map((column, i) => `${r}.${q(referenced[i]!)} = ${t}.${q(column)}`).join(' AND ')
      const condition = `${columns.map((column) => `${t}.${q(column)} IS NOT NULL`).join(' AND ')} AND NOT EXISTS (SELECT 1 FROM ${r} WHERE ${join})`
      return {
        kind: 'foreign-key',
        table,
        tables: [table],
        columns,
        condition,
        fixes: [[`DELETE FROM ${t} WHERE ${condition}`]],
        productionCheck: {
          sql: `SELECT count(*) FROM ${t} WHERE ${condition};`,
          meaning: `rows of ${table} pointing at no row of ${references[1]}: the constraint fails to validate if there are any`
        }
      }
    }
    default:
      return null
  }
}

/** When nothing targeted fits: keep the ordinary rows of the tables, else empty them. */
export function fallbackRepairs(tables: readonly string[], ordinary: ReadonlyMap<string, { primaryKey: string[]; keys: string[][] }>): RepairPlan[] {
  const plans: RepairPlan[] = []
  const keep = tables.filter((table) => ordinary.has(table))
  if (keep.length > 0) {
    plans.push({
      kind: 'ordinary-rows',
      table: keep.length === 1 ? keep[0]! : null,
      tables: keep,
      columns: [],
      condition: null,
      fixes: [
        keep.map((table) => {
          const { primaryKey, keys } = ordinary.get(table)!
          const columns = primaryKey.map((column) => `${q(column)}::text`).join(', ')
          const values = keys.map((key) => `(${key.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ')})`)
          return values.length === 0 ? `DELETE FROM ${q(table)}` : `DELETE FROM ${q(table)} WHERE (${columns}) NOT IN (VALUES ${values.join(', ')})`
        })
      ],
      productionCheck: null
    })
  }
  if (tables.length > 0) {
    plans.push({
      kind: 'empty-tables',
      table: tables.length === 1 ? tables[0]! : null,
      tables: [...tables],
      columns: [],
      condition: null,
      fixes: [[`TRUNCATE ${tables.map(q).join(', ')} CASCADE`]],
      productionCheck: null
    })
  }
  return plans
}

export interface RepairOutcome {
  /** Rows changed or removed; null when no fix worked. */
  rows: number | null
  sql: string[]
  /** The offending rows' primary keys as text, when the table has a key and a condition names them. */
  offendingKeys: string[][] | null
  offendingRows: number | null
  /** Rows the table had before the repair. */
  tableRows: number | null
}

/**
 * Runs the first fix of `plan` that works, in one transaction; counts the
 * offending rows first. A plan that does not fit the table (the column does
 * not exist yet: the failing statement was adding it) fixes nothing.
 */
export async function executeRepair(client: pg.ClientBase, plan: RepairPlan, primaryKey: string[] | null): Promise<RepairOutcome> {
  const none = (counts: Partial<RepairOutcome> = {}): RepairOutcome => ({ rows: null, sql: [], offendingKeys: null, offendingRows: null, tableRows: null, ...counts })
  await client.query('BEGIN')
  try {
    let offendingRows: number | null = null
    let offendingKeys: string[][] | null = null
    let tableRows: number | null = null
    await client.query('SAVEPOINT dmr_count')
    try {
      if (plan.table !== null) tableRows = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${q(plan.table)}`)).rows[0]!.n)
      if (plan.condition !== null && plan.table !== null) {
        const target = q(plan.table)
        offendingRows = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${target} WHERE ${plan.condition}`)).rows[0]!.n)
        if (primaryKey && primaryKey.length > 0) {
          const result = await client.query<string[]>({
            text: `SELECT ${primaryKey.map((column) => `${q(column)}::text`).join(', ')} FROM ${target} WHERE ${plan.condition} LIMIT 10000`,
            rowMode: 'array'
          })
          offendingKeys = result.rows
        }
      }
      await client.query('RELEASE SAVEPOINT dmr_count')
    } catch {
      await client.query('ROLLBACK')
      return none()
    }
    if (plan.condition !== null && offendingRows === 0) {
      await client.query('ROLLBACK')
      return none({ offendingRows, tableRows })
    }
    // TRUNCATE reports no row count: count what it removes first, so the report says how many rows went.
    let emptied = 0
    if (plan.kind === 'empty-tables') {
      await client.query('SAVEPOINT dmr_count_all')
      try {
        for (const table of plan.tables) emptied += Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${q(table)}`)).rows[0]!.n)
        await client.query('RELEASE SAVEPOINT dmr_count_all')
      } catch {
        await client.query('ROLLBACK TO SAVEPOINT dmr_count_all')
        emptied = 0
      }
    }
    for (const fix of plan.fixes) {
      await client.query('SAVEPOINT dmr_repair')
      try {
        let rows = emptied
        for (const statement of fix) rows += (await client.query(statement)).rowCount ?? 0
        await client.query('RELEASE SAVEPOINT dmr_repair')
        await client.query('COMMIT')
        return { rows, sql: fix, offendingKeys, offendingRows, tableRows }
      } catch {
        await client.query('ROLLBACK TO SAVEPOINT dmr_repair')
      }
    }
    await client.query('ROLLBACK')
    return none({ offendingKeys, offendingRows, tableRows })
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  }
}

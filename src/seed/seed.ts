// Seeds every table of a catalog with adversarial rows, in one transaction:
//
// - tables go in foreign-key order (Tarjan's strongly connected components,
//   referenced tables first); inside a cycle, a nullable reference to a table
//   seeded later is inserted as NULL and set by an UPDATE afterwards, a NOT
//   NULL one points at the later table's pre-allocated ids under a deferred
//   constraint;
// - a foreign key takes values of rows already in the referenced table:
//   distinct ones for a one-to-one, distinct pairs for a through table;
// - serial / identity primary keys are taken from their sequence up front
//   (nextval), so the ids are known before the insert (self-references) and
//   the sequences end past every id;
// - a table's rows go in one INSERT under a SAVEPOINT; when it fails, row by
//   row, each under its own SAVEPOINT, retrying a rejected row with more
//   conservative values for the columns the failing constraint involves;
// - a table where no row can be inserted is reported as skipped with the
//   reason; nothing a table does stops the others.
//
// All SQL is sent as literals over the simple query protocol (so SAVEPOINT,
// INSERT and RELEASE go in one round trip); standard_conforming_strings is on
// for the transaction, which makes `'...'` with doubled quotes safe for any text.
import type pg from 'pg'
import { qualifiedName, quoteIdent, type Catalog, type CatalogColumn, type CatalogTable, type ForeignKey } from './catalog.js'
import {
  checkBounds,
  checkRelations,
  distinctValue,
  generateValue,
  hashParts,
  mulberry32,
  ORDINARY_ROWS,
  sqlLiteral,
  uniquenessKey,
  type ColumnBounds,
  type ValueMode
} from './values.js'
import type { SeedResult, SeedTableResult } from '../model/evidence.js'
import type { FieldHint } from '../model/helper.js'

export interface SeedOptions {
  rowsPerTable: number
  /** Same seed, same rows (on the same schema). Default 1. */
  seed?: number
  /** Tables left alone; `django_migrations` always is. */
  excludeTables?: string[]
  /**
   * What the project's models know about columns (table -> column -> hint):
   * every `choices` value appears, a default's values fill some rows, and a
   * callable default that never repeats (uuid4) gets no made-up duplicates.
   */
  hints?: ReadonlyMap<string, ReadonlyMap<string, FieldHint>>
}

const ALWAYS_EXCLUDED = ['django_migrations']
/** Attempts per row: the planned values, then escalations. */
const MAX_ATTEMPTS = 8
/** Give up on a table when this many rows in a row fail from the start. */
const EARLY_GIVE_UP = 4
/** Rows per INSERT statement. */
const CHUNK_ROWS = 500
const SAVEPOINT = 'dmr_seed'

type Value = string | null
type Mode = ValueMode | 'null'

interface FkPlan {
  fk: ForeignKey
  /** pool: rows already in the referenced table; self: this table's earlier rows; forward-*: a cycle's later table. */
  kind: 'pool' | 'self' | 'forward-null' | 'forward-deferred'
  pool: string[][]
  /** One-to-one (or part of the primary key): each row a different referenced row. */
  distinct: boolean
  /** Part of a unique made only of foreign keys: index = floor(row / stride) % pool size. */
  stride: number | null
  nullable: boolean
}

interface PendingUpdate {
  table: CatalogTable
  plan: FkPlan
  /** Key columns of the rows to update (primary key, or ctid). */
  keyColumns: string[]
  keys: string[][]
}

interface TableContext {
  table: CatalogTable
  insertColumns: CatalogColumn[]
  overriding: boolean
  fkPlans: FkPlan[]
  fkByColumn: Map<string, { plan: FkPlan; index: number }>
  distinct: Set<string>
  noNulls: Set<string>
  bounds: Map<string, ColumnBounds>
  /** Columns compared with each other by a CHECK (`ends > starts`): ordinary values, the higher ones from a later row. */
  relationOffsets: Map<string, number>
  preallocated: { column: string; ids: string[] } | null
  returning: string[]
  target: number
  used: Map<string, Set<string>>
  nextKey: Map<string, number>
}

interface RowState {
  modes: Map<string, Mode>
  variant: number
  fkShift: number
  /** A self-reference points at the row itself (not the previous one). */
  selfOwn: boolean
  /** Ordinary values taken from another row, per column: spreads `a < b` style checks apart. */
  offsets: Map<string, number>
  /** How far the retries for each constraint (or error kind) have gone. */
  stages: Map<string, number>
}

class SeedError extends Error {}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Tarjan's SCCs: every component comes after the components it references. */
function stronglyConnected(names: string[], edges: Map<string, string[]>): string[][] {
  let index = 0
  const indices = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const components: string[][] = []
  const visit = (start: string) => {
    // Iterative, so that a long chain of tables cannot overflow the call stack.
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }]
    indices.set(start, index)
    low.set(start, index++)
    stack.push(start)
    onStack.add(start)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const targets = edges.get(frame.node) ?? []
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!
        if (!indices.has(target)) {
          indices.set(target, index)
          low.set(target, index++)
          stack.push(target)
          onStack.add(target)
          work.push({ node: target, next: 0 })
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, indices.get(target)!))
        }
        continue
      }
      work.pop()
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!))
      }
      if (low.get(frame.node) === indices.get(frame.node)) {
        const component: string[] = []
        let member: string
        do {
          member = stack.pop()!
          onStack.delete(member)
          component.push(member)
        } while (member !== frame.node)
        components.push(component.sort())
      }
    }
  }
  for (const name of names) if (!indices.has(name)) visit(name)
  return components
}

/** The seeding order, and the foreign keys that point at a table seeded later (cycles). */
export function seedOrder(tables: readonly CatalogTable[]): { order: CatalogTable[]; forward: Set<ForeignKey> } {
  const byName = new Map(tables.map((table) => [table.name, table]))
  const sameSchema = (table: CatalogTable, fk: ForeignKey) => fk.referencedSchema === table.schema && byName.has(fk.referencedTable)
  const edges = new Map<string, string[]>()
  for (const table of tables) {
    const targets = new Set<string>()
    for (const fk of table.foreignKeys) if (sameSchema(table, fk) && fk.referencedTable !== table.name) targets.add(fk.referencedTable)
    edges.set(table.name, [...targets].sort())
  }
  const names = tables.map((table) => table.name).sort()
  const order: CatalogTable[] = []
  const forward = new Set<ForeignKey>()
  for (const component of stronglyConnected(names, edges)) {
    if (component.length === 1) {
      order.push(byName.get(component[0]!)!)
      continue
    }
    // Inside a cycle: first the tables whose NOT NULL references are already seeded.
    const members = new Set(component)
    const placed = new Set<string>()
    const remaining = [...component]
    while (remaining.length > 0) {
      const ready = remaining.find((name) =>
        byName
          .get(name)!
          .foreignKeys.filter((fk) => sameSchema(byName.get(name)!, fk) && members.has(fk.referencedTable) && fk.referencedTable !== name)
          .every((fk) => placed.has(fk.referencedTable) || fkNullable(byName.get(name)!, fk))
      )
      const next = ready ?? remaining[0]!
      remaining.splice(remaining.indexOf(next), 1)
      placed.add(next)
      order.push(byName.get(next)!)
    }
    const position = new Map(order.map((table, i) => [table.name, i]))
    for (const name of component) {
      const table = byName.get(name)!
      for (const fk of table.foreignKeys) {
        if (members.has(fk.referencedTable) && fk.referencedTable !== name && position.get(fk.referencedTable)! > position.get(name)!) forward.add(fk)
      }
    }
  }
  return { order, forward }
}

function fkNullable(table: CatalogTable, fk: ForeignKey): boolean {
  return fk.columns.every((name) => table.columns.find((column) => column.name === name)?.nullable ?? false)
}

/** Which kind of column best carries a composite unique's distinctness. */
function distinctRank(column: CatalogColumn): number {
  switch (column.category) {
    case 'S':
      return 0
    case 'N':
      return 1
    case 'D':
    case 'T':
      return 2
    case 'I':
      return 3
    case 'A':
      return 5
    case 'B':
      return 9
    case 'E':
      return 8
    default:
      return column.baseType === 'uuid' || column.baseType.startsWith('json') ? 2 : 6
  }
}

/** How many distinct values a column can hold at most (Infinity when plenty). */
function distinctCapacity(column: CatalogColumn, bounds: ColumnBounds | undefined): number {
  if (bounds?.allowed) return bounds.allowed.length
  if (column.category === 'B') return 2
  if (column.category === 'E') return column.enumLabels?.length ?? 0
  return Infinity
}

class Seeder {
  private readonly client: pg.ClientBase
  private readonly catalog: Catalog
  private readonly options: SeedOptions
  private readonly seed: number
  private readonly tables: CatalogTable[]
  private readonly byName: Map<string, CatalogTable>
  private readonly results = new Map<string, SeedTableResult>()
  /** Per table, the key tuples of the rows we inserted, per referenced column set. */
  private readonly inserted = new Map<string, Map<string, string[][]>>()
  private readonly poolCache = new Map<string, string[][]>()
  private readonly preallocated = new Map<string, string[]>()
  private readonly pending: PendingUpdate[] = []
  private readonly deferred: Array<{ table: CatalogTable; fk: ForeignKey }> = []
  /** `table\0column` of sequence columns that were given explicit values (not pre-allocated). */
  private readonly explicitSequenceColumns = new Set<string>()
  /** Which column sets of each table other tables (or itself) reference. */
  private readonly referencedSets = new Map<string, string[][]>()

  constructor(client: pg.ClientBase, catalog: Catalog, options: SeedOptions) {
    this.client = client
    this.catalog = catalog
    this.options = options
    this.seed = options.seed ?? 1
    const excluded = new Set([...ALWAYS_EXCLUDED, ...(options.excludeTables ?? [])])
    this.tables = catalog.tables.filter((table) => !excluded.has(table.name))
    this.byName = new Map(this.tables.map((table) => [table.name, table]))
    for (const table of catalog.tables) {
      for (const fk of table.foreignKeys) {
        if (fk.referencedSchema !== catalog.schema) continue
        const sets = this.referencedSets.get(fk.referencedTable) ?? []
        if (!sets.some((set) => set.join('\0') === fk.referencedColumns.join('\0'))) sets.push(fk.referencedColumns)
        this.referencedSets.set(fk.referencedTable, sets)
      }
    }
  }

  async run(): Promise<SeedResult> {
    const started = performance.now()
    await this.client.query(
      'BEGIN; SET LOCAL standard_conforming_strings = on; SET LOCAL client_min_messages = warning; SET CONSTRAINTS ALL IMMEDIATE'
    )
    try {
      await this.advanceSequences(() => true)
      const { order, forward } = seedOrder(this.tables)
      await this.preallocate()
      for (const table of order) {
        const result = await this.seedTable(table, forward).catch(
          (error: unknown): SeedTableResult => ({ table: table.name, rows: 0, skipped: errorText(error) })
        )
        this.results.set(table.name, result)
        await this.flushPending(table)
      }
      await this.settleDeferred()
      // Pre-allocated ids came from their sequences and omitted columns from their defaults;
      // only a sequence column that got explicit values can be behind now.
      await this.advanceSequences((table, column) => this.explicitSequenceColumns.has(`${table.name}\0${column.name}`))
      await this.client.query('COMMIT')
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {})
      throw error
    }
    const tables = this.tables.map((table) => this.results.get(table.name) ?? { table: table.name, rows: 0, skipped: 'not reached' })
    return { tables, totalRows: tables.reduce((sum, table) => sum + table.rows, 0), ms: Math.round(performance.now() - started) }
  }

  // -------------------------------------------------------------------------
  // SQL helpers

  /** Runs `sql` under a savepoint: its rows, or the error (the transaction stays usable). */
  private async guarded(sql: string): Promise<{ rows: Array<Record<string, string | null>>; count: number } | { error: pg.DatabaseError | Error }> {
    try {
      const results = (await this.client.query(`SAVEPOINT ${SAVEPOINT}; ${sql}; RELEASE SAVEPOINT ${SAVEPOINT}`)) as unknown as pg.QueryResult[]
      const main = results[1]!
      return { rows: main.rows as Array<Record<string, string | null>>, count: main.rowCount ?? 0 }
    } catch (error) {
      await this.client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}; RELEASE SAVEPOINT ${SAVEPOINT}`)
      return { error: error as Error }
    }
  }

  /** Moves the sequences of the seeded tables (those `which` selects) past the largest value their column holds. */
  private async advanceSequences(which: (table: CatalogTable, column: CatalogColumn) => boolean): Promise<void> {
    const blocks: string[] = []
    for (const table of this.tables) {
      for (const column of table.columns) {
        if (!column.sequence || column.category !== 'N' || !which(table, column)) continue
        blocks.push(`BEGIN
    SELECT max(${quoteIdent(column.name)}) INTO m FROM ${qualifiedName(table.schema, table.name)};
    SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO c FROM ${column.sequence};
    IF m IS NOT NULL AND m > c THEN PERFORM setval(${sqlLiteral(column.sequence)}, m::bigint, true); END IF;
  EXCEPTION WHEN others THEN NULL;
  END;`)
      }
    }
    if (blocks.length === 0) return
    const body = `DECLARE m numeric; c numeric;\nBEGIN\n  ${blocks.join('\n  ')}\nEND`
    let tag = '$dmr_seq$'
    while (body.includes(tag)) tag = tag.replace(/\$$/, '_$')
    await this.guarded(`DO ${tag}${body}${tag}`)
  }

  /** Takes the ids of serial / identity primary keys from their sequences, rowsPerTable per table, in one query. */
  private async preallocate(): Promise<void> {
    const wanted: string[] = []
    for (const table of this.tables) {
      const column = this.sequencePk(table)
      if (column) wanted.push(`(${sqlLiteral(table.name)}, ${sqlLiteral(column.sequence!)})`)
    }
    if (wanted.length === 0 || this.options.rowsPerTable <= 0) return
    const result = await this.guarded(
      `SELECT s.t, nextval(s.seq::regclass)::text AS id FROM (VALUES ${wanted.join(', ')}) AS s(t, seq), generate_series(1, ${Math.floor(this.options.rowsPerTable)}) AS g`
    )
    if ('error' in result) return // each table then lets its sequence fill the column
    for (const row of result.rows) {
      const ids = this.preallocated.get(row.t!) ?? []
      ids.push(row.id!)
      this.preallocated.set(row.t!, ids)
    }
    for (const ids of this.preallocated.values()) ids.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0))
  }

  /** The single-column serial / identity primary key whose ids can be taken up front. */
  private sequencePk(table: CatalogTable): CatalogColumn | null {
    if (table.primaryKey?.length !== 1) return null
    const column = table.columns.find((c) => c.name === table.primaryKey![0])
    if (!column?.sequence || column.category !== 'N') return null
    if (table.foreignKeys.some((fk) => fk.columns.includes(column.name))) return null
    return column
  }

  // -------------------------------------------------------------------------
  // Foreign-key pools

  /** Key tuples (as text) of rows in `schema.table`: the ones we inserted, topped up from the table. */
  private async pool(schema: string, table: string, columns: string[], wanted: number): Promise<string[][]> {
    const setKey = columns.join('\0')
    const ours = schema === this.catalog.schema ? (this.inserted.get(table)?.get(setKey) ?? []) : []
    if (ours.length >= wanted) return ours
    const cacheKey = `${schema}\0${table}\0${setKey}`
    let existing = this.poolCache.get(cacheKey)
    if (!existing) {
      const select = columns.map((column, i) => `${quoteIdent(column)}::text AS c${i}`).join(', ')
      const notNull = columns.map((column) => `${quoteIdent(column)} IS NOT NULL`).join(' AND ')
      const result = await this.guarded(
        `SELECT DISTINCT ${select} FROM ${qualifiedName(schema, table)} WHERE ${notNull} ORDER BY ${columns.map((_, i) => `c${i}`).join(', ')} LIMIT ${Math.max(wanted, 1) * 2}`
      )
      existing = 'error' in result ? [] : result.rows.map((row) => columns.map((_, i) => row[`c${i}`]!))
      this.poolCache.set(cacheKey, existing)
    }
    const seen = new Set(ours.map((tuple) => tuple.join('\0')))
    return [...ours, ...existing.filter((tuple) => !seen.has(tuple.join('\0')))]
  }

  // -------------------------------------------------------------------------
  // Planning a table

  private async plan(table: CatalogTable, forward: Set<ForeignKey>): Promise<TableContext | string> {
    const rowsWanted = Math.max(0, Math.floor(this.options.rowsPerTable))
    const seqPk = this.sequencePk(table)
    const ids = seqPk ? this.preallocated.get(table.name) : undefined
    const preallocated = seqPk && ids ? { column: seqPk.name, ids } : null
    // Columns the database fills: generated ones, and sequences (serial / identity) except a pre-allocated key.
    const insertColumns = table.columns.filter((column) => {
      if (column.generated) return false
      if (preallocated?.column === column.name) return true
      if (column.identity !== null) return false
      if (column.sequence && column.hasDefault && !table.foreignKeys.some((fk) => fk.columns.includes(column.name))) return false
      return true
    })
    const inserted = new Set(insertColumns.map((column) => column.name))
    for (const column of insertColumns) {
      if (column.sequence && preallocated?.column !== column.name) this.explicitSequenceColumns.add(`${table.name}\0${column.name}`)
    }
    const columnByName = new Map(table.columns.map((column) => [column.name, column]))
    const overriding = insertColumns.some((column) => column.identity === 'always')
    const bounds = checkBounds(table.checks)
    const relationOffsets = new Map<string, number>()
    const relations = checkRelations(table.checks)
    for (const relation of relations) {
      relationOffsets.set(relation.low, relationOffsets.get(relation.low) ?? 0)
      relationOffsets.set(relation.high, relationOffsets.get(relation.high) ?? 0)
    }
    for (let pass = 0; pass < relations.length; pass++) {
      for (const { low, high } of relations) {
        if (relationOffsets.get(high)! <= relationOffsets.get(low)!) relationOffsets.set(high, relationOffsets.get(low)! + 7)
      }
    }
    let target = rowsWanted
    if (preallocated) target = Math.min(target, preallocated.ids.length)

    // Unique sets: the primary key and every unique constraint / index.
    const uniqueSets: Array<{ columns: string[]; nullsNotDistinct: boolean }> = []
    if (table.primaryKey && table.primaryKey.length > 0) uniqueSets.push({ columns: table.primaryKey, nullsNotDistinct: true })
    for (const unique of table.uniques) {
      const columns = unique.expression ? [...new Set([...unique.columns, ...unique.expressionColumns])] : unique.columns
      if (columns.length > 0) uniqueSets.push({ columns, nullsNotDistinct: unique.nullsNotDistinct })
    }

    // Foreign keys.
    const fkPlans: FkPlan[] = []
    const fkByColumn = new Map<string, { plan: FkPlan; index: number }>()
    for (const fk of table.foreignKeys) {
      if (fk.columns.some((column) => fkByColumn.has(column) || !inserted.has(column))) continue
      const nullable = fkNullable(table, fk)
      let kind: FkPlan['kind'] = 'pool'
      let pool: string[][] = []
      if (fk.referencedSchema === table.schema && fk.referencedTable === table.name) kind = 'self'
      else if (forward.has(fk)) {
        const target = this.byName.get(fk.referencedTable)
        const targetPk = target ? this.sequencePk(target) : null
        const targetIds = target ? this.preallocated.get(target.name) : undefined
        if (nullable) kind = 'forward-null'
        else if (fk.deferrable && targetPk && targetIds && fk.referencedColumns.length === 1 && fk.referencedColumns[0] === targetPk.name) {
          kind = 'forward-deferred'
          pool = targetIds.map((id) => [id])
        } else {
          return `needs rows of ${fk.referencedTable} first (a cycle of NOT NULL foreign keys that cannot be deferred)`
        }
      } else {
        pool = await this.pool(fk.referencedSchema, fk.referencedTable, fk.referencedColumns, rowsWanted)
        if (pool.length === 0 && !nullable) return `references ${fk.referencedTable}, which has no rows`
      }
      const plan: FkPlan = { fk, kind, pool, distinct: false, stride: null, nullable }
      fk.columns.forEach((column) => fkByColumn.set(column, { plan, index: fkPlans.length }))
      fkPlans.push(plan)
    }

    // Distinct columns and foreign keys.
    const distinct = new Set<string>()
    const noNulls = new Set<string>()
    for (const set of uniqueSets) {
      const present = set.columns.filter((column) => inserted.has(column))
      if (present.length < set.columns.length) {
        // A column the database fills (a sequence) keeps the set distinct by itself.
        if (set.columns.some((column) => columnByName.get(column)?.sequence)) continue
      }
      if (set.nullsNotDistinct) present.forEach((column) => noNulls.add(column))
      if (present.length === 0) continue
      if (present.some((column) => distinct.has(column))) continue
      const fkPlansHere = [...new Set(present.map((column) => fkByColumn.get(column)?.plan).filter((plan) => plan !== undefined))]
      if (fkPlansHere.some((plan) => plan.distinct || plan.kind === 'self')) continue
      const plain = present.filter((column) => !fkByColumn.has(column))
      if (plain.length > 0) {
        const best = plain.map((name) => columnByName.get(name)!).sort((a, b) => distinctRank(a) - distinctRank(b))[0]!
        distinct.add(best.name)
        continue
      }
      if (fkPlansHere.length === 1) {
        fkPlansHere[0]!.distinct = true
        continue
      }
      // Only foreign keys (a many-to-many through table): distinct combinations.
      let stride = 1
      for (const plan of fkPlansHere) {
        if (plan.stride !== null) break
        plan.stride = stride
        stride *= Math.max(plan.pool.length, 1)
      }
      if (!fkPlansHere.some((plan) => plan.nullable)) target = Math.min(target, stride)
    }
    for (const [name, hint] of this.options.hints?.get(table.name) ?? []) {
      if (hint.defaultDistinct && inserted.has(name) && !fkByColumn.has(name)) distinct.add(name)
    }
    if (preallocated) distinct.delete(preallocated.column)
    for (const plan of fkPlans) {
      if ((plan.kind === 'pool' || plan.kind === 'forward-deferred') && plan.distinct && !plan.nullable) target = Math.min(target, plan.pool.length)
    }
    for (const name of distinct) {
      const column = columnByName.get(name)!
      if (!column.nullable || noNulls.has(name)) target = Math.min(target, distinctCapacity(column, bounds.get(name)))
    }

    const returning = new Set<string>(table.primaryKey ?? [])
    for (const set of this.referencedSets.get(table.name) ?? []) set.forEach((column) => returning.add(column))
    return {
      table,
      insertColumns,
      overriding,
      fkPlans,
      fkByColumn,
      distinct,
      noNulls,
      bounds,
      relationOffsets,
      preallocated,
      returning: [...returning].filter((column) => columnByName.has(column)),
      target,
      used: new Map(),
      nextKey: new Map()
    }
  }

  // -------------------------------------------------------------------------
  // Generating rows

  /** A value the code itself would write (a choice, a default), for the rows given to them. */
  private hintedValue(ctx: TableContext, column: CatalogColumn, row: number): string | null {
    const hint = this.options.hints?.get(ctx.table.name)?.get(column.name)
    if (!hint) return null
    const choices = hint.choices ?? []
    // The ordinary rows, then one row per choice: every kind of row exists.
    if (choices.length > 0 && row < ORDINARY_ROWS + choices.length) return choices[row % choices.length]!
    const defaults = hint.defaultDistinct ? [] : (hint.defaults ?? [])
    if (defaults.length > 0 && row >= ORDINARY_ROWS + choices.length && row < ORDINARY_ROWS + choices.length + 2) return defaults[0]!
    return null
  }

  private columnValue(ctx: TableContext, column: CatalogColumn, position: number, row: number, state: RowState): Value {
    const override = state.modes.get(column.name)
    if (override === 'null') return null
    const hinted = override === undefined ? this.hintedValue(ctx, column, row) : null
    const hintBounds = ctx.bounds.get(column.name)
    if (hinted !== null && !ctx.distinct.has(column.name) && !(hintBounds && isExcluded(column, hinted, hintBounds))) return hinted
    const related = ctx.relationOffsets.get(column.name)
    const mode: ValueMode = override ?? (related === undefined ? 'planned' : 'ordinary')
    const distinct = ctx.distinct.has(column.name)
    if (override === undefined && column.nullable && !ctx.noNulls.has(column.name) && row >= ORDINARY_ROWS && (row + position) % 3 === 0) return null
    // Duplicates on purpose: every fourth adversarial row repeats the row before it.
    const source = mode === 'planned' && !distinct && row > ORDINARY_ROWS && row % 4 === 0 ? row - 1 : row
    const variant = distinct ? state.variant : 0
    const bounds = ctx.bounds.get(column.name) ?? null
    const random = mulberry32(hashParts(this.seed, ctx.table.name, column.name, source, variant))
    const offset = mode === 'ordinary' ? (state.offsets.get(column.name) ?? related ?? 0) : 0
    let value = generateValue(column, { row: source + offset, mode, random, distinct, variant, bounds })
    if (value !== null && bounds && isExcluded(column, value, bounds)) {
      value = generateValue(column, { row: source, mode: mode === 'planned' ? 'ordinary' : 'conservative', random, distinct, variant, bounds })
      if (value !== null && isExcluded(column, value, bounds)) value = distinctValue(column, row + 1, bounds)
    }
    if (value === null || !distinct) return value
    let used = ctx.used.get(column.name)
    if (!used) ctx.used.set(column.name, (used = new Set()))
    let key = uniquenessKey(column, value)
    let next = ctx.nextKey.get(column.name) ?? 0
    for (let tries = 0; used.has(key) && tries < 10_000; tries++) {
      const candidate = distinctValue(column, next++, bounds)
      if (candidate === null) break
      if (bounds && isExcluded(column, candidate, bounds)) continue
      value = candidate
      key = uniquenessKey(column, value)
    }
    ctx.nextKey.set(column.name, next)
    // No distinct value left (a boolean, an enum): NULLs do not collide.
    if (used.has(key) && column.nullable && !ctx.noNulls.has(column.name)) return null
    used.add(key)
    return value
  }

  private fkValue(ctx: TableContext, plan: FkPlan, index: number, row: number, state: RowState, own: Map<string, Value>, previous: Map<string, Value> | null): string[] | null {
    const forcedNull = plan.fk.columns.some((column) => state.modes.get(column) === 'null')
    if (forcedNull && plan.nullable) return null
    const plannedNull = plan.nullable && row >= ORDINARY_ROWS && (row + index) % 3 === 0 && state.modes.size === 0
    switch (plan.kind) {
      case 'forward-null':
        return null
      case 'self': {
        const source = state.selfOwn || !previous ? (plan.nullable && !state.selfOwn ? null : own) : previous
        if (!source || plannedNull) return null
        const tuple = plan.fk.referencedColumns.map((column) => source.get(column) ?? null)
        return tuple.some((value) => value === null) ? null : (tuple as string[])
      }
      default: {
        const size = plan.pool.length
        if (size === 0) return null
        if (plannedNull) return null
        let position: number
        if (plan.distinct && plan.nullable && row >= size) return null
        if (plan.distinct) position = row + state.fkShift * ctx.target
        // The digit for this key plus the lower digits: still distinct combinations, but spread out.
        else if (plan.stride !== null) position = (Math.floor(row / plan.stride) % size) + (row % plan.stride) + state.fkShift
        else if (row < ORDINARY_ROWS && state.fkShift === 0) position = row
        else position = Math.floor(mulberry32(hashParts(this.seed, ctx.table.name, plan.fk.name, row, state.fkShift))() * size)
        return plan.pool[position % size]!
      }
    }
  }

  /** The values of row `row` in `ctx.insertColumns` order, and all of them by column name. */
  private generateRow(ctx: TableContext, row: number, state: RowState, previous: Map<string, Value> | null): { values: Value[]; byName: Map<string, Value> } {
    const byName = new Map<string, Value>()
    ctx.insertColumns.forEach((column, position) => {
      if (ctx.fkByColumn.has(column.name)) return
      if (ctx.preallocated?.column === column.name) {
        byName.set(column.name, ctx.preallocated.ids[row] ?? null)
        return
      }
      byName.set(column.name, this.columnValue(ctx, column, position, row, state))
    })
    for (const [index, plan] of ctx.fkPlans.entries()) {
      const tuple = this.fkValue(ctx, plan, index, row, state, byName, previous)
      plan.fk.columns.forEach((column, i) => byName.set(column, tuple ? tuple[i]! : null))
    }
    return { values: ctx.insertColumns.map((column) => byName.get(column.name) ?? null), byName }
  }

  // -------------------------------------------------------------------------
  // Inserting

  private insertSql(ctx: TableContext, rows: Value[][]): string {
    const target = qualifiedName(ctx.table.schema, ctx.table.name)
    const returning = this.returningSql(ctx)
    if (ctx.insertColumns.length === 0) {
      return rows.length === 1
        ? `INSERT INTO ${target} DEFAULT VALUES${returning}`
        : `INSERT INTO ${target} SELECT FROM generate_series(1, ${rows.length})${returning}`
    }
    const columns = ctx.insertColumns.map((column) => quoteIdent(column.name)).join(', ')
    // A NOT NULL column this module has no value for falls back on its default, when it has one.
    const useDefault = ctx.insertColumns.map((column) => !column.nullable && column.hasDefault)
    const values = rows.map((row) => `(${row.map((value, i) => (value === null && useDefault[i] ? 'DEFAULT' : sqlLiteral(value))).join(', ')})`).join(',\n')
    return `INSERT INTO ${target} (${columns})${ctx.overriding ? ' OVERRIDING SYSTEM VALUE' : ''} VALUES ${values}${returning}`
  }

  private returningSql(ctx: TableContext): string {
    const items = ctx.returning.map((column, i) => `${quoteIdent(column)}::text AS r${i}`)
    if (!ctx.table.primaryKey && ctx.table.kind === 'table') items.push('ctid::text AS r_ctid')
    return items.length > 0 ? ` RETURNING ${items.join(', ')}` : ''
  }

  private async seedTable(table: CatalogTable, forward: Set<ForeignKey>): Promise<SeedTableResult> {
    const planned = await this.plan(table, forward)
    if (typeof planned === 'string') return { table: table.name, rows: 0, skipped: planned }
    const ctx = planned
    if (ctx.target <= 0) {
      return { table: table.name, rows: 0, skipped: this.options.rowsPerTable <= 0 ? 'no rows asked for' : 'no room for a row under its keys' }
    }
    for (const plan of ctx.fkPlans) {
      if (plan.kind === 'forward-deferred') {
        this.deferred.push({ table, fk: plan.fk })
        await this.guarded(`SET CONSTRAINTS ${qualifiedName(table.schema, plan.fk.name)} DEFERRED`)
      }
    }
    const returned: Array<Record<string, string | null>> = []
    const insertedRows: Array<Map<string, Value>> = []
    let failedRows = 0
    let lastError: string | undefined

    const freshState = (): RowState => ({ modes: new Map(), variant: 0, fkShift: 0, selfOwn: false, offsets: new Map(), stages: new Map() })
    for (let start = 0; start < ctx.target; start += CHUNK_ROWS) {
      const end = Math.min(ctx.target, start + CHUNK_ROWS)
      const planned: Array<{ values: Value[]; byName: Map<string, Value> }> = []
      for (let row = start; row < end; row++) {
        planned.push(this.generateRow(ctx, row, freshState(), row > 0 ? (planned[row - start - 1]?.byName ?? insertedRows.at(-1) ?? null) : null))
      }
      const sqlText = this.insertSql(ctx, planned.map((row) => row.values))
      const batch = await this.guarded(sqlText)
      if (!('error' in batch)) {
        returned.push(...batch.rows)
        insertedRows.push(...planned.map((row) => row.byName))
        continue
      }
      // Row by row, each row with its retries.
      let failedInARow = 0
      for (let row = start; row < end; row++) {
        const state = freshState()
        let attempt = 0
        let current = planned[row - start]!
        let done = false
        let error: pg.DatabaseError | Error | undefined
        while (attempt < MAX_ATTEMPTS) {
          const result = await this.guarded(this.insertSql(ctx, [current.values]))
          if (!('error' in result)) {
            returned.push(...result.rows)
            insertedRows.push(current.byName)
            done = true
            break
          }
          error = result.error
          if (!this.escalate(ctx, state, result.error)) break
          attempt++
          current = this.generateRow(ctx, row, state, insertedRows.at(-1) ?? null)
        }
        if (done) {
          failedInARow = 0
          continue
        }
        failedRows++
        lastError = errorText(error)
        failedInARow++
        if (insertedRows.length === 0 && failedInARow >= EARLY_GIVE_UP) {
          failedRows += ctx.target - row - 1
          break
        }
      }
      if (insertedRows.length === 0) break
    }

    this.recordInserted(ctx, returned)
    this.recordPending(ctx, returned)
    if (insertedRows.length === 0) {
      return { table: table.name, rows: 0, skipped: `no row could be inserted: ${lastError ?? 'unknown error'}` }
    }
    const result: SeedTableResult = { table: table.name, rows: insertedRows.length }
    const pk = table.primaryKey ?? []
    if (pk.length > 0 && pk.every((column) => ctx.returning.includes(column))) {
      const index = new Map(ctx.returning.map((column, i) => [column, `r${i}`]))
      result.primaryKey = [...pk]
      result.ordinaryKeys = returned.slice(0, ORDINARY_ROWS).map((row) => pk.map((column) => row[index.get(column)!] ?? ''))
    }
    if (failedRows > 0) {
      result.failedRows = failedRows
      if (lastError) result.lastError = lastError
    }
    return result
  }

  /**
   * Changes the row's state after `error` so that the next attempt differs
   * where it matters; false when there is nothing left to try.
   */
  private escalate(ctx: TableContext, state: RowState, error: pg.DatabaseError | Error): boolean {
    const db = error as Partial<pg.DatabaseError>
    const table = ctx.table
    const plainColumns = ctx.insertColumns.map((column) => column.name).filter((name) => !ctx.fkByColumn.has(name) && ctx.preallocated?.column !== name)
    // Retries for a set of columns, in stages: ordinary values; ordinary values
    // spread apart in both directions (for checks like `start < end`);
    // conservative values; NULL where allowed.
    const escalateColumns = (stageKey: string, names: string[]): boolean => {
      const columns = names.filter((name) => table.columns.some((c) => c.name === name) && !ctx.fkByColumn.has(name) && ctx.preallocated?.column !== name)
      for (let stage = state.stages.get(stageKey) ?? 0; stage < 5; stage++) {
        state.stages.set(stageKey, stage + 1)
        let changed = false
        const setMode = (name: string, mode: Mode) => {
          if ((state.modes.get(name) ?? 'planned') !== mode) changed = true
          state.modes.set(name, mode)
        }
        if (stage === 0) columns.forEach((name) => setMode(name, 'ordinary'))
        else if (stage === 1 || stage === 2) {
          if (columns.length < 2) continue
          columns.forEach((name, i) => {
            setMode(name, 'ordinary')
            state.offsets.set(name, (stage === 1 ? i : columns.length - 1 - i) * 7)
          })
          changed = true
        } else if (stage === 3) {
          columns.forEach((name) => {
            state.offsets.delete(name)
            setMode(name, 'conservative')
          })
        } else {
          columns.forEach((name) => {
            if (table.columns.find((c) => c.name === name)?.nullable) setMode(name, 'null')
          })
        }
        if (changed) return true
      }
      return false
    }
    switch (db.code) {
      case '23505': {
        // Unique: shift distinct values and foreign-key choices.
        if (state.variant >= 3) return false
        state.variant++
        state.fkShift++
        return true
      }
      case '23503': {
        const fk = table.foreignKeys.find((candidate) => candidate.name === db.constraint)
        const plan = fk ? ctx.fkPlans.find((candidate) => candidate.fk === fk) : undefined
        if (!plan) return escalateColumns('*', plainColumns)
        if (plan.nullable && !plan.fk.columns.every((column) => state.modes.get(column) === 'null')) {
          plan.fk.columns.forEach((column) => state.modes.set(column, 'null'))
          return true
        }
        if (plan.kind === 'self' && !state.selfOwn) {
          state.selfOwn = true
          return true
        }
        if (state.fkShift >= 3) return false
        state.fkShift++
        return true
      }
      case '23514': {
        const check = table.checks.find((candidate) => candidate.name === db.constraint)
        const involved = check?.columns.length ? check.columns : plainColumns
        return escalateColumns(`check:${db.constraint ?? ''}`, involved) || escalateColumns('*', plainColumns)
      }
      case '23502': {
        if (db.column && ctx.fkByColumn.has(db.column)) return false
        return escalateColumns(`column:${db.column ?? ''}`, db.column ? [db.column] : plainColumns) || escalateColumns('*', plainColumns)
      }
      default:
        return escalateColumns(`column:${db.column ?? ''}`, db.column ? [db.column] : plainColumns) || escalateColumns('*', plainColumns)
    }
  }

  private recordInserted(ctx: TableContext, returned: Array<Record<string, string | null>>): void {
    const sets = this.referencedSets.get(ctx.table.name) ?? []
    if (sets.length === 0) return
    const index = new Map(ctx.returning.map((column, i) => [column, `r${i}`]))
    const bySet = this.inserted.get(ctx.table.name) ?? new Map<string, string[][]>()
    for (const set of sets) {
      if (!set.every((column) => index.has(column))) continue
      const tuples: string[][] = []
      for (const row of returned) {
        const tuple = set.map((column) => row[index.get(column)!] ?? null)
        if (tuple.every((value) => value !== null)) tuples.push(tuple as string[])
      }
      bySet.set(set.join('\0'), tuples)
    }
    this.inserted.set(ctx.table.name, bySet)
  }

  /** Nullable references to a cycle's later table: remember the rows, to set them once that table has rows. */
  private recordPending(ctx: TableContext, returned: Array<Record<string, string | null>>): void {
    const plans = ctx.fkPlans.filter((plan) => plan.kind === 'forward-null')
    if (plans.length === 0 || returned.length === 0) return
    const pk = ctx.table.primaryKey
    let keyColumns: string[]
    let keys: string[][]
    if (pk && pk.length > 0) {
      const index = new Map(ctx.returning.map((column, i) => [column, `r${i}`]))
      keyColumns = pk
      keys = returned.map((row) => pk.map((column) => row[index.get(column)!] ?? ''))
    } else if (ctx.table.kind === 'table') {
      keyColumns = ['ctid']
      keys = returned.map((row) => [row.r_ctid ?? ''])
    } else return
    for (const plan of plans) this.pending.push({ table: ctx.table, plan, keyColumns, keys })
  }

  /** Sets the pending references that point at `seeded`, now that it has rows. */
  private async flushPending(seeded: CatalogTable): Promise<void> {
    for (const pending of this.pending.filter((item) => item.plan.fk.referencedTable === seeded.name)) {
      this.pending.splice(this.pending.indexOf(pending), 1)
      const { table, plan, keyColumns, keys } = pending
      const pool = await this.pool(plan.fk.referencedSchema, plan.fk.referencedTable, plan.fk.referencedColumns, keys.length)
      if (pool.length === 0) continue
      const rows: string[] = []
      keys.forEach((key, i) => {
        // Every third row keeps its NULL; one-to-one references take distinct rows.
        if (i >= ORDINARY_ROWS && i % 3 === 0) return
        if (plan.distinct && i >= pool.length) return
        const tuple = plan.distinct ? pool[i]! : pool[Math.floor(mulberry32(hashParts(this.seed, table.name, plan.fk.name, i))() * pool.length)]!
        rows.push(`(${[...key, ...tuple].map(sqlLiteral).join(', ')})`)
      })
      if (rows.length === 0) continue
      const columnOf = (name: string) => table.columns.find((column) => column.name === name)
      const keyNames = keyColumns.map((_, i) => `k${i}`)
      const valueNames = plan.fk.columns.map((_, i) => `v${i}`)
      const cast = (name: string, alias: string) => (name === 'ctid' ? `v.${alias}::tid` : `v.${alias}::${columnOf(name)?.dataType ?? 'text'}`)
      const set = plan.fk.columns.map((column, i) => `${quoteIdent(column)} = ${cast(column, valueNames[i]!)}`).join(', ')
      const where = keyColumns.map((column, i) => `t.${column === 'ctid' ? 'ctid' : quoteIdent(column)} = ${cast(column, keyNames[i]!)}`).join(' AND ')
      await this.guarded(
        `UPDATE ${qualifiedName(table.schema, table.name)} AS t SET ${set} FROM (VALUES ${rows.join(', ')}) AS v(${[...keyNames, ...valueNames].join(', ')}) WHERE ${where}`
      )
    }
  }

  /**
   * After a cycle seeded under deferred constraints: deletes rows whose
   * reference points nowhere (a row of the later table that failed), until
   * nothing dangles, then checks every deferred constraint now.
   */
  private async settleDeferred(): Promise<void> {
    if (this.deferred.length === 0) return
    const seededTables = this.tables.filter((table) => (this.results.get(table.name)?.rows ?? 0) > 0)
    for (let pass = 0; pass < 10; pass++) {
      let deleted = 0
      for (const table of seededTables) {
        for (const fk of table.foreignKeys) {
          const match = fk.columns.map((column, i) => `r.${quoteIdent(fk.referencedColumns[i]!)} = t.${quoteIdent(column)}`).join(' AND ')
          const present = fk.columns.map((column) => `t.${quoteIdent(column)} IS NOT NULL`).join(' AND ')
          const result = await this.guarded(
            `DELETE FROM ${qualifiedName(table.schema, table.name)} AS t WHERE ${present} AND NOT EXISTS (SELECT 1 FROM ${qualifiedName(fk.referencedSchema, fk.referencedTable)} AS r WHERE ${match})`
          )
          if ('error' in result || result.count === 0) continue
          deleted += result.count
          const entry = this.results.get(table.name)
          if (entry) entry.rows = Math.max(0, entry.rows - result.count)
        }
      }
      if (deleted === 0) break
    }
    const check = await this.guarded('SET CONSTRAINTS ALL IMMEDIATE')
    if ('error' in check) throw new SeedError(`seeding left a reference that points nowhere: ${errorText(check.error)}`)
  }
}

/** Whether a CHECK rules `value` out (`<>`), compared as text or as numbers. */
function isExcluded(column: CatalogColumn, value: string, bounds: ColumnBounds): boolean {
  if (bounds.notEqual.length === 0) return false
  return bounds.notEqual.some((excluded) => excluded === value || (column.category === 'N' && Number(excluded) === Number(value)))
}

/**
 * Fills every table of `catalog` (except django_migrations and
 * `excludeTables`) with `rowsPerTable` adversarial rows, in one transaction
 * on `client` (which must not be inside one already). A table that cannot be
 * seeded is reported as skipped with the reason; only a failure outside any
 * table (e.g. a lost connection) rejects.
 */
export async function seedDatabase(client: pg.ClientBase, catalog: Catalog, options: SeedOptions): Promise<SeedResult> {
  return new Seeder(client, catalog, options).run()
}

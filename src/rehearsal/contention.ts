// The running code's queries while a migration runs. A watcher connection
// polls pg_locks for blocking locks other sessions hold on the base schema's
// tables; for each such table a reader (SELECT) and a writer (an UPDATE that
// matches no row: the lock an INSERT or UPDATE takes) run with lock_timeout set
// to the budget, and how long each waited is recorded. The same watcher names
// any session the migration itself waits for (a data migration's second
// connection), with the holder's query. The probes change no row (the write is
// rolled back, statement-level triggers and all) and hold no lock past their own
// statement, so the migration runs as it would alone.
import pg from 'pg'
import { BLOCKING_MODES } from '../model/locks.js'
import type { Contention, ContentionWait, LockWait } from '../model/report.js'
import { quoteIdentifier } from '../postgres/admin.js'
import type { Run } from './run.js'

const POLL_MS = 20
const APPLICATION = 'dmr-contention'
/** Waits shorter than this are the normal cost of a busy table, not worth a line. */
const NOTABLE_WAIT_MS = 50
const BLOCKING = [...BLOCKING_MODES]

export interface Watched<T> {
  result: T
  /** Null when the queries could not be played (the note says why): nothing is known about waits. */
  contention: Contention | null
  lockWaits: LockWait[]
}

export async function underContention<T>(run: Run, database: string, baseTables: ReadonlySet<string>, work: () => Promise<T>): Promise<Watched<T>> {
  const budget = run.options.maxLockHoldMs
  const clients: pg.Client[] = []
  const open = async (): Promise<pg.Client> => {
    const client = new pg.Client({ ...run.server.connection(database), application_name: APPLICATION })
    client.on('error', () => {})
    await client.connect()
    clients.push(client)
    return client
  }
  let watcher: pg.Client
  // Our sessions: never mistaken for the migration's, neither as holders nor as waiters.
  const ours: number[] = []
  try {
    watcher = await open()
    ours.push((await watcher.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid)
  } catch (error) {
    // Watching is evidence about the migration, never a reason for it not to run.
    await Promise.all(clients.map((client) => client.end().catch(() => {})))
    run.notes.push(`the running code's queries could not be played beside the migrations: ${(error as Error).message}`)
    return { result: await work(), contention: null, lockWaits: [] }
  }
  // The reader and the writer connect when a blocking lock is first seen: most migrations never need them.
  const sessions = new Map<'reader' | 'writer', Promise<pg.Client>>()
  const session = (role: 'reader' | 'writer'): Promise<pg.Client> => {
    if (!sessions.has(role)) {
      sessions.set(
        role,
        open().then(async (client) => {
          const results = (await client.query(`SET lock_timeout = ${Math.max(1, budget)}; SELECT pg_backend_pid() AS pid`)) as unknown as Array<pg.QueryResult<{ pid: number }>>
          ours.push(results[1]!.rows[0]!.pid)
          return client
        })
      )
    }
    return sessions.get(role)!
  }

  const waits = new Map<string, ContentionWait>()
  const lockWaits = new Map<string, LockWait>()
  const firstColumn = new Map<string, string | null>()
  let probes = 0
  let maxWaitMs = 0
  let done = false
  const busy = new Set<string>()

  const probe = (role: 'reader' | 'writer', table: string, query: string, lock: string): void => {
    if (busy.has(role)) return
    busy.add(role)
    void session(role)
      .then(async (client) => {
        probes += 1
        const started = performance.now()
        // The write runs in a transaction rolled back at once: a statement-level trigger's effects go too.
        const sent = role === 'writer' ? `BEGIN; ${query}; ROLLBACK` : query
        const timedOut = await client.query(sent).then(
          () => false,
          async (error: { code?: string }) => {
            if (role === 'writer') await client.query('ROLLBACK').catch(() => {})
            return error.code === '55P03'
          }
        )
        const waitedMs = Math.round(performance.now() - started)
        maxWaitMs = Math.max(maxWaitMs, waitedMs)
        const id = `${table}\0${query}`
        if ((waitedMs >= NOTABLE_WAIT_MS || timedOut) && (waits.get(id)?.waitedMs ?? -1) < waitedMs) waits.set(id, { table, query, waitedMs, timedOut, lock })
      })
      .catch((error: unknown) => {
        if (!done) run.notes.push(`the running code's queries could not be played beside the migrations: ${(error as Error).message}`)
      })
      .finally(() => busy.delete(role))
  }

  const watch = async (): Promise<void> => {
    while (!done) {
      const { rows } = await watcher.query<{ relname: string; mode: string }>(
        `SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
         WHERE l.granted AND l.locktype = 'relation' AND c.relkind IN ('r', 'p') AND l.pid <> ALL($1::int[]) AND l.mode = ANY($2::text[])
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [ours, BLOCKING]
      )
      const strongest = new Map<string, string>()
      for (const row of rows) {
        if (!baseTables.has(row.relname)) continue
        const known = strongest.get(row.relname)
        if (known === undefined || BLOCKING.indexOf(row.mode) > BLOCKING.indexOf(known)) strongest.set(row.relname, row.mode)
      }
      for (const [table, mode] of strongest) {
        // Reads wait only behind ACCESS EXCLUSIVE; writes behind every blocking mode.
        if (mode === 'AccessExclusiveLock') probe('reader', table, `SELECT * FROM ${quoteIdentifier(table)} LIMIT 1`, mode)
        if (!firstColumn.has(table)) firstColumn.set(table, await columnOf(watcher, table))
        const column = firstColumn.get(table)
        if (column) probe('writer', table, `UPDATE ${quoteIdentifier(table)} SET ${quoteIdentifier(column)} = ${quoteIdentifier(column)} WHERE false`, mode)
      }
      await recordLockWaits(watcher, ours, lockWaits)
      await new Promise<void>((resolve) => {
        pause.wake = resolve
        setTimeout(resolve, POLL_MS)
      })
    }
  }
  // The migration's end wakes the watcher from its pause: a run is not held up to wait out a poll.
  const pause = { wake: (): void => {} }

  const watching = watch().catch((error: unknown) => {
    if (!done) run.notes.push(`watching the locks beside a migration stopped: ${(error as Error).message}`)
  })
  let result: T
  try {
    result = await work()
  } finally {
    done = true
    pause.wake()
    await watching
    // The probes still waiting end once the migration's locks are gone (or at their lock_timeout).
    const deadline = Date.now() + budget + 1000
    while (busy.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    await Promise.allSettled([...sessions.values()])
    await Promise.all(clients.map((client) => client.end().catch(() => {})))
  }
  return {
    result,
    contention: { probes, maxWaitMs, blocked: [...waits.values()].sort(worstFirst) },
    lockWaits: [...lockWaits.values()].sort((a, b) => b.waitedMs - a.waitedMs)
  }
}

/** Gave up before finished; reads (the whole site stalls) before writes; then longest. */
function worstFirst(a: ContentionWait, b: ContentionWait): number {
  const read = (wait: ContentionWait) => Number(wait.query.startsWith('SELECT'))
  return Number(b.timedOut) - Number(a.timedOut) || read(b) - read(a) || b.waitedMs - a.waitedMs
}

/** The first column of a table, for a write probe that names it. */
async function columnOf(client: pg.Client, table: string): Promise<string | null> {
  const { rows } = await client.query<{ attname: string }>(
    `SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum LIMIT 1`,
    [table]
  )
  return rows[0]?.attname ?? null
}

/** Sessions (not ours) waiting for a lock, with who holds it: the longest wait per statement. */
async function recordLockWaits(client: pg.Client, ours: readonly number[], found: Map<string, LockWait>): Promise<void> {
  const { rows } = await client.query<{ query: string; waited: number; relation: string | null; holders: Array<{ pid: number; state: string | null; query: string }> | null }>(
    `SELECT a.query, greatest(0, extract(epoch FROM clock_timestamp() - a.query_start) * 1000) AS waited,
            (SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = a.pid AND NOT l.granted LIMIT 1) AS relation,
            (SELECT json_agg(json_build_object('pid', h.pid, 'state', h.state, 'query', h.query))
               FROM pg_stat_activity h WHERE h.pid = ANY(pg_blocking_pids(a.pid))) AS holders
     FROM pg_stat_activity a
     WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND a.pid <> ALL($1::int[])`,
    [ours]
  )
  for (const row of rows) {
    // Our own probes wait behind the migration: that is contention, not a wait of the migration.
    const holders = (row.holders ?? []).filter((holder) => !ours.includes(holder.pid))
    if (holders.length === 0) continue
    const waitedMs = Math.round(Number(row.waited))
    const known = found.get(row.query)
    if (known === undefined || known.waitedMs < waitedMs) found.set(row.query, { query: row.query, waitedMs, relation: row.relation, holders })
  }
}

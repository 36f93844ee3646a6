// How fast this runner's server rewrites, scans and indexes a table, measured
// on a table of known size in a database of the run's own: the speeds the
// estimates for production's sizes scale from. Seeded tables of a few dozen
// rows cannot say it: their statements take the same millisecond whatever the
// work per row.
import type { Throughput, WorkKind } from '../model/report.js'
import type { Run } from './run.js'

/** Large enough that the fixed cost of a statement is small beside the work per row; ~30 MB with its index. */
const SAMPLE_ROWS = 250_000

const WORK: Record<WorkKind, { sql: string; indexes: boolean }> = {
  // Validating a new CHECK reads every row under the lock, as SET NOT NULL and a FOREIGN KEY do.
  scan: { sql: 'ALTER TABLE sample ADD CONSTRAINT sample_n_check CHECK (n >= 0)', indexes: false },
  'index-build': { sql: 'CREATE INDEX sample_n ON sample (n)', indexes: false },
  // A type change writes the table and every index again.
  rewrite: { sql: 'ALTER TABLE sample ALTER COLUMN n TYPE bigint', indexes: true }
}

export async function measureThroughput(run: Run): Promise<Throughput[]> {
  const database = await run.server.createDatabase({ label: 'throughput' })
  try {
    const client = await run.client(database)
    await client.query('SET statement_timeout = 120000')
    await client.query('CREATE TABLE sample (id bigserial PRIMARY KEY, n integer NOT NULL, label text NOT NULL, at timestamptz NOT NULL)')
    await client.query(`INSERT INTO sample (n, label, at) SELECT i, md5(i::text), now() - i * interval '1 minute' FROM generate_series(1, ${SAMPLE_ROWS}) AS i`)
    await client.query('VACUUM ANALYZE sample')
    const measured: Throughput[] = []
    for (const kind of ['scan', 'index-build', 'rewrite'] as const) {
      const { rows } = await client.query<{ table: string; indexes: string }>(
        "SELECT pg_table_size('sample') AS table, pg_indexes_size('sample') AS indexes"
      )
      const sampleBytes = Number(rows[0]!.table) + (WORK[kind].indexes ? Number(rows[0]!.indexes) : 0)
      const started = performance.now()
      await client.query(WORK[kind].sql)
      const sampleMs = Math.max(1, performance.now() - started)
      measured.push({ kind, bytesPerMs: Math.round(sampleBytes / sampleMs), sampleBytes, sampleMs: Math.round(sampleMs) })
    }
    return measured
  } finally {
    await run.drop(database)
  }
}

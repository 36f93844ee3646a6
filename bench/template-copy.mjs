// Benchmark: a 1 GB template database (template-database). PostgreSQL's
// TEMPLATE copies the database's files, so every database of the rehearsal
// costs a full copy: this measures one copy (both strategies of PostgreSQL 15
// and later), and then the whole review of a 2-migration PR on that template
// (an index and a column on the 1 GB table), with the copy time from the
// report's timings and the peak disk the run's databases took.
//   node bench/template-copy.mjs [--gb 1] [--copies 3]
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { commit, generateProject, packLikeAClone } from './generate.mjs'
import { load, startPostgres } from './pg.mjs'

const root = resolve(import.meta.dirname, '..')
const { values } = parseArgs({ options: { gb: { type: 'string' }, copies: { type: 'string' } } })
const gb = Number(values.gb ?? 1)
const copies = Number(values.copies ?? 3)
const venv = JSON.parse(readFileSync(join(root, '.cache/venvs/index.json'), 'utf8')).find((v) => v.series === '5.2')
const GiB = 1024 ** 3

const dir = mkdtempSync(join(tmpdir(), 'dmr-bench-template-'))
// A staging server keeps its data on disk: so does this one (not /dev/shm).
const postgres = await startPostgres({ base: tmpdir() })
try {
  const project = generateProject(dir, { apps: 10, perApp: 20 })
  project.write(
    'project/settings.py',
    readFileSync(join(dir, 'project/settings.py'), 'utf8').replace(
      /DATABASES = .*\n/,
      'import os\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ.get("BENCH_DB", "bench"), "HOST": "127.0.0.1", "PORT": os.environ.get("BENCH_PORT", "5432"), "USER": "postgres"}}\n'
    )
  )
  commit(dir, 'settings from the environment')

  // The template: the base branch migrated, then app00_thing0 filled to the size asked for.
  const started = performance.now()
  postgres.psql('CREATE DATABASE snapshot')
  execFileSync(venv.python, ['manage.py', 'migrate', '--noinput', '-v', '0'], { cwd: dir, env: { ...process.env, DJANGO_SETTINGS_MODULE: 'project.settings', BENCH_DB: 'snapshot', BENCH_PORT: String(postgres.port) } })
  const columns = postgres.psql(
    "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'app00_thing0' AND column_name <> 'id'",
    'snapshot'
  ).split(',').map((entry) => entry.split(':'))
  const value = ([name, type]) =>
    type === 'text' ? `repeat(md5(g::text), 28)` : type === 'character varying' ? `left(md5(g::text) || '${name}', 90)` : type === 'boolean' ? 'false' : type.includes('timestamp') ? 'now()' : type === 'numeric' ? '1.50' : '1'
  // Batches of 100,000 rows until the database holds the size asked for.
  let rows = 0
  while (Number(postgres.psql("SELECT pg_database_size('snapshot')")) < gb * GiB) {
    postgres.psql(`INSERT INTO app00_thing0 (${columns.map(([name]) => `"${name}"`).join(', ')}) SELECT ${columns.map(value).join(', ')} FROM generate_series(${rows + 1}, ${rows + 100_000}) AS g`, 'snapshot')
    rows += 100_000
  }
  postgres.psql('VACUUM ANALYZE', 'snapshot')
  postgres.psql('CHECKPOINT')
  const size = Number(postgres.psql("SELECT pg_database_size('snapshot')"))
  const made = performance.now() - started
  console.log(`template benchmark: a ${(size / GiB).toFixed(2)} GiB template (${rows.toLocaleString('en-US')} rows in app00_thing0, made in ${(made / 1000).toFixed(0)} s); PostgreSQL ${postgres.psql('SHOW server_version')} with its data on disk (${tmpdir()}); ${load()}`)

  // One copy, as the run makes each of its databases.
  const strategies = Number(postgres.psql('SHOW server_version_num')) >= 150000 ? ['WAL_LOG', 'FILE_COPY'] : ['default']
  for (const strategy of strategies) {
    const times = []
    for (let i = 0; i < copies; i++) {
      const begun = performance.now()
      postgres.psql(`CREATE DATABASE copy_${i} TEMPLATE snapshot${strategy === 'default' ? '' : ` STRATEGY ${strategy}`}`)
      times.push(performance.now() - begun)
      postgres.psql(`DROP DATABASE copy_${i}`)
    }
    const sorted = [...times].sort((a, b) => a - b)
    console.log(`  CREATE DATABASE … TEMPLATE (${strategy}${strategy === 'WAL_LOG' ? ', the default' : ''}): median ${(sorted[Math.floor(copies / 2)] / 1000).toFixed(1)} s of ${copies} (${times.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s), ${((size / GiB) / (sorted[Math.floor(copies / 2)] / 1000)).toFixed(2)} GiB/s; each copy takes ${(size / GiB).toFixed(2)} GiB on disk`)
  }

  // The review of a PR touching the big table.
  execFileSync('git', ['checkout', '-q', '-b', 'feature'], { cwd: dir })
  project.write('app00/migrations/0021_pr_note.py', project.migration({ dependencies: [['app00', project.leaves.get('app00')]], operations: ['migrations.AddField(model_name="thing0", name="pr_note", field=models.TextField(null=True))'] }))
  project.write('app00/migrations/0022_pr_index.py', project.migration({ dependencies: [['app00', '0021_pr_note']], operations: ['migrations.AddIndex(model_name="thing0", index=models.Index(fields=["name"], name="pr_name_idx"))'] }))
  project.write('app00/models.py', `${readFileSync(join(dir, 'app00/models.py'), 'utf8')}    pr_note = models.TextField(null=True)\n\n    class Meta:\n        indexes = [models.Index(fields=["name"], name="pr_name_idx")]\n`)
  commit(dir, 'the pull request: a column and an index on the big table')
  execFileSync('git', ['checkout', '-q', 'main'], { cwd: dir })
  packLikeAClone(dir)

  // The disk the run's databases take, sampled while it runs.
  let peak = 0
  let sampling = true
  const sample = async () => {
    while (sampling) {
      const used = await new Promise((done) => {
        const child = spawn('psql', ['-h', '127.0.0.1', '-p', String(postgres.port), '-U', 'postgres', '-d', 'postgres', '-qAtc', "SELECT coalesce(sum(pg_database_size(datname)), 0) FROM pg_database WHERE datname LIKE 'dmr\\_%'"])
        let out = ''
        child.stdout.on('data', (chunk) => (out += chunk))
        child.on('close', () => done(Number(out.trim()) || 0))
      })
      peak = Math.max(peak, used)
      await new Promise((done) => setTimeout(done, 250))
    }
  }
  const sampler = sample()
  const begun = performance.now()
  const result = await new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'dist/cli.js'), '--repo', dir, '--base', 'main', '--head', 'feature', '--database-url', postgres.url('postgres'), '--template-database', 'snapshot', '--python', venv.python, '--format', 'json', '--fail-on', 'never'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('close', (status) => done({ status, stdout, stderr }))
  })
  const ms = performance.now() - begun
  sampling = false
  await sampler
  if (result.status !== 0 && result.status !== 1) throw new Error(`the review failed (${result.status}):\n${result.stderr.slice(-3000)}`)
  const report = JSON.parse(result.stdout)
  const r = report.rehearsal
  console.log(`  the review on it (template-database, a PR adding a column and an index to the ${(size / GiB).toFixed(2)} GiB table): ${(ms / 1000).toFixed(1)} s, rehearsal ${r.status}${r.reason ? ` (${r.reason})` : ''}, verdict ${report.verdict}`)
  console.log(`    first copy ${(r.template?.copyMs / 1000).toFixed(1)} s (timings' copy-template); rehearsal phases (ms): ${Object.entries(r.timings ?? {}).map(([phase, t]) => `${phase} ${t}`).join(', ')}`)
  const index = report.migrations.find((migration) => migration.name === '0022_pr_index')
  const create = index?.statements.find((statement) => /CREATE INDEX/i.test(statement.sql))
  if (create) console.log(`    CREATE INDEX on the real rows: ${(create.ms / 1000).toFixed(1)} s holding ${create.locks.filter((lock) => lock.relation === 'app00_thing0').map((lock) => lock.mode).join(', ')}`)
  console.log(`    peak disk of the run's databases: ${(peak / GiB).toFixed(2)} GiB (${(peak / size).toFixed(1)}× the template); none left after the run: ${postgres.psql("SELECT count(*) FROM pg_database WHERE datname LIKE 'dmr\\_%'") === '0'}`)
} finally {
  await postgres.stop()
  rmSync(dir, { recursive: true, force: true })
}

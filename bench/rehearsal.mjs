// Benchmark: the whole rehearsal (static review, base migrate, seeding,
// per-statement tracing, old/new code probes, reverse, re-apply, missing
// migrations) of a 5-migration PR on a project of 200 migrations, against
// the plain script a team would otherwise write on the same server:
//   python manage.py migrate            (head, from zero)
//   python manage.py migrate <app> <previous>   (per app the PR touches)
// Both as fresh processes, on one throwaway PostgreSQL, measured in one run.
//   node bench/rehearsal.mjs [--apps 10] [--per-app 20] [--runs 3]
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { commit, generateProject, packLikeAClone } from './generate.mjs'

const root = resolve(import.meta.dirname, '..')
const { values } = parseArgs({ options: { apps: { type: 'string' }, 'per-app': { type: 'string' }, runs: { type: 'string' } } })
const apps = Number(values.apps ?? 10)
const perApp = Number(values['per-app'] ?? 20)
const runs = Number(values.runs ?? 3)
const venv = JSON.parse(readFileSync(join(root, '.cache/venvs/index.json'), 'utf8')).find((v) => v.series === '5.2')

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => done(port))
    })
  })

/** A throwaway PostgreSQL for both contenders (as the postgres OS user when run as root). */
async function startPostgres() {
  const bin = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim()
  const dir = mkdtempSync(join(tmpdir(), 'dmr-bench-pg-'))
  const asRoot = process.getuid?.() === 0
  const user = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) } : {}
  if (asRoot) chownSync(dir, user.uid, user.gid)
  execFileSync(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { ...user, stdio: 'ignore' })
  const port = await freePort()
  const server = spawn(join(bin, 'postgres'), ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'], { ...user, stdio: 'ignore' })
  for (let i = 0; i < 100; i++) {
    if (spawnSync(join(bin, 'pg_isready'), ['-h', dir, '-p', String(port)]).status === 0) break
    await new Promise((done) => setTimeout(done, 100))
  }
  return {
    port,
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    psql: (sql) => execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-qAtc', sql]),
    stop: async () => {
      server.kill('SIGINT')
      await new Promise((done) => server.on('exit', done))
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'dmr-bench-rehearsal-'))
const postgres = await startPostgres()
try {
  const project = generateProject(dir, { apps, perApp })
  // Settings that a team's CI points at its database through the environment.
  project.write(
    'project/settings.py',
    readFileSync(join(dir, 'project/settings.py'), 'utf8').replace(
      /DATABASES = .*\n/,
      'import os\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ.get("BENCH_DB", "bench"), "HOST": "127.0.0.1", "PORT": os.environ.get("BENCH_PORT", "5432"), "USER": "postgres"}}\n'
    )
  )
  commit(dir, 'settings from the environment')
  execFileSync('git', ['checkout', '-q', '-b', 'feature'], { cwd: dir })
  const touched = ['app01', 'app03', 'app05', 'app07', 'app09'].slice(0, Math.min(5, apps))
  const prOperations = [
    'migrations.AddField(model_name="thing0", name="pr_note", field=models.TextField(null=True))',
    'migrations.AddField(model_name="thing0", name="pr_stock", field=models.IntegerField(default=0))',
    'migrations.AlterField(model_name="thing0", name="name", field=models.CharField(max_length=200))',
    'migrations.AddIndex(model_name="thing0", index=models.Index(fields=["name"], name="pr_name_idx"))',
    'migrations.RunSQL("UPDATE %s_thing0 SET name = upper(name)", migrations.RunSQL.noop)'
  ]
  touched.forEach((app, i) => {
    const operation = prOperations[i % prOperations.length].replace('%s', app)
    project.write(`${app}/migrations/${String(perApp + 1).padStart(4, '0')}_pr.py`, project.migration({ dependencies: [[app, project.leaves.get(app)]], operations: [operation] }))
  })
  commit(dir, 'the pull request: 5 migrations')
  execFileSync('git', ['checkout', '-q', 'main'], { cwd: dir })
  packLikeAClone(dir)

  const time = (command, args, options = {}) => {
    const started = process.hrtime.bigint()
    const result = spawnSync(command, args, { encoding: 'utf8', ...options })
    if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`)
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, stdout: result.stdout }
  }

  // The plain script, in a checkout of the PR's head.
  const head = mkdtempSync(join(tmpdir(), 'dmr-bench-head-'))
  execFileSync('git', ['worktree', 'add', '-q', '--detach', head, 'feature'], { cwd: dir })
  const plainScript = (n) => {
    postgres.psql(`CREATE DATABASE plain_${n}`)
    const env = { ...process.env, DJANGO_SETTINGS_MODULE: 'project.settings', BENCH_DB: `plain_${n}`, BENCH_PORT: String(postgres.port), PYTHONDONTWRITEBYTECODE: '1' }
    let ms = time(venv.python, ['manage.py', 'migrate', '--noinput'], { cwd: head, env }).ms
    for (const app of touched) ms += time(venv.python, ['manage.py', 'migrate', app, project.leaves.get(app), '--noinput'], { cwd: head, env }).ms
    return ms
  }
  const ours = () => {
    const run = time(process.execPath, [join(root, 'dist/cli.js'), '--repo', dir, '--base', 'main', '--head', 'feature', '--postgres', 'url', '--database-url', postgres.url('postgres'), '--python', venv.python, '--format', 'json', '--fail-on', 'never'])
    return { ms: run.ms, report: JSON.parse(run.stdout) }
  }

  plainScript('warm')
  ours()
  const plain = []
  const mine = []
  let report
  for (let i = 0; i < runs; i++) {
    plain.push(plainScript(i))
    const run = ours()
    mine.push(run.ms)
    report = run.report
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]
  const phases = Object.entries(report.rehearsal.timings ?? {})
    .map(([phase, ms]) => `${phase} ${ms}`)
    .join(', ')
  console.log(`rehearsal benchmark: ${apps * perApp} migrations in ${apps} apps, a PR of ${touched.length}; Django ${venv.django}; ${runs} runs each, medians; same PostgreSQL server`)
  console.log(`  plain script (migrate from zero + migrate <app> <previous> × ${touched.length}): ${median(plain).toFixed(0)} ms`)
  console.log(`  django-migration-review, whole process, full rehearsal:          ${median(mine).toFixed(0)} ms`)
  console.log(`    verdict ${report.verdict}; seeded ${report.rehearsal.seededRows} rows; phases (ms): ${phases}`)
  console.log(`  ratio ours / plain script: ${(median(mine) / median(plain)).toFixed(2)}  (aim: at most 1.00)`)
  execFileSync('git', ['worktree', 'remove', '--force', head], { cwd: dir })
} finally {
  await postgres.stop()
  rmSync(dir, { recursive: true, force: true })
}

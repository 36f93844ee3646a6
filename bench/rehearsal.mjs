// Benchmark: the whole rehearsal (static review, base migrate, seeding,
// per-statement tracing, old/new code probes, reverse, re-apply, missing
// migrations) of a 5-migration PR on a project of 200 migrations, against
// the plain script a team would otherwise write on the same server:
//   python manage.py migrate            (head, from zero)
//   python manage.py migrate <app> <previous>   (per app the PR touches)
// Ours three ways: without the base-schema cache; with an empty cache-dir
// (a miss: migrate, seed, save); with the saved entry (a hit: restore).
// All as fresh processes, on one throwaway PostgreSQL, measured in one run,
// alternating so machine noise hits each alike.
//   node bench/rehearsal.mjs [--apps 10] [--per-app 20] [--runs 3]
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { commit, generateProject, packLikeAClone } from './generate.mjs'
import { load, startPostgres } from './pg.mjs'

const root = resolve(import.meta.dirname, '..')
const { values } = parseArgs({ options: { apps: { type: 'string' }, 'per-app': { type: 'string' }, runs: { type: 'string' } } })
const apps = Number(values.apps ?? 10)
const perApp = Number(values['per-app'] ?? 20)
const runs = Number(values.runs ?? 3)
const venv = JSON.parse(readFileSync(join(root, '.cache/venvs/index.json'), 'utf8')).find((v) => v.series === '5.2')

const dir = mkdtempSync(join(tmpdir(), 'dmr-bench-rehearsal-'))
const caches = mkdtempSync(join(tmpdir(), 'dmr-bench-cache-'))
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
  const ours = (extra = []) => {
    const run = time(process.execPath, [join(root, 'dist/cli.js'), '--repo', dir, '--base', 'main', '--head', 'feature', '--postgres', 'url', '--database-url', postgres.url('postgres'), '--python', venv.python, '--format', 'json', '--fail-on', 'never', ...extra])
    return { ms: run.ms, report: JSON.parse(run.stdout) }
  }
  const warmCache = join(caches, 'warm')
  let misses = 0
  const variants = {
    none: () => ours(),
    quiet: () => ours(['--contention', 'false']),
    miss: () => ours(['--cache-dir', join(caches, `miss-${misses++}`)]),
    hit: () => ours(['--cache-dir', warmCache])
  }

  // Warm-up (disk cache, the compile cache) and the entry the hits restore.
  plainScript('warm')
  ours(['--cache-dir', warmCache])
  const plain = []
  const mine = { none: [], quiet: [], miss: [], hit: [] }
  const reports = {}
  for (let i = 0; i < runs; i++) {
    plain.push(plainScript(i))
    for (const [name, run] of Object.entries(variants)) {
      const result = run()
      mine[name].push(result.ms)
      reports[name] = result.report
    }
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]
  const phases = (report) => Object.entries(report.rehearsal.timings ?? {}).map(([phase, ms]) => `${phase} ${ms}`).join(', ')
  const before = (report) => Object.entries(report.timings).filter(([key]) => !['gitMs', 'parseMs', 'analysisMs'].includes(key)).map(([key, ms]) => `${key} ${ms}`).join(', ')
  const cache = (report) => report.rehearsal.baseCache ? `cache ${report.rehearsal.baseCache.status}` : 'no cache'
  const basePlain = median(plain)
  console.log(`rehearsal benchmark: ${apps * perApp} migrations in ${apps} apps, a PR of ${touched.length}; Django ${venv.django}; ${runs} runs each, medians; one PostgreSQL server for all, ${postgres.where}; ${load()}`)
  console.log(`  plain script (migrate from zero + migrate <app> <previous> × ${touched.length}): ${basePlain.toFixed(0)} ms`)
  for (const [name, label] of [['none', 'without the base-schema cache'], ['quiet', 'same, with --contention false'], ['miss', 'cache miss (migrate, seed, save)'], ['hit', 'cache hit (restore)']]) {
    const report = reports[name]
    console.log(`  django-migration-review, ${label.padEnd(33)} ${median(mine[name]).toFixed(0).padStart(6)} ms  ratio ${(median(mine[name]) / basePlain).toFixed(2)}  (verdict ${report.verdict}, ${cache(report)})`)
    console.log(`      ${before(report)}; rehearsal phases (ms): ${phases(report)}`)
  }
  console.log(`  what playing the running code's queries beside each migration costs: ${(median(mine.none) / median(mine.quiet)).toFixed(2)}× the run without it (${(median(mine.none) - median(mine.quiet)).toFixed(0)} ms)`)
  console.log(`  ratio with a warm cache: ${(median(mine.hit) / basePlain).toFixed(2)} (aim: at most 0.30); on a miss: ${(median(mine.miss) / basePlain).toFixed(2)}; without the cache: ${(median(mine.none) / basePlain).toFixed(2)}`)
  execFileSync('git', ['worktree', 'remove', '--force', head], { cwd: dir })
} finally {
  await postgres.stop()
  rmSync(dir, { recursive: true, force: true })
  rmSync(caches, { recursive: true, force: true })
}

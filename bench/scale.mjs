// Benchmark: a project of saleor's size. 1,500 migrations in 60 apps, 150 of
// them merge migrations, and a pull request of 20 migrations (10 apps, two
// each: nullable and defaulted columns, a widened column, an index, a data
// update). The full rehearsal with the default timeout, once without the
// base-schema cache and once restoring it; prints each phase's time and the
// peak memory of our process (Node; Postgres and Python are other processes).
//   node bench/scale.mjs [--apps 60] [--per-app 25] [--merges 150] [--pr 20]
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { commit, generateProject, packLikeAClone } from './generate.mjs'
import { load, startPostgres } from './pg.mjs'

const root = resolve(import.meta.dirname, '..')
const { values } = parseArgs({ options: { apps: { type: 'string' }, 'per-app': { type: 'string' }, merges: { type: 'string' }, pr: { type: 'string' } } })
const apps = Number(values.apps ?? 60)
const perApp = Number(values['per-app'] ?? 25)
const merges = Number(values.merges ?? 150)
const prSize = Number(values.pr ?? 20)
const venv = JSON.parse(readFileSync(join(root, '.cache/venvs/index.json'), 'utf8')).find((v) => v.series === '5.2')
const DEFAULT_TIMEOUT_MS = 15 * 60_000

const dir = mkdtempSync(join(tmpdir(), 'dmr-bench-scale-'))
const cacheDir = mkdtempSync(join(tmpdir(), 'dmr-bench-scale-cache-'))
const postgres = await startPostgres()
try {
  const started = performance.now()
  const project = generateProject(dir, { apps, perApp, merges })
  execFileSync('git', ['checkout', '-q', '-b', 'feature'], { cwd: dir })
  const operations = [
    (app, n) => [`migrations.AddField(model_name="thing0", name="pr_note_${n}", field=models.TextField(null=True))`, `    pr_note_${n} = models.TextField(null=True)\n`],
    (app, n) => [`migrations.AddField(model_name="thing0", name="pr_stock_${n}", field=models.IntegerField(default=0))`, `    pr_stock_${n} = models.IntegerField(default=0)\n`],
    (app) => [`migrations.AlterField(model_name="thing0", name="name", field=models.CharField(max_length=200))`, null],
    (app, n) => [`migrations.AddIndex(model_name="thing0", index=models.Index(fields=["name"], name="pr_idx_${app}_${n}"))`, null],
    (app) => [`migrations.RunSQL("UPDATE ${app}_thing0 SET name = upper(name)", migrations.RunSQL.noop)`, null]
  ]
  const touched = project.apps.filter((_, i) => i % Math.max(1, Math.floor(apps / 10)) === 0).slice(0, Math.ceil(prSize / 2))
  let written = 0
  for (const [a, app] of touched.entries()) {
    let previous = project.leaves.get(app)
    let models = readFileSync(join(dir, app, 'models.py'), 'utf8')
    const indexes = []
    for (let k = 0; k < 2 && written < prSize; k++, written++) {
      const [operation, field] = operations[(a * 2 + k) % operations.length](app, k)
      const name = `${String(perApp + 1 + k).padStart(4, '0')}_pr_${k}`
      project.write(`${app}/migrations/${name}.py`, project.migration({ dependencies: [[app, previous]], operations: [operation] }))
      if (field) models += field
      if (operation.includes('AddIndex')) indexes.push(`models.Index(fields=["name"], name="pr_idx_${app}_${k}")`)
      if (operation.includes('max_length=200')) models = models.replace('name = models.CharField(max_length=100)', 'name = models.CharField(max_length=200)')
      previous = name
    }
    if (indexes.length > 0) models += `\n    class Meta:\n        indexes = [${indexes.join(', ')}]\n`
    project.write(`${app}/models.py`, models)
  }
  commit(dir, `the pull request: ${written} migrations`)
  execFileSync('git', ['checkout', '-q', 'main'], { cwd: dir })
  packLikeAClone(dir)
  const generatedMs = performance.now() - started

  const review = (extra) => {
    const begun = performance.now()
    const result = spawnSync(process.execPath, ['--import', join(root, 'bench/rss-reporter.mjs'), join(root, 'dist/cli.js'), '--repo', dir, '--base', 'main', '--head', 'feature', '--postgres', 'url', '--database-url', postgres.url('postgres'), '--python', venv.python, '--format', 'json', '--fail-on', 'never', ...extra], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 })
    const ms = performance.now() - begun
    if (result.status !== 0 && result.status !== 1) throw new Error(`the review failed (${result.status}):\n${result.stderr.slice(-3000)}`)
    const report = JSON.parse(result.stdout)
    return { ms, report, rssMb: Number(/DMR_MAX_RSS_KB=(\d+)/.exec(result.stderr)?.[1] ?? NaN) / 1024 }
  }
  const show = (label, run) => {
    const r = run.report.rehearsal
    console.log(`  ${label}: ${(run.ms / 1000).toFixed(1)} s of the ${DEFAULT_TIMEOUT_MS / 60_000} min default timeout, peak ${run.rssMb.toFixed(0)} MB (our Node process), rehearsal ${r.status}${r.reason ? ` (${r.reason})` : ''}, ${r.migrationsRehearsed}/${r.migrationsPlanned} rehearsed, verdict ${run.report.verdict}`)
    console.log(`    before the rehearsal (ms): ${Object.entries(run.report.timings).filter(([k]) => k !== 'totalMs').map(([k, v]) => `${k} ${v}`).join(', ')}, total ${run.report.timings.totalMs}`)
    console.log(`    rehearsal phases (ms): ${Object.entries(r.timings ?? {}).map(([phase, ms]) => `${phase} ${ms}`).join(', ')}`)
  }
  console.log(`scale benchmark: ${apps * perApp} migrations in ${apps} apps (${merges} merge migrations), a PR of ${written} migrations in ${touched.length} apps; Django ${venv.django}; PostgreSQL with ${postgres.where}; ${load()}; project generated in ${(generatedMs / 1000).toFixed(1)} s`)
  const cold = review(['--cache-dir', cacheDir])
  show('cold (base migrated from zero, then saved to the cache)', cold)
  const warm = review(['--cache-dir', cacheDir])
  show('warm (base restored from the cache)', warm)
  const under = cold.ms < DEFAULT_TIMEOUT_MS && cold.rssMb < 500 && warm.rssMb < 500
  console.log(`  ${under ? 'within' : 'NOT within'} the default timeout and under 500 MB`)
} finally {
  await postgres.stop()
  rmSync(dir, { recursive: true, force: true })
  rmSync(cacheDir, { recursive: true, force: true })
}

// Benchmark: the static review of a repository with 2,000 migrations in 50
// apps (a PR adding 5 while main moved on) against Django's own
// MigrationLoader on the same tree, each as a whole fresh process, measured
// in this one run. Prints wall time, peak memory and the ratio.
//   node bench/static-review.mjs [--apps 50] [--per-app 40] [--runs 5]
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { commit, generateProject, packLikeAClone } from './generate.mjs'

const root = resolve(import.meta.dirname, '..')
const { values } = parseArgs({ options: { apps: { type: 'string' }, 'per-app': { type: 'string' }, runs: { type: 'string' } } })
const apps = Number(values.apps ?? 50)
const perApp = Number(values['per-app'] ?? 40)
const runs = Number(values.runs ?? 5)

const python = JSON.parse(readFileSync(join(root, '.cache/venvs/index.json'), 'utf8')).at(-1)
const dir = mkdtempSync(join(tmpdir(), 'dmr-bench-static-'))
try {
  const project = generateProject(dir, { apps, perApp })
  const git = (...args) => execFileSync('git', args, { cwd: dir })
  git('checkout', '-q', '-b', 'feature')
  for (let i = 0; i < 5; i++) {
    const app = project.apps[i * 7]
    project.write(`${app}/migrations/${String(perApp + 1).padStart(4, '0')}_pr_${i}.py`, project.migration({ dependencies: [[app, project.leaves.get(app)]], operations: [`migrations.AddField(model_name="thing0", name="pr${i}", field=models.TextField(null=True))`] }))
  }
  commit(dir, 'pr')
  git('checkout', '-q', 'main')
  project.write(`app00/migrations/${String(perApp + 1).padStart(4, '0')}_main.py`, project.migration({ dependencies: [['app00', project.leaves.get('app00')]], operations: [] }))
  commit(dir, 'main moves on')
  packLikeAClone(dir)

  const measure = (command, args, options) => {
    const started = process.hrtime.bigint()
    const result = spawnSync(command, args, { ...options, encoding: 'utf8' })
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed (${result.status}): ${result.stderr}`)
    const rss = Number(/DMR_MAX_RSS_KB=(\d+)/.exec(result.stderr)?.[1] ?? NaN)
    return { ms, rssMb: rss / 1024, stdout: result.stdout }
  }
  const ours = () =>
    measure(process.execPath, ['--import', join(root, 'bench/rss-reporter.mjs'), join(root, 'dist/cli.js'), '--repo', dir, '--base', 'main', '--head', 'feature', '--static-only', '--format', 'json'], {})
  const djangoScript = [
    'import resource, sys, django',
    'django.setup()',
    'from django.db.migrations.loader import MigrationLoader',
    'loader = MigrationLoader(None, ignore_no_migrations=True)',
    'conflicts = loader.detect_conflicts()',
    'sys.stderr.write("\\nDMR_MAX_RSS_KB=%d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)',
    'print(len(loader.graph.nodes), len(conflicts))'
  ].join('\n')
  const django = () =>
    measure(python.python, ['-c', djangoScript], { cwd: dir, env: { ...process.env, DJANGO_SETTINGS_MODULE: 'project.settings', PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: '1' } })

  // One warm-up each (disk cache), then alternate so machine noise hits both alike.
  const first = ours()
  const report = JSON.parse(first.stdout)
  django()
  const oursRuns = []
  const djangoRuns = []
  for (let i = 0; i < runs; i++) {
    oursRuns.push(ours())
    djangoRuns.push(django())
  }
  const median = (list, key) => [...list].map((r) => r[key]).sort((a, b) => a - b)[Math.floor(list.length / 2)]
  const oursMs = median(oursRuns, 'ms')
  const djangoMs = median(djangoRuns, 'ms')
  const nodes = djangoRuns[0].stdout.trim().split(' ')[0]
  console.log(`static review benchmark: ${apps} apps × ${perApp} migrations (+5 in the PR, main moved on), repository packed as a clone; ${runs} runs each, medians`)
  console.log(`  Django ${python.django} MigrationLoader (fresh python):   ${djangoMs.toFixed(0)} ms, peak ${median(djangoRuns, 'rssMb').toFixed(0)} MB, ${nodes} nodes`)
  console.log(`  django-migration-review --static-only (fresh node):  ${oursMs.toFixed(0)} ms, peak ${median(oursRuns, 'rssMb').toFixed(0)} MB, verdict ${report.verdict}, ${report.migrations.length} new migrations, ${report.conflicts.length} conflict(s)`)
  console.log(`    inside: ${JSON.stringify(report.timings)}`)
  console.log(`  ratio ours / Django: ${(oursMs / djangoMs).toFixed(2)}  (aim: at most 0.50, and under 200 MB)`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}

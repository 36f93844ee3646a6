// Benchmark: the static review against Django's own MigrationLoader on the
// same tree, each as a whole fresh process, on several repository shapes:
// objects packed (a clone) or loose (a repository committed to locally), one
// app or fifty, a one-migration PR or a PR of five while main moved on; and
// two loaders, Django 5.2 and the newest. Prints wall time, peak memory and
// the ratio per shape, measured in this one run (runs alternate, medians).
//   node bench/static-review.mjs [--migrations 2000] [--runs 5] [--only name,name]
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { commit, generateProject, packLikeAClone } from './generate.mjs'
import { load } from './pg.mjs'

const root = resolve(import.meta.dirname, '..')
const { values } = parseArgs({ options: { migrations: { type: 'string' }, runs: { type: 'string' }, only: { type: 'string' } } })
const total = Number(values.migrations ?? 2000)
const runs = Number(values.runs ?? 5)
const venvs = JSON.parse(readFileSync(join(root, '.cache/venvs/index.json'), 'utf8'))
const loaders = [venvs.find((venv) => venv.series === '5.2'), venvs.at(-1)].filter((venv, i, all) => venv && all.indexOf(venv) === i)

const SHAPES = [
  { name: 'packed, 50 apps, PR of 5, main moved on', apps: 50, packed: true, pr: 5, mainMoved: true },
  { name: 'loose, 50 apps, one-migration PR', apps: 50, packed: false, pr: 1, mainMoved: false },
  { name: 'packed, one app, one-migration PR', apps: 1, packed: true, pr: 1, mainMoved: false },
  { name: 'loose, one app, PR of 5, main moved on', apps: 1, packed: false, pr: 5, mainMoved: true }
].filter((shape) => !values.only || values.only.split(',').some((part) => shape.name.includes(part)))

/** A repository of `total` migrations in `apps` apps; the PR on `feature`; main perhaps moved on. */
function build(shape) {
  const dir = mkdtempSync(join(tmpdir(), 'dmr-bench-static-'))
  const perApp = Math.round(total / shape.apps)
  const project = generateProject(dir, { apps: shape.apps, perApp })
  const git = (...args) => execFileSync('git', args, { cwd: dir })
  git('checkout', '-q', '-b', 'feature')
  const previous = new Map(project.leaves)
  for (let i = 0; i < shape.pr; i++) {
    const app = project.apps[(i * 7) % project.apps.length]
    const name = `${String(perApp + 1 + Math.floor(i / project.apps.length)).padStart(4, '0')}_pr_${i}`
    project.write(`${app}/migrations/${name}.py`, project.migration({ dependencies: [[app, previous.get(app)]], operations: [`migrations.AddField(model_name="thing0", name="pr${i}", field=models.TextField(null=True))`] }))
    previous.set(app, name)
  }
  commit(dir, 'pr')
  git('checkout', '-q', 'main')
  if (shape.mainMoved) {
    project.write(`app00/migrations/${String(perApp + 1).padStart(4, '0')}_main.py`, project.migration({ dependencies: [['app00', project.leaves.get('app00')]], operations: [] }))
    commit(dir, 'main moves on')
  }
  if (shape.packed) packLikeAClone(dir)
  return { dir, perApp }
}

const measure = (command, args, options) => {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed (${result.status}): ${result.stderr}`)
  const rss = Number(/DMR_MAX_RSS_KB=(\d+)/.exec(result.stderr)?.[1] ?? NaN)
  return { ms, rssMb: rss / 1024, stdout: result.stdout }
}
const djangoScript = [
  'import resource, sys, django',
  'django.setup()',
  'from django.db.migrations.loader import MigrationLoader',
  'loader = MigrationLoader(None, ignore_no_migrations=True)',
  'conflicts = loader.detect_conflicts()',
  'sys.stderr.write("\\nDMR_MAX_RSS_KB=%d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)',
  'print(len(loader.graph.nodes), len(conflicts))'
].join('\n')
const median = (list, key) => [...list].map((r) => r[key]).sort((a, b) => a - b)[Math.floor(list.length / 2)]

console.log(`static review benchmark: ${total} migrations per repository, fresh processes, ${runs} runs each (alternating), medians; node ${process.version}; ${load()}`)
const worst = []
for (const shape of SHAPES) {
  const { dir, perApp } = build(shape)
  try {
    const ours = () => measure(process.execPath, ['--import', join(root, 'bench/rss-reporter.mjs'), join(root, 'dist/cli.js'), '--repo', dir, '--base', 'main', '--head', 'feature', '--static-only', '--format', 'json'], {})
    const django = (venv) => () => measure(venv.python, ['-c', djangoScript], { cwd: dir, env: { ...process.env, DJANGO_SETTINGS_MODULE: 'project.settings', PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: '1' } })
    // One warm-up each (disk cache, the compile cache), then alternate.
    const report = JSON.parse(ours().stdout)
    for (const venv of loaders) django(venv)()
    const results = { ours: [], ...Object.fromEntries(loaders.map((venv) => [venv.series, []])) }
    for (let i = 0; i < runs; i++) {
      results.ours.push(ours())
      for (const venv of loaders) results[venv.series].push(django(venv)())
    }
    const oursMs = median(results.ours, 'ms')
    console.log(`  ${shape.name} (${shape.apps} × ${perApp}):`)
    console.log(`    django-migration-review --static-only: ${oursMs.toFixed(0)} ms, peak ${median(results.ours, 'rssMb').toFixed(0)} MB (${report.migrations.length} new, ${report.conflicts.length} conflict(s); inside ${JSON.stringify(report.timings)})`)
    for (const venv of loaders) {
      const theirs = median(results[venv.series], 'ms')
      const ratio = oursMs / theirs
      worst.push(ratio)
      console.log(`    Django ${venv.django} MigrationLoader: ${theirs.toFixed(0)} ms, peak ${median(results[venv.series], 'rssMb').toFixed(0)} MB; ratio ours / Django ${ratio.toFixed(2)}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
console.log(`  worst ratio over the shapes: ${Math.max(...worst).toFixed(2)}  (aim: at most 0.50, and under 200 MB)`)

// Scores the review against the labelled corpus of bench/corpus/cases.mjs.
// Each case becomes a real git repository in a temp dir (the base project on
// `main`, the PR's commit on `feature`); the built CLI reviews it with the
// rehearsal on a throwaway local PostgreSQL and a real Django, then (second
// pass) with --static-only. Per migration, the report's verdict and fields
// are compared with the labels. Cases run one after another.
//
//   npm run build && npm run bench:corpus
//   node bench/corpus.mjs [--only id,id] [--pass rehearsal|static|both]
//                         [--python PATH] [--cli dist/cli.js] [--reports DIR] [--verbose]
//
// Progress goes to stderr, the score to stdout. The raw JSON reports and a
// score.json are written to a temp dir outside the repository (its path is
// printed); the case repositories are deleted as soon as each case is done.
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CASES } from './corpus/cases.mjs'
import { baseTree } from './corpus/project.mjs'

const root = resolve(import.meta.dirname, '..')
const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    pass: { type: 'string', default: 'both' },
    python: { type: 'string' },
    cli: { type: 'string', default: join(root, 'dist/cli.js') },
    reports: { type: 'string' },
    'case-timeout': { type: 'string', default: '600000' },
    verbose: { type: 'boolean', default: false }
  }
})

// ---------------------------------------------------------------------------
// What is scored.
export const FIELDS = ['applies', 'backwardCompatible', 'reversible', 'dataLoss', 'rewritesTable', 'locks']
const LOCK_RANK = [
  'none',
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock'
]
const SHORT_LOCK = {
  none: 'none',
  AccessShareLock: 'AS',
  RowShareLock: 'RS',
  RowExclusiveLock: 'RE',
  ShareUpdateExclusiveLock: 'SUE',
  ShareLock: 'S',
  ShareRowExclusiveLock: 'SRE',
  ExclusiveLock: 'E',
  AccessExclusiveLock: 'AE'
}

/** The report's answer for one labelled field of one migration: { value, reason }. */
function reported(report, migration, field, label, relation) {
  if (!migration) return { value: null, reason: 'the migration is not in the report' }
  const established = (fact) => ({ value: fact?.value ?? null, reason: fact?.reason })
  switch (field) {
    case 'applies':
      return established(migration.appliesOnSeededData)
    case 'backwardCompatible':
    case 'reversible':
    case 'dataLoss':
      return established(migration[field])
    case 'rewritesTable':
    case 'locks': {
      // Arrays, not Established: they mean something only when the forward run happened.
      if (report.rehearsal?.status !== 'ran') return { value: null, reason: `rehearsal ${report.rehearsal?.status ?? 'missing'}: ${report.rehearsal?.reason ?? ''}`.trim() }
      // Newer reports say per migration whether the forward run happened (perhaps after
      // repairing seeded rows); older ones only whether it applied on the seeded data.
      const status = migration.rehearsal?.status
      const ran = status !== undefined ? ['rehearsed', 'recorded-applied'].includes(status) : migration.appliesOnSeededData?.value === true
      if (!ran) {
        const why = migration.rehearsal?.reason ?? migration.appliesOnSeededData?.reason ?? migration.appliesOnSeededData?.error?.message ?? 'the forward run failed'
        return { value: null, reason: `not run forward${status ? ` (${status})` : ''}: ${why}` }
      }
      if (field === 'rewritesTable') return { value: (migration.rewrites ?? []).includes(relation) }
      let strongest = 'none'
      for (const lock of migration.locks ?? []) {
        if (lock.relation === relation && LOCK_RANK.indexOf(lock.mode) > LOCK_RANK.indexOf(strongest)) strongest = lock.mode
      }
      return { value: strongest }
    }
  }
  throw new Error(`unknown field ${field}`)
}

/** Compares one migration's labels with its report entry. */
function scoreMigration(report, key, labels) {
  const migration = report?.migrations?.find((entry) => `${entry.app}.${entry.name}` === key) ?? null
  const verdict = migration?.verdict ?? null
  const out = { key, verdict, verdictOutcome: verdictOutcome(labels, verdict).outcome, fields: [] }
  const table = labels.table ?? 'shop_book'
  for (const field of FIELDS) {
    if (field === 'locks') {
      for (const [relation, mode] of Object.entries(labels.locks ?? {})) {
        if (mode === null) continue
        const answer = reported(report, migration, 'locks', mode, relation)
        out.fields.push(fieldOutcome(`locks[${relation}]`, mode, answer))
      }
      continue
    }
    const label = labels[field]
    if (label === null || label === undefined) continue
    const answer = reported(report, migration, field, label, table)
    out.fields.push(fieldOutcome(field === 'rewritesTable' ? `rewrites[${table}]` : field, label, answer))
  }
  return { ...out, migration }
}

/** The PR as a whole: its label is the worst of its migrations' labels; the report's top-level verdict is compared with it. */
function scorePr(report, testCase) {
  const labels = Object.values(testCase.labels)
  if (labels.some((label) => label.safe === null || label.safe === undefined)) return null
  const unsafe = labels.filter((label) => label.safe === false)
  const labels_ = unsafe.length === 0 ? { safe: true } : { safe: false, severity: unsafe.some((label) => (label.severity ?? 'unsafe') === 'unsafe') ? 'unsafe' : 'warning' }
  const verdict = report?.verdict ?? null
  return { ...verdictOutcome(labels_, verdict), expected: labels_ }
}

function verdictOutcome(labels, verdict) {
  if (labels.safe === true) return { verdict, outcome: verdict === null ? 'missing' : verdict === 'safe' ? 'ok' : verdict === 'warning' ? 'warned' : 'false-alarm' }
  if (labels.safe === false) {
    const expected = labels.severity ?? 'unsafe'
    if (verdict === null) return { verdict, outcome: 'missing' }
    if (verdict === 'safe') return { verdict, outcome: 'false-safe' }
    if (verdict === 'warning') return { verdict, outcome: expected === 'unsafe' ? 'understated' : 'ok' }
    return { verdict, outcome: expected === 'warning' ? 'overstated' : 'ok' }
  }
  return { verdict, outcome: null }
}

function fieldOutcome(name, label, answer) {
  const outcome = answer.value === null ? 'unanswered' : answer.value === label ? 'right' : 'wrong'
  return { field: name, label, value: answer.value, reason: answer.reason, outcome }
}

// ---------------------------------------------------------------------------
// Building a case as a git repository.
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Corpus',
  GIT_AUTHOR_EMAIL: 'corpus@example.invalid',
  GIT_COMMITTER_NAME: 'Corpus',
  GIT_COMMITTER_EMAIL: 'corpus@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null'
}
const git = (dir, ...argv) => execFileSync('git', argv, { cwd: dir, env: GIT_ENV, encoding: 'utf8' }).trim()

function writeTree(dir, files) {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path)
    if (content === null) {
      if (existsSync(full)) unlinkSync(full)
      continue
    }
    mkdirSync(dirname(full), { recursive: true })
    writeFileSync(full, content)
  }
}

/** main: the base project (plus the case's base files); feature: the PR's files on top. */
export function buildRepo(dir, testCase) {
  git(dir, 'init', '-q', '-b', 'main')
  writeTree(dir, { ...baseTree(), ...(testCase.base ?? {}) })
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'base')
  git(dir, 'checkout', '-q', '-b', 'feature')
  writeTree(dir, testCase.pr)
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', `pr: ${testCase.id}`)
  git(dir, 'checkout', '-q', 'main')
}

// ---------------------------------------------------------------------------
// Running the CLI.
function defaultPython() {
  const index = JSON.parse(readFileSync(join(root, '.cache/venvs/index.json'), 'utf8'))
  const entry = index.find((venv) => venv.series === '5.2')
  if (!entry) throw new Error('no Django 5.2 virtualenv in .cache/venvs/index.json (npm test bootstraps them)')
  // The index may name another checkout's path to the same virtualenvs; prefer ours.
  const local = join(root, '.cache/venvs/django-5.2/bin/python')
  return existsSync(local) ? local : entry.python
}

const children = new Set()
function runCli(argv, timeoutMs) {
  return new Promise((done) => {
    const started = performance.now()
    const child = spawn(process.execPath, [args.cli, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    children.add(child)
    const stdout = []
    const stderr = []
    child.stdout.on('data', (chunk) => stdout.push(chunk))
    child.stderr.on('data', (chunk) => {
      stderr.push(chunk)
      if (args.verbose) process.stderr.write(chunk)
    })
    const timer = setTimeout(() => killGroup(child, 'SIGTERM'), timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      children.delete(child)
      done({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), ms: performance.now() - started })
    })
  })
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal)
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------------------
// Cleanup: the case repositories always; the reports dir is the output.
const scratch = mkdtempSync(join(tmpdir(), 'dmr-corpus-'))
const cleanup = () => {
  for (const child of children) killGroup(child, 'SIGTERM')
  rmSync(scratch, { recursive: true, force: true })
}
process.on('exit', cleanup)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup()
    process.exit(130)
  })
}

// ---------------------------------------------------------------------------
function checkCoverage() {
  const table = readFileSync(join(root, 'src/rules/table.ts'), 'utf8')
  const ids = [...table.matchAll(/^\s+id: '([a-z-]+)',$/gm)].map((match) => match[1])
  const covered = new Set(CASES.flatMap((testCase) => testCase.rules ?? []))
  return { ids, missing: ids.filter((id) => !covered.has(id)) }
}

const cell = (value) => (value === true ? 'T' : value === false ? 'F' : value === null || value === undefined ? '?' : SHORT_LOCK[value] ?? String(value))

const MARK = { ok: 'ok', warned: 'ok (warned)', 'false-alarm': 'FALSE ALARM', 'false-safe': 'FALSE SAFE', understated: 'UNDERSTATED', overstated: 'overstated', missing: 'MISSING' }
const expectedText = (labels) => (labels.safe === true ? 'safe' : labels.safe === false ? `not safe (${labels.severity ?? 'unsafe'})` : '-')

function formatCase(testCase, scored, pr) {
  const lines = []
  if (pr) lines.push(`  PR verdict        label ${expectedText(pr.expected).padEnd(22)} report ${String(pr.verdict).padEnd(8)} ${MARK[pr.outcome] ?? ''}`)
  for (const entry of scored) {
    const labels = testCase.labels[entry.key]
    lines.push(`  ${entry.key}`)
    lines.push(`    verdict  label ${expectedText(labels).padEnd(22)} report ${String(entry.verdict).padEnd(8)} ${MARK[entry.verdictOutcome] ?? ''}`)
    const cells = entry.fields.map((field) => {
      const symbol = field.outcome === 'right' ? '=' : field.outcome === 'wrong' ? '≠' : '?'
      return `${field.field} ${cell(field.label)}${symbol}${field.outcome === 'unanswered' ? 'null' : cell(field.value)}`
    })
    if (cells.length) lines.push(`    fields   ${cells.join('  ')}`)
  }
  return lines.join('\n')
}

function emptyTotals() {
  return {
    migrations: 0,
    verdict: { ok: 0, warned: 0, 'false-alarm': 0, 'false-safe': 0, understated: 0, overstated: 0, missing: 0 },
    prs: 0,
    prVerdict: { ok: 0, warned: 0, 'false-alarm': 0, 'false-safe': 0, understated: 0, overstated: 0, missing: 0 },
    fields: { right: 0, wrong: 0, unanswered: 0 },
    perField: Object.fromEntries(FIELDS.map((field) => [field, { right: 0, wrong: 0, unanswered: 0 }])),
    runFailures: 0,
    modelDrift: []
  }
}

/** One line per problem, false safes first. */
function problems(results, pass) {
  const order = { 'false-safe': 0, understated: 1, 'false-alarm': 2, missing: 3, wrong: 4, unanswered: 5, overstated: 6 }
  const out = []
  for (const { testCase, scored, pr, report } of results) {
    if (pr && ['false-safe', 'understated', 'false-alarm', 'missing'].includes(pr.outcome)) {
      out.push({
        rank: order[pr.outcome],
        text: `${pr.outcome.toUpperCase()} ${testCase.id} (whole PR): report verdict ${pr.verdict}${report?.summary ? ` (${oneLine(report.summary, 120)})` : ''}; label: ${expectedText(pr.expected)}`
      })
    }
    for (const entry of scored) {
      const labels = testCase.labels[entry.key]
      const top = topFinding(entry.migration)
      if (['false-safe', 'understated', 'false-alarm', 'missing', 'overstated'].includes(entry.verdictOutcome)) {
        const expected = labels.safe ? 'safe' : `not safe (${labels.severity ?? 'unsafe'})`
        out.push({
          rank: order[entry.verdictOutcome],
          text: `${entry.verdictOutcome.toUpperCase()} ${testCase.id} ${entry.key}: report says ${entry.verdict}${top ? ` (${top})` : ''}; label: ${expected}`
        })
      }
      for (const field of entry.fields) {
        if (field.outcome === 'right') continue
        // Without the rehearsal every field is null by design: counted in the totals, not listed.
        if (pass === 'static' && field.outcome === 'unanswered') continue
        out.push({
          rank: order[field.outcome],
          text: `${field.outcome.toUpperCase()} ${testCase.id} ${entry.key} ${field.field}: report ${field.outcome === 'unanswered' ? `null${field.reason ? ` (${oneLine(field.reason, 140)})` : ''}` : cell(field.value)}; label ${cell(field.label)}`
        })
      }
    }
  }
  return out.sort((a, b) => a.rank - b.rank).map((problem) => problem.text)
}

function topFinding(migration) {
  const rank = { error: 3, unsafe: 2, warning: 1, info: 0 }
  const findings = (migration?.findings ?? []).filter((finding) => !finding.ignored).sort((a, b) => rank[b.severity] - rank[a.severity])
  const top = findings[0]
  return top ? `${top.rule}/${top.severity}: ${oneLine(top.message, 110)}` : ''
}

const oneLine = (text, max) => {
  const flat = String(text).replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

function formatTotals(name, totals) {
  const v = totals.verdict
  const f = totals.fields
  const lines = [
    `== ${name}: ${totals.migrations} labelled migrations`,
    `   unsafe called safe (false safe) ........ ${v['false-safe']}`,
    `   unsafe called only "warning" ........... ${v.understated}`,
    `   false alarms (safe called unsafe/error)  ${v['false-alarm']}`,
    `   safe called "warning" .................. ${v.warned}`,
    `   lock-only risk called unsafe/error ..... ${v.overstated}`,
    `   migration missing from the report ...... ${v.missing}`,
    `   fields: right ${f.right}, wrong ${f.wrong}, unanswered ${f.unanswered} (label known, report null)`
  ]
  const p = totals.prVerdict
  lines.splice(
    7,
    0,
    `   whole PRs (${totals.prs}, top-level verdict): false safe ${p['false-safe']}, understated ${p.understated}, false alarms ${p['false-alarm']}, warned on safe ${p.warned}, overstated ${p.overstated}`
  )
  for (const field of FIELDS) {
    const p = totals.perField[field]
    lines.push(`     ${field.padEnd(19)} right ${String(p.right).padStart(3)}  wrong ${String(p.wrong).padStart(3)}  unanswered ${String(p.unanswered).padStart(3)}`)
  }
  if (totals.runFailures) lines.push(`   runs that did not produce a report: ${totals.runFailures}`)
  if (totals.modelDrift.length) lines.push(`   corpus check: models.py and migrations disagree in ${totals.modelDrift.join(', ')}`)
  return lines.join('\n')
}

// ---------------------------------------------------------------------------
async function main() {
  if (!existsSync(args.cli)) {
    console.error(`${args.cli} does not exist: run \`npm run build\` first`)
    process.exit(2)
  }
  const newestSource = newestMtime(join(root, 'src'))
  if (statSync(args.cli).mtimeMs < newestSource) console.error(`warning: ${args.cli} is older than src/: run \`npm run build\` to score the current code`)
  const python = args.python ?? defaultPython()
  const only = args.only ? new Set(args.only.split(',')) : null
  const cases = CASES.filter((testCase) => !only || only.has(testCase.id))
  if (only && cases.length !== only.size) throw new Error(`unknown case id in --only: ${[...only].filter((id) => !CASES.some((c) => c.id === id)).join(', ')}`)
  const passes = args.pass === 'both' ? ['rehearsal', 'static'] : [args.pass]
  const reportsDir = args.reports ? resolve(args.reports) : mkdtempSync(join(tmpdir(), 'dmr-corpus-reports-'))
  if (reportsDir.startsWith(`${root}/`)) throw new Error('--reports must be outside the repository')
  mkdirSync(reportsDir, { recursive: true })

  const coverage = checkCoverage()
  console.log(`corpus: ${CASES.length} cases, ${CASES.reduce((n, c) => n + Object.keys(c.labels).length, 0)} labelled migrations; running ${cases.length} (${passes.join(' + ')})`)
  console.log(`rules of src/rules/table.ts covered: ${coverage.ids.length - coverage.missing.length}/${coverage.ids.length}${coverage.missing.length ? ` (missing: ${coverage.missing.join(', ')})` : ''}`)
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'python'], { cwd: root, encoding: 'utf8' }).trim() !== ''
  console.log(`code under test: ${args.cli} (commit ${head}${dirty ? ' with uncommitted changes in src/ or python/' : ''}, built ${statSync(args.cli).mtime.toISOString()})`)
  console.log(`python: ${python}`)
  console.log(`raw reports: ${reportsDir}`)
  console.log('cells read `field <label><=|≠|?><report>`: = right, ≠ wrong, ? unanswered (report null); T/F booleans, locks as AE, SRE, S, SUE, RE, none')

  const summary = {}
  for (const pass of passes) {
    const totals = emptyTotals()
    const results = []
    console.log(`\n######## pass: ${pass}${pass === 'static' ? ' (--static-only)' : ' (rehearsal on --postgres local)'}`)
    for (const [i, testCase] of cases.entries()) {
      const dir = mkdtempSync(join(scratch, `${testCase.id}-`))
      buildRepo(dir, testCase)
      const argv = ['--repo', dir, '--base', 'main', '--head', 'feature', '--format', 'json', '--fail-on', 'never', '--no-color', '--python', python]
      argv.push(...(pass === 'static' ? ['--static-only'] : ['--postgres', 'local']))
      if (args.verbose) argv.push('--verbose')
      process.stderr.write(`[${pass} ${i + 1}/${cases.length}] ${testCase.id} … `)
      const run = await runCli(argv, Number(args['case-timeout']))
      rmSync(dir, { recursive: true, force: true })
      let report = null
      try {
        report = JSON.parse(run.stdout)
      } catch {
        totals.runFailures++
      }
      writeFileSync(join(reportsDir, `${pass}-${testCase.id}.json`), run.stdout || JSON.stringify({ exit: run.code, signal: run.signal, stderr: run.stderr }))
      process.stderr.write(`${report ? report.verdict : `no report (exit ${run.code ?? run.signal})`} in ${(run.ms / 1000).toFixed(1)} s\n`)
      if (!report && run.stderr) process.stderr.write(`${run.stderr.trim().split('\n').slice(-5).join('\n')}\n`)
      if (report?.missingMigrations?.value === true) totals.modelDrift.push(testCase.id)
      const scored = Object.entries(testCase.labels).map(([key, labels]) => scoreMigration(report, key, labels))
      for (const entry of scored) {
        totals.migrations++
        if (entry.verdictOutcome) totals.verdict[entry.verdictOutcome]++
        for (const field of entry.fields) {
          totals.fields[field.outcome]++
          totals.perField[field.field.replace(/\[.*\]$/, '').replace('rewrites', 'rewritesTable')][field.outcome]++
        }
      }
      const pr = scorePr(report, testCase)
      if (pr) {
        totals.prs++
        totals.prVerdict[pr.outcome]++
      }
      results.push({ testCase, scored, pr, report })
      const rehearsal = report?.rehearsal?.status && report.rehearsal.status !== 'ran' && pass === 'rehearsal' ? ` [rehearsal ${report.rehearsal.status}: ${oneLine(report.rehearsal.reason ?? '', 100)}]` : ''
      console.log(`\n${testCase.id} — ${testCase.description}${rehearsal}\n${formatCase(testCase, scored, pr)}`)
    }
    const list = problems(results, pass)
    console.log(`\n${formatTotals(pass, totals)}`)
    console.log(`\n-- ${pass}: where the review is wrong (${list.length})`)
    for (const line of list) console.log(`   ${line}`)
    summary[pass] = {
      totals,
      problems: list,
      cases: results.map(({ testCase, scored, pr }) => ({
        id: testCase.id,
        pr,
        migrations: scored.map(({ migration: _migration, ...entry }) => entry)
      }))
    }
  }
  writeFileSync(join(reportsDir, 'score.json'), `${JSON.stringify(summary, null, 2)}\n`)
  console.log(`\nscore and raw reports: ${reportsDir}`)
}

function newestMtime(dir) {
  let newest = 0
  for (const line of execFileSync('git', ['ls-files', '-z', dir], { cwd: root, encoding: 'utf8' }).split('\0')) {
    if (!line) continue
    try {
      newest = Math.max(newest, statSync(join(root, line)).mtimeMs)
    } catch {
      // deleted in the work tree
    }
  }
  return newest
}

await main()

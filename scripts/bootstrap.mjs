// Prepares what the test suite needs on a fresh clone, and nothing on a warm one:
//   1. npm packages (npm ci when node_modules is missing or older than package-lock.json);
//   2. one Python virtualenv per supported Django series, with Django from PyPI and a
//      Postgres driver, listed in .cache/venvs/index.json for the tests (oldest to newest:
//      tests take the last one as the newest series);
//   3. extra virtualenvs for particular tests (a Django series plus a third-party
//      package, such as a custom database backend), listed apart in
//      .cache/venvs/extras.json, so that the tests looping over the supported series
//      (and checkouts that predate the extras) do not meet them.
// Python interpreters: DMR_PYTHON (default python3) for Django 4.2 and 5.2; Django 6.x
// needs Python >= 3.12: DMR_PYTHON_NEWEST, else python3.14/3.13/3.12 on PATH, else pyenv's.
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const log = (line) => process.stderr.write(`[bootstrap] ${line}\n`)

export const DJANGO_SERIES = [
  { series: '4.2', requirement: 'Django~=4.2.0', driver: 'psycopg2-binary', minPython: [3, 8] },
  { series: '5.2', requirement: 'Django~=5.2.0', driver: 'psycopg[binary]', minPython: [3, 10] },
  { series: '6.1', requirement: 'Django~=6.1.0', driver: 'psycopg[binary]', minPython: [3, 12] }
]

/** Not supported series: a series with a package that changes what Django does (keyed `<series>-<what>`). */
export const EXTRA_VENVS = [
  {
    // A custom PostgreSQL ENGINE whose SQL objects are not strings, and which
    // rewrites statements (CONCURRENTLY, NOT VALID, its own timeouts).
    series: '5.2-zdm',
    requirement: 'Django~=5.2.0',
    driver: 'psycopg[binary]',
    packages: ['django-pg-zero-downtime-migrations==0.20'],
    minPython: [3, 10]
  }
]

function npmPackages() {
  const lock = readFileSync(join(root, 'package-lock.json'))
  const hash = createHash('sha256').update(lock).digest('hex')
  const stamp = join(root, 'node_modules', '.dmr-lock-sha256')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return
  log('npm ci')
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 2, 2] })
  writeFileSync(stamp, hash)
}

function pythonVersion(python) {
  try {
    const out = execFileSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      stdio: ['ignore', 'pipe', 'ignore']
    })
    return out.toString().trim().split('.').map(Number)
  } catch {
    return null
  }
}

const atLeast = (v, min) => v !== null && (v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]))

function findPython(min) {
  const candidates = []
  if (process.env.DMR_PYTHON_NEWEST && min[1] >= 12) candidates.push(process.env.DMR_PYTHON_NEWEST)
  candidates.push(process.env.DMR_PYTHON ?? 'python3', 'python3.14', 'python3.13', 'python3.12')
  try {
    const pyenvRoot = execFileSync('pyenv', ['root'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim()
    for (const v of readdirSync(join(pyenvRoot, 'versions')).sort().reverse())
      candidates.push(join(pyenvRoot, 'versions', v, 'bin', 'python3'))
  } catch {
    // no pyenv: fine
  }
  for (const python of candidates) if (atLeast(pythonVersion(python), min)) return python
  return null
}

function run(cmd, args) {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', fail)
    child.on('close', (code) =>
      code === 0 ? done(output) : fail(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${output}`))
    )
  })
}

/** One virtualenv with Django `series` from PyPI (made once, reused after); an extra's key works too. */
export async function ensureVenv(series) {
  return venv([...DJANGO_SERIES, ...EXTRA_VENVS].find((entry) => entry.series === series))
}

// The real folder: .cache/venvs may be a symlink shared by several clones, and the
// paths written into index.json must not depend on which clone wrote it last.
function venvsDir() {
  const dir = join(root, '.cache', 'venvs')
  mkdirSync(dir, { recursive: true })
  return realpathSync(dir)
}

async function venv({ series, requirement, driver, packages = [], minPython }) {
  const dir = join(venvsDir(), `django-${series}`)
  const python = join(dir, 'bin', 'python')
  const wanted = [requirement, driver, ...packages].join(' ')
  const stamp = join(dir, '.dmr-ready')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(python)) {
    return { series, python, django: readFileSync(join(dir, '.dmr-django'), 'utf8') }
  }
  const base = findPython(minPython)
  if (base === null) {
    throw new Error(
      `Django ${series} needs Python >= ${minPython.join('.')} and none was found: ` +
        `set DMR_PYTHON${minPython[1] >= 12 ? '_NEWEST' : ''} to such an interpreter.`
    )
  }
  // First run only: say what is happening, since pip is quiet for tens of seconds.
  const started = Date.now()
  log(`virtualenv for Django ${series} with ${base} (first run only): creating ${dir}`)
  rmSync(dir, { recursive: true, force: true })
  await run(base, ['-m', 'venv', dir])
  log(`Django ${series}: installing ${[requirement, driver, ...packages].join(', ')} from PyPI`)
  await run(python, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', requirement, driver, ...packages])
  const django = (await run(python, ['-c', 'import django; print(django.get_version())'])).trim()
  log(`Django ${django} ready in ${((Date.now() - started) / 1000).toFixed(0)} s`)
  writeFileSync(join(dir, '.dmr-django'), django)
  writeFileSync(stamp, wanted)
  return { series, python, django }
}

function writeIfChanged(file, text) {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return
  writeFileSync(file, text)
}

export async function bootstrap({ npm = true } = {}) {
  if (npm) npmPackages()
  const [venvs, extras] = await Promise.all([Promise.all(DJANGO_SERIES.map(venv)), Promise.all(EXTRA_VENVS.map(venv))])
  writeIfChanged(join(venvsDir(), 'index.json'), JSON.stringify(venvs, null, 2) + '\n')
  writeIfChanged(join(venvsDir(), 'extras.json'), JSON.stringify(extras, null, 2) + '\n')
  log(`ready: ${[...venvs, ...extras].map((v) => `Django ${v.django}${v.series.includes('-') ? ` (${v.series})` : ''}`).join(', ')}`)
  return venvs
}

if (import.meta.url === `file://${process.argv[1]}`) {
  bootstrap().catch((error) => {
    log(error.message)
    process.exit(1)
  })
}

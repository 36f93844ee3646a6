// `npm run demo`: reviews the bundled example pull request (examples/bookshop)
// the way CI would, with the rehearsal on a throwaway local PostgreSQL (no
// Docker). Needs only Node, Python 3 and PostgreSQL's server binaries; it
// makes a virtualenv with Django from PyPI the first time.
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ensureVenv } from './bootstrap.mjs'

const root = resolve(import.meta.dirname, '..')
const example = join(root, 'examples', 'bookshop')
const say = (line) => process.stderr.write(`[demo] ${line}\n`)

const venv = await ensureVenv('5.2')
say(`Django ${venv.django} in ${venv.python}`)

const repo = mkdtempSync(join(tmpdir(), 'dmr-demo-'))
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Demo',
  GIT_AUTHOR_EMAIL: 'demo@example.invalid',
  GIT_COMMITTER_NAME: 'Demo',
  GIT_COMMITTER_EMAIL: 'demo@example.invalid'
}
const git = (...args) => execFileSync('git', args, { cwd: repo, env, stdio: ['ignore', 'ignore', 'inherit'] })
try {
  git('init', '-q', '-b', 'main')
  cpSync(join(example, 'base'), repo, { recursive: true })
  git('add', '-A')
  git('commit', '-q', '-m', 'The bookshop')
  git('checkout', '-q', '-b', 'feature')
  cpSync(join(example, 'pr'), repo, { recursive: true, force: true })
  git('add', '-A')
  git('commit', '-q', '-m', 'Stock counts, no subtitles, prices as bigint, tidy titles')
  git('checkout', '-q', 'main')
  cpSync(join(example, 'main'), repo, { recursive: true, force: true })
  git('add', '-A')
  git('commit', '-q', '-m', 'Author biographies')
  say(`example repository: ${repo} (main moved on after feature forked)`)
  say('running: django-migration-review --base main --head feature --postgres local')

  const args = [join(root, 'dist', 'cli.js'), '--repo', repo, '--base', 'main', '--head', 'feature', '--postgres', 'local', '--python', venv.python, ...process.argv.slice(2)]
  // The CLI's output goes through this process: keep colour when our stdout is a terminal.
  const cliEnv = process.stdout.isTTY ? { ...process.env, FORCE_COLOR: "1" } : process.env
  const result = spawnSync(process.execPath, args, { stdio: "inherit", env: cliEnv })
  if (result.status === 1) say('exit status 1: the verdict fails --fail-on unsafe, so a required check would go red, as it should here.')
  else if (result.status !== 0) {
    say(`exit status ${result.status}: the review could not complete (see above).`)
    process.exitCode = result.status ?? 2
  }
} finally {
  rmSync(repo, { recursive: true, force: true })
}

// A run killed before it can clean up (SIGKILL: an OOM kill, a cancelled
// runner; or a second Ctrl-C) leaves nothing for long: what it created is in
// its journal, and the next run, or the Action's post step, removes exactly
// that once the killed process is gone. Real processes, real Postgres, the
// bundled CLI (dist/).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src/lifecycle/run-journal.js'
import type { TestRepo } from '../support/git-repo.js'
import { newestDjango, REPO_ROOT } from '../support/python-envs.js'
import { BOOK_INITIAL, BOOK_MODEL } from '../support/rehearsal.js'
import { appFiles, migrationSource, projectFiles } from '../support/django-project.js'
import { forkedRepo } from '../support/scenarios.js'
import { startTestPostgres, urlOf } from '../support/postgres.js'
import type { LocalPostgresServer } from '../../src/postgres/local.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A PR whose data migration sleeps: the run stays in the rehearsal until it is stopped. */
function slowPullRequest(): TestRepo {
  const slow = migrationSource({
    dependencies: [['shop', '0001_initial']],
    preamble: 'import time\n\ndef wait(apps, schema_editor):\n    time.sleep(120)',
    operations: ['migrations.RunPython(wait, migrations.RunPython.noop)']
  })
  const repo = forkedRepo({
    base: { ...projectFiles(['shop']), ...appFiles('shop', { '0001_initial': BOOK_INITIAL }, BOOK_MODEL) },
    pr: [{ 'shop/migrations/0002_slow.py': slow }]
  })
  cleanups.push(() => repo.cleanup())
  return repo
}

/** A PR whose one migration is quick: a run that reaches the server and ends. */
function quickPullRequest(): TestRepo {
  const quick = migrationSource({ dependencies: [['shop', '0001_initial']], operations: ['migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)'] })
  const repo = forkedRepo({
    base: { ...projectFiles(['shop']), ...appFiles('shop', { '0001_initial': BOOK_INITIAL }, BOOK_MODEL) },
    pr: [{ 'shop/migrations/0002_quick.py': quick }]
  })
  cleanups.push(() => repo.cleanup())
  return repo
}

function runsDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dmr-test-runs-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

interface Review {
  child: ChildProcess
  stderr(): string
  exited: Promise<number | null>
}

function startReview(repo: TestRepo, runs: string, extra: string[] = [], postgres: string[] = ['--postgres', 'local']): Review {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'dist/cli.js'), '--repo', repo.dir, '--base', 'main', '--head', 'feature', ...postgres, '--python', newestDjango().python, ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DMR_RUNS_DIR: runs } }
  )
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdout!.resume()
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  cleanups.push(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'))
  return { child, stderr: () => stderr, exited }
}

/** Waits until the review runs the sleeping migration: its server, folders and Python processes all exist. */
async function untilRehearsing(review: Review): Promise<void> {
  const deadline = Date.now() + 90_000
  while (!review.stderr().includes('shop.0002_slow: running')) {
    if (Date.now() > deadline || review.child.exitCode !== null) throw new Error(`the rehearsal never reached the slow migration:\n${review.stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function records(runs: string): RunRecord[] {
  return readdirSync(runs)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(runs, name), 'utf8')) as RunRecord)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  // A zombie waiting to be reaped has finished.
  return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
}

/** What the run's journal lists: the postmaster and Python pids, and the folders. */
function listed(record: RunRecord): { pids: number[]; folders: string[] } {
  const pids: number[] = []
  const folders: string[] = []
  for (const { leftover } of record.entries) {
    if (leftover.kind === 'postgres' || leftover.kind === 'process') pids.push(leftover.pid)
    if (leftover.kind === 'folder') folders.push(leftover.path)
  }
  return { pids, folders }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('a run killed with SIGKILL', () => {
  it('leaves a journal of its server, Python processes and folders, which the next run removes and names', async () => {
    const runs = runsDirectory()
    const killed = startReview(slowPullRequest(), runs)
    await untilRehearsing(killed)
    const [record] = records(runs)
    const { pids, folders } = listed(record!)
    // The server (and its folder), both Python processes, both checkouts.
    expect(record!.entries.map((entry) => entry.leftover.kind).sort()).toEqual(['folder', 'folder', 'folder', 'postgres', 'process', 'process'])

    killed.child.kill('SIGKILL')
    await killed.exited
    // Nothing cleaned up after a SIGKILL: the postmaster runs on in its own process group.
    const postmaster = record!.entries.find((entry) => entry.leftover.kind === 'postgres')!.leftover as { pid: number }
    expect(alive(postmaster.pid)).toBe(true)
    expect(folders.every((folder) => existsSync(folder))).toBe(true)

    const next = spawnSync(process.execPath, [join(REPO_ROOT, 'dist/cli.js'), '--repo', REPO_ROOT, '--base', 'HEAD', '--head', 'HEAD', '--static-only'], {
      env: { ...process.env, DMR_RUNS_DIR: runs },
      encoding: 'utf8'
    })
    expect(next.stderr).toContain(`Removed what an earlier run (${record!.runId}, pid ${killed.child.pid}, gone) left behind: `)
    await until(() => pids.every((pid) => !alive(pid)), 'the killed run\'s processes to go')
    expect(folders.filter((folder) => existsSync(folder))).toEqual([])
    expect(records(runs)).toEqual([])
  })
})

describe('a run killed on a server given by URL', () => {
  it('leaves its databases there until the next run given that server drops them', async () => {
    const runs = runsDirectory()
    const pgt = await startTestPostgres()
    cleanups.push(() => pgt.cleanup())
    const url = urlOf(pgt.server as LocalPostgresServer)
    const viaUrl = ['--postgres', 'url', '--database-url', url]
    const killed = startReview(slowPullRequest(), runs, [], viaUrl)
    await untilRehearsing(killed)
    const [record] = records(runs)
    const prefix = `dmr_${record!.runId}_`
    const admin = await pgt.client('postgres')
    const named = async (): Promise<string[]> =>
      (await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1', [prefix])).rows.map((row) => row.datname)
    expect(record!.entries.map((entry) => entry.leftover)).toContainEqual(expect.objectContaining({ kind: 'databases', prefix }))
    killed.child.kill('SIGKILL')
    await killed.exited
    expect((await named()).length).toBeGreaterThan(0)

    const next = startReview(quickPullRequest(), runs, [], viaUrl)
    await next.exited
    expect(next.stderr()).toMatch(new RegExp(`Dropped \\d+ databases? an earlier run \\(${record!.runId}, pid ${killed.child.pid}, gone\\) left on 127\\.0\\.0\\.1:`))
    expect(await named()).toEqual([])
    expect(records(runs)).toEqual([])
  })
})

describe('the Action\'s post step', () => {
  it('removes what its killed main step left, from the run id the main step saved', async () => {
    const runs = runsDirectory()
    const killed = startReview(slowPullRequest(), runs)
    await untilRehearsing(killed)
    const [record] = records(runs)
    const { pids, folders } = listed(record!)
    killed.child.kill('SIGKILL')
    await killed.exited

    // The runner hands the state the main step saved (core.saveState) to the post step as STATE_<name>.
    const post = spawnSync(process.execPath, [join(REPO_ROOT, 'dist/post.js')], {
      env: { ...process.env, 'STATE_run-id': record!.runId, 'STATE_runs-dir': runs },
      encoding: 'utf8'
    })
    expect(post.status).toBe(0)
    expect(post.stdout).toContain(`Removed what an earlier run (${record!.runId}`)
    await until(() => pids.every((pid) => !alive(pid)), 'the killed run\'s processes to go')
    expect(folders.filter((folder) => existsSync(folder))).toEqual([])
  })

  it('does nothing when the main step never started a run', () => {
    const post = spawnSync(process.execPath, [join(REPO_ROOT, 'dist/post.js')], { env: { ...process.env, 'STATE_run-id': '', 'STATE_runs-dir': '' }, encoding: 'utf8' })
    expect(post.status).toBe(0)
    expect(post.stdout).not.toContain('Removed')
  })
})

describe('a second Ctrl-C', () => {
  it('stops the server and removes the folders at once, and exits 130', async () => {
    const runs = runsDirectory()
    const review = startReview(slowPullRequest(), runs, ['--verbose'])
    await untilRehearsing(review)
    const { pids, folders } = listed(records(runs)[0]!)

    review.child.kill('SIGINT')
    await until(() => review.stderr().includes('SIGINT received'), 'the first SIGINT to be noticed')
    review.child.kill('SIGINT')
    expect(await review.exited).toBe(130)
    expect(review.stderr()).toContain('SIGINT again: stopping the servers and removing the folders now')
    await until(() => pids.every((pid) => !alive(pid)), 'the processes to go')
    expect(folders.filter((folder) => existsSync(folder))).toEqual([])
  })
})

describe('a run beside another that is still going', () => {
  it('leaves the live run alone', async () => {
    const runs = runsDirectory()
    const live = startReview(slowPullRequest(), runs)
    await untilRehearsing(live)
    const { pids, folders } = listed(records(runs)[0]!)

    const other = spawnSync(process.execPath, [join(REPO_ROOT, 'dist/cli.js'), '--repo', REPO_ROOT, '--base', 'HEAD', '--head', 'HEAD', '--static-only'], {
      env: { ...process.env, DMR_RUNS_DIR: runs },
      encoding: 'utf8'
    })
    expect(other.stderr).not.toContain('Removed what an earlier run')
    expect(pids.every(alive)).toBe(true)
    expect(folders.every((folder) => existsSync(folder))).toBe(true)

    live.child.kill('SIGINT')
    expect(await live.exited).toBe(130)
  })
})

// The CLI as users meet it: flags, formats, files written, exit statuses.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/run.js'
import type { TestRepo } from '../support/git-repo.js'
import { newestDjango, REPO_ROOT } from '../support/python-envs.js'
import { addField, conflictedFork, forkedRepo, shopMigration, shopProject } from '../support/scenarios.js'

const repos: TestRepo[] = []
const dirs: string[] = []
afterEach(() => {
  repos.splice(0).forEach((repo) => repo.cleanup())
  dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }))
})

async function cli(args: string[], env: NodeJS.ProcessEnv = {}, isTty = false, terminal: { stderrIsTty?: boolean; columns?: number } = {}) {
  let stdout = ''
  let stderr = ''
  const status = await runCli(args, {
    env: { ...env },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    isTty,
    ...terminal
  })
  return { status, stdout, stderr }
}

function conflicted(): TestRepo {
  const repo = conflictedFork()
  repos.push(repo)
  return repo
}

function clean(): TestRepo {
  const repo = forkedRepo({ base: shopProject(), pr: [shopMigration('0005_book_summary', '0004_book_pages', [addField('book', 'summary')])] })
  repos.push(repo)
  return repo
}

const refs = (repo: TestRepo) => ['--repo', repo.dir, '--base', 'main', '--head', 'feature', '--static-only']

describe('the CLI', () => {
  it('exits 0 when the verdict passes --fail-on', async () => {
    const result = await cli(refs(clean()))
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('✔ SAFE')
  })

  it('exits 1 when the verdict fails --fail-on, and 0 with --fail-on never', async () => {
    const repo = conflicted()
    expect((await cli(refs(repo))).status).toBe(1)
    expect((await cli([...refs(repo), '--fail-on', 'never'])).status).toBe(0)
  })

  it('exits 2 with the reason for an unknown flag, a bad value, a missing ref and a folder that is not a repository', async () => {
    const repo = clean()
    expect(await cli(['--nope'])).toMatchObject({ status: 2, stderr: expect.stringContaining("Unknown option '--nope'") })
    expect(await cli([...refs(repo), '--fail-on', 'sometimes'])).toMatchObject({
      status: 2,
      stderr: "django-migration-review: --fail-on must be one of error, unsafe, warning, never; got 'sometimes'\n"
    })
    expect(await cli(['--repo', repo.dir, '--base', 'mian', '--head', 'feature', '--static-only'])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("the ref 'mian' does not exist in this repository")
    })
    const empty = mkdtempSync(join(tmpdir(), 'dmr-not-a-repo-'))
    dirs.push(empty)
    expect(await cli(['--repo', empty, '--static-only'])).toMatchObject({ status: 2, stderr: expect.stringContaining('is not a git repository') })
  })

  it('writes the JSON report, versioned', async () => {
    const result = await cli([...refs(conflicted()), '--format', 'json'])
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({ schemaVersion: 1, verdict: 'unsafe', conflicts: [expect.objectContaining({ app: 'shop' })] })
    expect(report.rehearsal).toEqual({ status: 'skipped', reason: 'the rehearsal was switched off (--static-only / rehearsal: false)' })
    // A nullable column added: certain from the file alone, and said to rest on it.
    expect(report.migrations[0].backwardCompatible).toEqual({ value: true, basis: 'static', reason: expect.stringContaining('read from the migration') })
    expect(report.migrations[0].appliesOnSeededData).toEqual({ value: null, reason: expect.stringContaining('not established') })
  })

  it('writes markdown, to a file when asked, and the JSON report beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmr-out-'))
    dirs.push(dir)
    const result = await cli([...refs(conflicted()), '--format', 'markdown', '--output', join(dir, 'review.md'), '--report-path', join(dir, 'report.json')])
    expect(result.stdout).toBe('')
    expect(readFileSync(join(dir, 'review.md'), 'utf8')).toContain('### 🔴 Migration review: unsafe as it stands')
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).verdict).toBe('unsafe')
  })

  it('writes the conflict fix as a patch that git applies', async () => {
    const repo = conflicted()
    const patch = join(repo.dir, '..', `${repo.dir.split('/').pop()}.patch`)
    dirs.push(patch)
    const result = await cli([...refs(repo), '--fix-patch', patch])
    expect(result.stderr).toContain(`wrote 1 conflict fix to ${patch}: git apply ${patch}`)
    repo.checkout('feature')
    repo.git('merge', '-q', '--no-edit', 'main')
    execFileSync('git', ['apply', '--index', patch], { cwd: repo.dir })
    repo.commit('fix')
    expect((await cli(['--repo', repo.dir, '--base', 'main', '--head', 'HEAD', '--static-only'])).status).toBe(0)
  })

  it('colours text only on a terminal, and never with NO_COLOR', async () => {
    const repo = clean()
    expect((await cli(refs(repo), {}, false)).stdout).not.toContain('\u001b[')
    expect((await cli(refs(repo), {}, true)).stdout).toContain('\u001b[32m')
    expect((await cli(refs(repo), { NO_COLOR: '1' }, true)).stdout).not.toContain('\u001b[')
    expect((await cli(refs(repo), { FORCE_COLOR: '' }, false)).stdout).not.toContain('\u001b[')
    expect((await cli(refs(repo), { FORCE_COLOR: '1' }, false)).stdout).toContain('\u001b[')
  })

  it('finds a relative --python from the folder it was started in, not from the checkouts', async () => {
    const repo = clean()
    const python = relative(REPO_ROOT, newestDjango().python)
    expect(python.startsWith('.')).toBe(true)
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'dist/cli.js'), '--repo', repo.dir, '--base', 'main', '--head', 'feature', '--postgres', 'local', '--python', python, '--format', 'json'], {
      cwd: REPO_ROOT,
      encoding: 'utf8'
    })
    expect(run.stderr).not.toContain('Python was not found')
    expect(JSON.parse(run.stdout).rehearsal.status).toBe('ran')
  })

  it('prints help and the version', async () => {
    expect((await cli(['--help'])).stdout).toContain('Usage: django-migration-review [options]')
    expect((await cli(['--version'])).stdout).toBe(`${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`)
  })

  it('reads the repository config: a rule switched off does not count', async () => {
    const repo = forkedRepo({
      base: { ...shopProject(), '.django-migration-review.json': JSON.stringify({ rules: { 'remove-field': 'off' } }) },
      pr: [shopMigration('0005_remove_note', '0004_book_pages', ['migrations.RemoveField(model_name="book", name="note")'])]
    })
    repos.push(repo)
    const report = JSON.parse((await cli([...refs(repo), '--format', 'json'])).stdout)
    expect(report.migrations[0].findings.map((f: { rule: string }) => f.rule)).not.toContain('remove-field')
    writeFileSync(join(repo.dir, '.django-migration-review.json'), '{ "rules": { "remove-field": "sometimes" } }')
    repo.checkout('feature')
    repo.commit('bad config', {})
    expect(await cli([...refs(repo)])).toMatchObject({ status: 2, stderr: expect.stringContaining('rules.remove-field must be one of off, info, warning, unsafe, error') })
  })

  it('shows its progress on stderr without --verbose, one live line on a terminal, and none with --quiet', async () => {
    const repo = clean()
    const plain = await cli(refs(repo))
    expect(plain.stderr).toMatch(/^static review: 1 new migration\(s\), 0 conflict\(s\)/m)
    const live = await cli(refs(repo), {}, false, { stderrIsTty: true, columns: 80 })
    expect(live.stderr).toMatch(/^\r?static review: .*\n$/)
    expect((await cli([...refs(repo), '--quiet'])).stderr).toBe('')
  })

  it('ends the terminal report with the answer: the verdict and the deploy plan, what to do instead under each finding', async () => {
    const { stdout } = await cli(refs(conflicted()))
    const lines = stdout.trimEnd().split('\n')
    const plan = lines.lastIndexOf('Deploy plan')
    expect(lines[plan - 1]).toMatch(/^✖ UNSAFE {2}1 new migration/)
    expect(lines[plan + 1]).toContain("1. Before merging, renumber this PR's migrations of `shop` after the base branch's")
    // The patch is not printed: the report says how to get it.
    expect(stdout).toContain('get the patch with --fix-patch FILE (then git apply FILE)')
    expect(stdout).not.toContain('diff --git')
    expect(lines.every((line) => line.length <= 100)).toBe(true)
  })

  it('shows control characters from the repository escaped, never raw', async () => {
    const repo = forkedRepo({
      base: shopProject(),
      pr: [shopMigration('0005_\u001b[2Jbook_summary', '0004_book_pages', [addField('book', 'summary')])]
    })
    repos.push(repo)
    const { stdout } = await cli(refs(repo))
    expect(stdout).toContain('0005_\\x1b[2Jbook_summary')
    expect(stdout).not.toContain('\u001b')
  })
})

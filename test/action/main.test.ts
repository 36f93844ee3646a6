// The Action end to end: the bundled dist/index.js, run as the GitHub runner
// runs it, against a local server standing in for the GitHub API.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import MarkdownIt from 'markdown-it'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { pullRequestPayload, runAction } from '../support/action-run.js'
import { appFiles, migrationSource, projectFiles } from '../support/django-project.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'
import type { TestRepo } from '../support/git-repo.js'
import { newestDjango } from '../support/python-envs.js'
import { addField, conflictedFork, forkedRepo, shopMigration, shopProject } from '../support/scenarios.js'
import { BOOK_INITIAL, BOOK_MODEL } from '../support/rehearsal.js'

let github: FakeGitHub
const repos: TestRepo[] = []
beforeEach(async () => {
  github = await startFakeGitHub()
})
afterEach(async () => {
  await github.close()
  repos.splice(0).forEach((repo) => repo.cleanup())
})

const MARKER = '<!-- django-migration-review:v1 key=default -->'

function conflictedRepo(): TestRepo {
  const repo = conflictedFork()
  repos.push(repo)
  return repo
}

function safeRepo(): TestRepo {
  const repo = forkedRepo({ base: shopProject(), pr: [shopMigration('0005_book_summary', '0004_book_pages', [addField('book', 'summary')])] })
  repos.push(repo)
  return repo
}

const sha = (repo: TestRepo, ref: string) => repo.git('rev-parse', ref)

async function reviewPullRequest(repo: TestRepo, inputs: Record<string, string> = {}, number = 7) {
  return runAction({
    workspace: repo.dir,
    eventName: 'pull_request',
    payload: pullRequestPayload(number, sha(repo, 'main'), sha(repo, 'feature')),
    inputs: { 'github-token': 'test-token', rehearsal: 'false', ...inputs },
    apiUrl: github.url
  })
}

describe('the Action on a pull request', () => {
  it('posts one comment on the first run, and edits it (not a second one) when the result changes', async () => {
    const repo = conflictedRepo()
    const first = await reviewPullRequest(repo)
    expect(first.status, first.stdout).toBe(1)
    expect(github.commentsOn(7)).toHaveLength(1)
    expect(github.commentsOn(7)[0]!.body.startsWith(MARKER)).toBe(true)
    expect(github.commentsOn(7)[0]!.body).toContain('Conflicting migrations in `shop`')
    expect(first.outputs['comment-url']).toBe(github.commentsOn(7)[0]!.html_url)

    repo.checkout('feature')
    repo.git('merge', '-q', '--no-edit', 'main')
    repo.commit('merge migration', { 'shop/migrations/0006_merge.py': migrationSource({ dependencies: [['shop', '0005_book_price'], ['shop', '0005_book_summary']] }) })
    const second = await reviewPullRequest(repo)
    expect(second.status, second.stdout).toBe(0)
    expect(github.commentsOn(7)).toHaveLength(1)
    expect(github.requestsOf('PATCH')).toHaveLength(1)
    expect(github.commentsOn(7)[0]!.body).not.toContain('Conflicting migrations')
  })

  it('does not edit the comment when nothing changed', async () => {
    const repo = conflictedRepo()
    await reviewPullRequest(repo)
    await reviewPullRequest(repo)
    expect(github.requestsOf('POST')).toHaveLength(1)
    expect(github.requestsOf('PATCH')).toHaveLength(0)
  })

  it('leaves alone a comment with the same marker by another author', async () => {
    github.addComment({ issueNumber: 7, body: `${MARKER}\nI copied your marker`, user: { login: 'mallory', type: 'User' } })
    await reviewPullRequest(conflictedRepo())
    const comments = github.commentsOn(7)
    expect(comments).toHaveLength(2)
    expect(comments[0]!.body).toBe(`${MARKER}\nI copied your marker`)
  })

  it('finds its comment beyond the first page of comments', async () => {
    for (let i = 0; i < 130; i++) github.addComment({ issueNumber: 7, body: `chatter ${i}`, user: { login: 'someone', type: 'User' } })
    github.addComment({ issueNumber: 7, body: `${MARKER}\nold review`, user: { login: 'github-actions[bot]', type: 'Bot' } })
    await reviewPullRequest(conflictedRepo())
    expect(github.commentsOn(7)).toHaveLength(131)
    expect(github.requestsOf('POST')).toHaveLength(0)
    expect(github.commentsOn(7).at(-1)!.body).toContain('Conflicting migrations')
  })

  it('retries a 502 and a secondary rate limit', async () => {
    github.failNext('list-comments', 'bad-gateway')
    github.failNext('create-comment', 'secondary-rate-limit')
    const run = await reviewPullRequest(conflictedRepo())
    expect(github.commentsOn(7)).toHaveLength(1)
    expect(github.requestsOf('GET', /issues\/\d+\/comments/).map((r) => r.status)).toEqual([502, 200])
    expect(github.requestsOf('POST').map((r) => r.status)).toEqual([403, 201])
    expect(run.stdout).toContain('secondary rate limit')
  })

  it('shrinks a report too large for a comment, and the comment is still valid markdown', async () => {
    const files: Record<string, string> = {}
    let previous = '0004_book_pages'
    for (let i = 5; i < 300; i++) {
      const name = `${String(i).padStart(4, '0')}_add_field_${i}_with_a_long_descriptive_name`
      files[`shop/migrations/${name}.py`] = migrationSource({ dependencies: [['shop', previous]], operations: [`migrations.RemoveField(model_name="book", name="f${i}")`] })
      previous = name
    }
    const repo = forkedRepo({ base: shopProject(), pr: [files] })
    repos.push(repo)
    const run = await reviewPullRequest(repo)
    const body = github.commentsOn(7)[0]!.body
    expect(body.length).toBeLessThanOrEqual(65_536)
    expect(run.stdout).toContain('the comment was shortened')
    expect(run.summary.length).toBeGreaterThan(body.length)
    const html = new MarkdownIt({ html: true }).render(body)
    expect(html.match(/<details>/g)?.length ?? 0).toBe(html.match(/<\/details>/g)?.length ?? 0)
  })

  it('follows fail-on for the exit status', async () => {
    expect((await reviewPullRequest(conflictedRepo(), { 'fail-on': 'never' })).status).toBe(0)
    expect((await reviewPullRequest(safeRepo(), { 'fail-on': 'warning' })).status).toBe(0)
    const failed = await reviewPullRequest(conflictedRepo(), { 'fail-on': 'unsafe' })
    expect(failed.status).toBe(1)
    expect(failed.stdout).toContain('::error::Migration review: unsafe')
  })

  it('sets the outputs, writes the job summary and annotates the migration lines', async () => {
    const run = await reviewPullRequest(conflictedRepo(), { 'fail-on': 'never' })
    expect(run.outputs).toMatchObject({ verdict: 'unsafe', conflicts: '1', 'deploy-order': expect.any(String) })
    expect(run.outputs['report-path']).toMatch(/migration-review\/report\.json$/)
    expect(run.summary).toContain('### 🔴 Migration review: unsafe as it stands')
    expect(run.stdout).toMatch(/^::error title=unsafe%3A conflicting-leaves in shop\.0005_book_summary,file=shop\/migrations\/0005_book_summary\.py,line=7::After the merge, app 'shop' has 2 leaf migrations/m)
  })

  it('prints the base-schema cache key as the cache-key output, and restores the base from cache-dir on the next run', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'dmr-action-cache-'))
    try {
      const inputs = { rehearsal: 'true', python: newestDjango().python, postgres: 'local', 'cache-dir': cacheDir, 'fail-on': 'never', comment: 'false' }
      const first = await reviewPullRequest(safeRepo(), inputs)
      expect(first.status, first.stdout).toBe(0)
      const key = first.outputs['cache-key']!
      expect(key).toMatch(/^dmr-base-[0-9a-f]{32}$/)
      expect(readdirSync(cacheDir)).toEqual([key])
      const second = await reviewPullRequest(safeRepo(), inputs)
      expect(second.outputs['cache-key']).toBe(key)
      expect(second.stdout).toContain(`base: restored from the base-schema cache (${key}`)
    } finally {
      rmSync(cacheDir, { recursive: true, force: true })
    }
  })

  it('finishes fast and green, and says nothing, when the pull request changes no migration', async () => {
    const repo = forkedRepo({ base: shopProject(), pr: [{ 'README.md': 'docs\n' }] })
    repos.push(repo)
    const run = await reviewPullRequest(repo, { rehearsal: 'true', python: newestDjango().python })
    expect(run.status, run.stdout).toBe(0)
    expect(run.outputs.verdict).toBe('safe')
    expect(github.commentsOn(7)).toEqual([])
    expect(run.summary).toContain('this pull request adds no migrations')
    expect(run.stdout).toContain("Migration review: safe: this pull request adds no migrations (static review and Django's autodetector)")
  })

  it('fails the check, naming the input, when the Python it was given cannot import Django', async () => {
    const repo = forkedRepo({ base: shopProject(), pr: [{ 'README.md': 'docs\n' }] })
    repos.push(repo)
    const run = await reviewPullRequest(repo, { rehearsal: 'true', python: 'python3' })
    expect(run.status).toBe(1)
    expect(run.outputs.verdict).toBe('error')
    expect(run.stdout).toContain('set the python input (--python)')
  })

  it('posts the mechanical fixes as one review of suggestions on the lines, and a second run updates rather than piles up', async () => {
    const fill = shopMigration('0005_fill_notes', '0004_book_pages', ['migrations.RunPython(fill)'])
    fill['shop/migrations/0005_fill_notes.py'] = fill['shop/migrations/0005_fill_notes.py']!.replace(
      'class Migration',
      'def fill(apps, schema_editor):\n    pass\n\n\nclass Migration'
    )
    const repo = forkedRepo({ base: shopProject(), pr: [fill] })
    repos.push(repo)
    await reviewPullRequest(repo)
    expect(github.state.reviews).toHaveLength(1)
    expect(github.state.reviewComments).toEqual([
      expect.objectContaining({
        path: 'shop/migrations/0005_fill_notes.py',
        commit_id: sha(repo, 'feature'),
        body: expect.stringContaining('```suggestion\n        migrations.RunPython(fill, reverse_code=migrations.RunPython.noop),\n```')
      })
    ])
    const line = github.state.reviewComments[0]!.line
    expect(repo.git('show', `feature:shop/migrations/0005_fill_notes.py`).split('\n')[line - 1]).toBe('        migrations.RunPython(fill),')

    // The same commit again: nothing new.
    await reviewPullRequest(repo)
    expect(github.state.reviews).toHaveLength(1)
    expect(github.state.reviewComments).toHaveLength(1)

    // The head moves on: the earlier suggestion goes, the new commit gets its own.
    repo.checkout('feature')
    repo.commit('docs', { 'README.md': 'notes\n' })
    repo.checkout('main')
    await reviewPullRequest(repo)
    expect(github.state.reviews).toHaveLength(2)
    expect(github.state.reviewComments).toEqual([expect.objectContaining({ commit_id: sha(repo, 'feature') })])
  })

  it('turns its earlier comment into an all-clear once the pull request drops its migrations', async () => {
    const repo = conflictedRepo()
    await reviewPullRequest(repo)
    repo.checkout('feature')
    repo.commit('drop the migration', { 'shop/migrations/0005_book_summary.py': null })
    await reviewPullRequest(repo)
    expect(github.commentsOn(7)).toHaveLength(1)
    expect(github.commentsOn(7)[0]!.body).toContain('### 🟢 Migration review: safe to deploy')
  })

  it('takes a base branch name to mean the remote one in a CI checkout', async () => {
    const origin = conflictedRepo()
    const clone = mkdtempSync(join(tmpdir(), 'dmr-ci-checkout-'))
    try {
      execFileSync('git', ['clone', '-q', '--branch', 'feature', `file://${origin.dir}`, clone])
      const run = await runAction({
        workspace: clone,
        eventName: 'workflow_dispatch',
        payload: {},
        inputs: { 'github-token': 't', rehearsal: 'false', base: 'main', head: 'HEAD' },
        apiUrl: github.url
      })
      expect(run.outputs.verdict, run.stdout).toBe('unsafe')
      expect(run.summary).toContain('Conflicting migrations in `shop`')
    } finally {
      rmSync(clone, { recursive: true, force: true })
    }
  })

  it('refuses a fork pull request under pull_request_target unless told otherwise, and says why', async () => {
    const repo = conflictedRepo()
    const run = await runAction({
      workspace: repo.dir,
      eventName: 'pull_request_target',
      payload: pullRequestPayload(7, sha(repo, 'main'), sha(repo, 'feature'), { fork: true }),
      inputs: { 'github-token': 'test-token', rehearsal: 'false' },
      apiUrl: github.url
    })
    expect(run.status).toBe(1)
    expect(run.stdout).toContain("Refusing to run: under pull_request_target this job has a write token and secrets")
    expect(github.requests).toHaveLength(0)
  })

  it('rehearses on a real Postgres and posts the evidence', async () => {
    const repo = forkedRepo({
      base: { ...projectFiles(['shop']), ...appFiles('shop', { '0001_initial': BOOK_INITIAL }, BOOK_MODEL) },
      pr: [
        {
          'shop/models.py': `from django.db import models\n${BOOK_MODEL}    stock = models.IntegerField(default=0)\n`,
          'shop/migrations/0002_book_stock.py': migrationSource({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'stock', 'models.IntegerField(default=0)')] })
        }
      ]
    })
    repos.push(repo)
    const run = await reviewPullRequest(repo, { rehearsal: 'true', postgres: 'local', python: newestDjango().python })
    expect(run.status, run.stdout).toBe(1)
    const body = github.commentsOn(7)[0]!.body
    expect(body).toContain('rehearsed on PostgreSQL')
    expect(body).toContain('| `shop.0002_book_stock`<br><sub>adds book.stock as NOT NULL with only a Python default</sub> | 🔴 unsafe | ❌ no | multi-step | ✅ yes | ✅ no |')
    expect(body).toContain('null value in column &quot;stock&quot;')
  })
})

describe('the Action in a merge queue', () => {
  it('reviews the merge group against its base and posts nothing (there is no pull request)', async () => {
    const repo = conflictedRepo()
    const run = await runAction({
      workspace: repo.dir,
      eventName: 'merge_group',
      payload: { action: 'checks_requested', merge_group: { head_sha: sha(repo, 'feature'), head_ref: 'refs/heads/gh-readonly-queue/main/pr-7', base_sha: sha(repo, 'main'), base_ref: 'refs/heads/main' } },
      inputs: { 'github-token': 'test-token', rehearsal: 'false' },
      apiUrl: github.url
    })
    expect(run.status).toBe(1)
    expect(run.outputs.verdict).toBe('unsafe')
    expect(run.outputs.conflicts).toBe('1')
    expect(github.requests).toHaveLength(0)
  })
})

describe('the Action on workflow_dispatch', () => {
  it('runs everything, writes the summary and posts nothing (dry run)', async () => {
    const repo = conflictedRepo()
    const run = await runAction({
      workspace: repo.dir,
      eventName: 'workflow_dispatch',
      payload: { inputs: { base: 'main', head: 'feature' }, ref: 'refs/heads/main' },
      inputs: { 'github-token': 'test-token', rehearsal: 'false', base: 'main', head: 'feature' },
      apiUrl: github.url
    })
    expect(run.summary).toContain('Conflicting migrations in `shop`')
    expect(run.outputs.verdict).toBe('unsafe')
    expect(run.stdout).toContain('dry run, nothing is posted')
    expect(github.requests).toHaveLength(0)
  })

  it('says which input is missing without a base', async () => {
    const run = await runAction({ workspace: conflictedRepo().dir, eventName: 'workflow_dispatch', payload: {}, inputs: { 'github-token': 't' }, apiUrl: github.url })
    expect(run.status).toBe(1)
    expect(run.stdout).toContain('Input error: a workflow_dispatch run needs the base input')
  })
})

describe('the fork-safe pair', () => {
  async function reviewStage(repo: TestRepo, number = 7) {
    const run = await runAction({
      workspace: repo.dir,
      eventName: 'pull_request',
      payload: pullRequestPayload(number, sha(repo, 'main'), sha(repo, 'feature'), { fork: true }),
      inputs: { 'github-token': 'read-only', rehearsal: 'false', mode: 'review', 'fail-on': 'never' },
      apiUrl: github.url
    })
    // The report lands outside the checkout, where the report-path output says; the artifact carries it to the next run.
    expect(run.outputs['report-path']).not.toContain(repo.dir)
    const artifact = mkdtempSync(join(tmpdir(), 'dmr-artifact-'))
    repos.push({ cleanup: () => rmSync(artifact, { recursive: true, force: true }) } as TestRepo)
    writeFileSync(join(artifact, 'report.json'), run.report ?? '')
    return { run, reportPath: join(artifact, 'report.json') }
  }

  function workflowRun(headSha: string) {
    return {
      action: 'completed',
      workflow_run: { id: 99, event: 'pull_request', conclusion: 'success', head_sha: headSha, head_repository: { full_name: 'mallory/shop' }, pull_requests: [] },
      repository: { full_name: 'acme/shop' }
    }
  }

  it('reviews without posting, then posts from the artifact once the API confirms the pull request', async () => {
    const repo = conflictedRepo()
    const { run, reportPath } = await reviewStage(repo)
    expect(run.status).toBe(0)
    expect(github.requests).toHaveLength(0)
    github.addPull({ number: 7, headSha: sha(repo, 'feature'), headRepoFullName: 'mallory/shop' })
    const comment = await runAction({
      workspace: repo.dir,
      eventName: 'workflow_run',
      payload: workflowRun(sha(repo, 'feature')),
      inputs: { 'github-token': 'write-token', mode: 'comment', report: reportPath },
      apiUrl: github.url
    })
    expect(comment.status, comment.stdout).toBe(0)
    expect(github.commentsOn(7)).toHaveLength(1)
    expect(comment.outputs['comment-url']).toBe(github.commentsOn(7)[0]!.html_url)
  })

  it('refuses an artifact whose pull request number the API does not confirm', async () => {
    const repo = conflictedRepo()
    const { reportPath } = await reviewStage(repo)
    github.addPull({ number: 7, headSha: 'f'.repeat(40), headRepoFullName: 'mallory/shop' })
    const comment = await runAction({
      workspace: repo.dir,
      eventName: 'workflow_run',
      payload: workflowRun(sha(repo, 'feature')),
      inputs: { 'github-token': 'write-token', mode: 'comment', report: reportPath },
      apiUrl: github.url
    })
    expect(comment.status).toBe(1)
    expect(comment.stdout).toContain('Refusing to post')
    expect(github.requestsOf('POST')).toHaveLength(0)
  })

  it('refuses to run the pull request\'s code under an event it does not know to be safe, and says which input allows it', async () => {
    const repo = conflictedRepo()
    const run = await runAction({
      workspace: repo.dir,
      eventName: 'issue_comment',
      payload: { issue: { number: 7, pull_request: {} }, repository: { full_name: 'acme/shop' } },
      inputs: { 'github-token': 'write-token', base: 'main', head: 'feature', rehearsal: 'false' },
      apiUrl: github.url
    })
    expect(run.status).toBe(1)
    expect(run.stdout).toContain('Refusing to run under issue_comment')
    expect(run.stdout).toContain('set allow-event: issue_comment')
    expect(github.requests).toHaveLength(0)
  })

  it('refuses an artifact that is not a report', async () => {
    const repo = conflictedRepo()
    mkdirSync(join(repo.dir, 'evil'), { recursive: true })
    writeFileSync(join(repo.dir, 'evil', 'report.json'), JSON.stringify({ schemaVersion: 1, pullRequest: { number: 7 }, verdict: '<img src=x onerror=alert(1)>' }))
    const comment = await runAction({
      workspace: repo.dir,
      eventName: 'workflow_run',
      payload: workflowRun(sha(repo, 'feature')),
      inputs: { 'github-token': 'write-token', mode: 'comment', report: join(repo.dir, 'evil', 'report.json') },
      apiUrl: github.url
    })
    expect(comment.status).toBe(1)
    expect(comment.stdout).toContain('the report artifact is not usable')
    expect(github.requests).toHaveLength(0)
  })
})

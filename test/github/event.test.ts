// Reading the event the Action runs for, from the runner's environment and
// realistic payload files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readEventContext } from '../../src/github/event.js'

const fixture = (name: string) => join(import.meta.dirname, '..', 'fixtures', 'events', `${name}.json`)
const HEAD = '4f2d8c1e9a7b3d5f6e8a0c2b4d6f8a1c3e5b7d90'
const BASE = '1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a01'

function env(eventName: string, file: string | undefined, extra: Record<string, string> = {}) {
  return {
    GITHUB_EVENT_NAME: eventName,
    ...(file ? { GITHUB_EVENT_PATH: fixture(file) } : {}),
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: '9c1e7b2a4d6f8e0a1b3c5d7e9f1a2b3c4d5e6f70',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '14000000099',
    ...extra
  }
}

describe('reading the event', () => {
  it('reads a pull_request from the same repository', () => {
    const context = readEventContext(env('pull_request', 'pull_request'))
    expect(context).toMatchObject({
      eventName: 'pull_request',
      owner: 'acme',
      repo: 'shop',
      sha: '9c1e7b2a4d6f8e0a1b3c5d7e9f1a2b3c4d5e6f70',
      mergeGroup: null,
      workflowRun: null,
      apiUrl: 'https://api.github.com',
      runUrl: 'https://github.com/acme/shop/actions/runs/14000000099'
    })
    expect(context.pullRequest).toEqual({
      number: 42,
      baseRef: 'main',
      baseSha: BASE,
      headRef: 'feature/book-summary',
      headSha: HEAD,
      headRepoFullName: 'acme/shop',
      isFork: false
    })
  })

  it('marks a pull_request from a fork as a fork', () => {
    const { pullRequest } = readEventContext(env('pull_request', 'pull_request-fork'))
    expect(pullRequest).toMatchObject({ number: 57, headRef: 'main', headRepoFullName: 'mallory/shop', isFork: true })
  })

  it('reads pull_request_target the same way as pull_request', () => {
    const { pullRequest } = readEventContext(env('pull_request_target', 'pull_request_target-fork'))
    expect(pullRequest).toEqual({
      number: 57,
      baseRef: 'main',
      baseSha: BASE,
      headRef: 'patch-1',
      headSha: HEAD,
      headRepoFullName: 'mallory/shop',
      isFork: true
    })
  })

  it('treats a pull request whose head repository was deleted as a fork with no head repository', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmr-event-'))
    try {
      const path = join(dir, 'event.json')
      writeFileSync(
        path,
        JSON.stringify({
          number: 8,
          pull_request: {
            number: 8,
            head: { ref: 'gone', sha: HEAD, repo: null },
            base: { ref: 'main', sha: BASE, repo: { full_name: 'acme/shop' } }
          }
        })
      )
      const { pullRequest } = readEventContext({ ...env('pull_request', undefined), GITHUB_EVENT_PATH: path })
      expect(pullRequest).toMatchObject({ number: 8, headRepoFullName: null, isFork: true })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reads the base and head commits of a merge_group, with no pull request', () => {
    const context = readEventContext(env('merge_group', 'merge_group'))
    expect(context.pullRequest).toBeNull()
    expect(context.mergeGroup).toEqual({
      baseSha: BASE,
      headSha: '7e9a1c3b5d7f9e1a3c5b7d9f1e3a5c7b9d1f3e5a',
      baseRef: 'refs/heads/main',
      headRef: 'refs/heads/gh-readonly-queue/main/pr-42-1a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a01'
    })
  })

  it('reads a workflow_dispatch with its inputs in the payload and no pull request', () => {
    const context = readEventContext(env('workflow_dispatch', 'workflow_dispatch'))
    expect(context).toMatchObject({ pullRequest: null, mergeGroup: null, workflowRun: null })
    expect(context.payload.inputs).toEqual({ base: 'main', head: 'feature/book-summary', 'dry-run': 'true' })
  })

  it('reads the triggering run of a workflow_run from a fork: no pull request numbers', () => {
    const context = readEventContext(env('workflow_run', 'workflow_run-fork'))
    expect(context.pullRequest).toBeNull()
    expect(context.workflowRun).toEqual({
      id: 14000000057,
      headSha: HEAD,
      headRepoFullName: 'mallory/shop',
      event: 'pull_request',
      conclusion: 'failure',
      pullRequestNumbers: []
    })
  })

  it('lists the pull request numbers GitHub gives for a workflow_run from the same repository', () => {
    const { workflowRun } = readEventContext(env('workflow_run', 'workflow_run'))
    expect(workflowRun).toMatchObject({ id: 14000000042, conclusion: 'success', headRepoFullName: 'acme/shop', pullRequestNumbers: [42] })
  })

  it('builds the run URL from a GitHub Enterprise server URL, and takes the API root from GITHUB_API_URL', () => {
    const context = readEventContext(
      env('pull_request', 'pull_request', { GITHUB_SERVER_URL: 'https://ghe.example.com/', GITHUB_API_URL: 'https://ghe.example.com/api/v3/', GITHUB_RUN_ID: '5' })
    )
    expect(context.runUrl).toBe('https://ghe.example.com/acme/shop/actions/runs/5')
    expect(context.apiUrl).toBe('https://ghe.example.com/api/v3')
  })

  it('derives the API root from the server URL when GITHUB_API_URL is not set', () => {
    expect(readEventContext(env('pull_request', 'pull_request', { GITHUB_SERVER_URL: 'https://ghe.example.com' })).apiUrl).toBe(
      'https://ghe.example.com/api/v3'
    )
  })

  it('has no run URL outside a run', () => {
    const { GITHUB_RUN_ID: _, ...rest } = env('workflow_dispatch', 'workflow_dispatch')
    expect(readEventContext(rest).runUrl).toBeUndefined()
  })

  it('says why when the event name is missing', () => {
    expect(() => readEventContext({})).toThrow(/GITHUB_EVENT_NAME is not set/)
  })

  it('says why when GITHUB_REPOSITORY is not owner/repo', () => {
    expect(() => readEventContext(env('workflow_dispatch', 'workflow_dispatch', { GITHUB_REPOSITORY: 'acme' }))).toThrow(
      /GITHUB_REPOSITORY is "acme"; expected owner\/repo/
    )
  })

  it('says why when the payload file is missing or not JSON', () => {
    expect(() => readEventContext({ ...env('pull_request', undefined), GITHUB_EVENT_PATH: '/nonexistent/event.json' })).toThrow(
      /Cannot read the event payload/
    )
    const dir = mkdtempSync(join(tmpdir(), 'dmr-event-'))
    try {
      writeFileSync(join(dir, 'event.json'), '{"action": "opened",')
      expect(() => readEventContext({ ...env('pull_request', undefined), GITHUB_EVENT_PATH: join(dir, 'event.json') })).toThrow(
        /is not JSON/
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('says which field is missing when a pull_request payload has no pull request', () => {
    expect(() => readEventContext(env('pull_request', 'workflow_dispatch'))).toThrow(/The pull_request event payload has no `pull_request`/)
  })
})

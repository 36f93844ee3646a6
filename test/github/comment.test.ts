// The sticky comment against a local stand-in for the GitHub REST API, through
// real Octokit HTTP calls.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js'
import { CommentPermissionError, CommentTooLongError, commentMarker, upsertComment } from '../../src/github/comment.js'
import type { Logger } from '../../src/lifecycle/logger.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'

let github: FakeGitHub
let octokit: GitHubClient
const warnings: string[] = []
const logger: Logger = { info: () => {}, debug: () => {}, warning: (message) => warnings.push(message) }
const target = { owner: 'acme', repo: 'shop', issueNumber: 42, key: 'migrations' }
const marker = commentMarker('migrations')

beforeEach(async () => {
  github = await startFakeGitHub()
  octokit = createGitHubClient({ token: 'ghs_test', baseUrl: github.url, logger, retryAfterBaseValue: 1, spaceWrites: false })
  warnings.length = 0
})
afterEach(() => github.close())

const post = (body: string) => upsertComment(octokit, { ...target, body, logger })
const writes = () => github.requests.filter((r) => r.method !== 'GET')

describe('the comment marker', () => {
  it('is a versioned HTML comment naming the key', () => {
    expect(commentMarker('migrations')).toBe('<!-- django-migration-review:v1 key=migrations -->')
  })

  it('replaces characters outside letters, digits, dot, underscore, slash and dash', () => {
    expect(commentMarker('apps/shop --> <b>x</b>')).toBe('<!-- django-migration-review:v1 key=apps/shop------b-x-/b- -->')
    expect(commentMarker('ci.yml/check_v2')).toBe('<!-- django-migration-review:v1 key=ci.yml/check_v2 -->')
  })
})

describe('upserting the sticky comment', () => {
  it('creates the comment on the first call and updates the same one on the second', async () => {
    const first = await post('🟡 1 warning')
    const second = await post('🟢 all clear')

    expect(first.action).toBe('created')
    expect(second).toMatchObject({ action: 'updated', id: first.id })
    const comments = github.commentsOn(42)
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toBe(`${marker}\n🟢 all clear`)
    expect(second.url).toBe(comments[0]!.html_url)
  })

  it('puts the marker on the first line, and does not add it twice when the body already has it', async () => {
    await post(`${marker}\nreport`)
    expect(github.commentsOn(42)[0]!.body).toBe(`${marker}\nreport`)
  })

  it('makes no write request at all when the body is unchanged', async () => {
    await post('same report')
    const before = github.requests.length
    const result = await post('same report')

    expect(result.action).toBe('unchanged')
    expect(github.requests.slice(before).map((r) => r.method)).toEqual(['GET'])
    expect(github.requestsOf('PATCH')).toHaveLength(0)
  })

  it('leaves alone a comment by another author that carries the same marker', async () => {
    const impostor = github.addComment({ issueNumber: 42, body: `${marker}\nfake report`, user: { login: 'mallory' } })
    const result = await post('real report')

    expect(result.action).toBe('created')
    expect(result.id).not.toBe(impostor.id)
    expect(github.commentsOn(42).find((c) => c.id === impostor.id)!.body).toBe(`${marker}\nfake report`)
    expect(github.requestsOf('PATCH')).toHaveLength(0)
    expect(github.requestsOf('DELETE')).toHaveLength(0)
  })

  it('ignores a comment that quotes the marker anywhere but the first line', async () => {
    github.addComment({ issueNumber: 42, body: `> ${marker}\nquoted`, user: { login: 'github-actions[bot]' } })
    expect((await post('report')).action).toBe('created')
  })

  it('does not confuse the comments of two keys', async () => {
    const apps = await upsertComment(octokit, { ...target, key: 'apps', body: 'apps report' })
    const shop = await upsertComment(octokit, { ...target, key: 'apps-shop', body: 'shop report' })
    expect(shop.action).toBe('created')
    expect(shop.id).not.toBe(apps.id)
  })

  it('recognises its own comment when the author is given without the [bot] suffix or in another case', async () => {
    const mine = github.addComment({ issueNumber: 42, body: `${marker}\nold`, user: { login: 'github-actions[bot]' } })
    const result = await upsertComment(octokit, { ...target, body: 'new', author: 'GitHub-Actions' })
    expect(result).toMatchObject({ action: 'updated', id: mine.id })
  })

  it('finds its comment on page 3 of 250 comments', async () => {
    for (let i = 0; i < 249; i++) github.addComment({ issueNumber: 42, body: `comment ${i}`, user: { login: `user${i % 7}` } })
    const mine = github.addComment({ issueNumber: 42, body: `${marker}\nold report`, user: { login: 'github-actions[bot]' } })

    const result = await post('new report')

    expect(result).toMatchObject({ action: 'updated', id: mine.id })
    expect(github.requestsOf('GET').map((r) => r.query)).toEqual([
      { per_page: '100' },
      { per_page: '100', page: '2' },
      { per_page: '100', page: '3' }
    ])
    expect(github.commentsOn(42)).toHaveLength(250)
  })

  it('collapses duplicates from an earlier race to one, keeping the newest', async () => {
    const older = github.addComment({ issueNumber: 42, body: `${marker}\nrun 1`, user: { login: 'github-actions[bot]' } })
    github.addComment({ issueNumber: 42, body: 'a human comment', user: { login: 'alice' } })
    const newer = github.addComment({ issueNumber: 42, body: `${marker}\nrun 2`, user: { login: 'github-actions[bot]' } })

    const result = await post('run 3')

    expect(result).toMatchObject({ action: 'updated', id: newer.id, deleted: [older.id] })
    expect(github.commentsOn(42).map((c) => c.body)).toEqual(['a human comment', `${marker}\nrun 3`])
  })

  it('retries a 502 and a secondary rate limit, and the call succeeds', async () => {
    github.failNext('list-comments', 'bad-gateway')
    github.failNext('create-comment', 'secondary-rate-limit')

    const result = await post('report')

    expect(result.action).toBe('created')
    expect(github.commentsOn(42)).toHaveLength(1)
    expect(github.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 502', 'GET 200', 'POST 403', 'POST 201'])
    expect(warnings.join('\n')).toMatch(/secondary rate limit/)
  })

  it('explains the fork-safe setup when the token may not comment (403 on a fork PR)', async () => {
    github.failNext('create-comment', 'not-accessible')

    const error = await post('report').catch((e: unknown) => e)

    expect(error).toBeInstanceOf(CommentPermissionError)
    expect((error as Error).message).toMatch(/Resource not accessible by integration/)
    expect((error as Error).message).toMatch(/fork/)
    expect((error as Error).message).toMatch(/`mode: review`.*`mode: comment`.*`workflow_run`/)
    expect(github.requestsOf('POST')).toHaveLength(1)
  })

  it('refuses a body over 65,536 characters before sending it', async () => {
    const error = await post('x'.repeat(65_536)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CommentTooLongError)
    expect(github.requestsOf('POST')).toHaveLength(0)
  })

  it('needs the marker to fit too: a body of exactly the limit with the marker line is refused', async () => {
    const room = 65_536 - marker.length - 1
    await expect(post('y'.repeat(room))).resolves.toMatchObject({ action: 'created' })
    await expect(post('y'.repeat(room + 1))).rejects.toBeInstanceOf(CommentTooLongError)
  })

  it('sends the token and its own user agent', async () => {
    await post('report')
    expect(github.requests[0]!.authorization).toBe('token ghs_test')
    expect(github.requests[0]!.userAgent).toMatch(/^django-migration-review\//)
  })

  it('lists once and writes once for a plain update', async () => {
    github.addComment({ issueNumber: 42, body: `${marker}\nold`, user: { login: 'github-actions[bot]' } })
    await post('new')
    expect(writes().map((r) => r.method)).toEqual(['PATCH'])
  })
})

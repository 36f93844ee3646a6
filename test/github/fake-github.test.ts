// The stand-in for GitHub behaves like GitHub where the tests rely on it:
// authentication, pagination links and the comment size limit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js'
import { silentLogger } from '../../src/lifecycle/logger.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'

let github: FakeGitHub
let octokit: GitHubClient

beforeEach(async () => {
  github = await startFakeGitHub()
  octokit = createGitHubClient({ token: 'ghs_test', baseUrl: github.url, logger: silentLogger, retryAfterBaseValue: 1, spaceWrites: false })
})
afterEach(() => github.close())

describe('the fake GitHub API', () => {
  it('refuses a comment body over 65,536 characters with GitHub’s 422', async () => {
    const error = await octokit.rest.issues
      .createComment({ owner: 'acme', repo: 'shop', issue_number: 1, body: 'x'.repeat(65_537) })
      .then(
        () => ({ status: 201, message: '' }),
        (e: unknown) => e as { status: number; message: string }
      )
    expect(error.status).toBe(422)
    expect(error.message).toMatch(/body is too long \(maximum is 65536 characters\)/i)
    expect(github.commentsOn(1)).toHaveLength(0)
  })

  it('accepts a body of exactly 65,536 characters, counting characters rather than UTF-16 units', async () => {
    await octokit.rest.issues.createComment({ owner: 'acme', repo: 'shop', issue_number: 1, body: 'x'.repeat(65_536) })
    await octokit.rest.issues.createComment({ owner: 'acme', repo: 'shop', issue_number: 1, body: '🙂'.repeat(65_536) })
    expect(github.commentsOn(1)).toHaveLength(2)
  })

  it('refuses an over-long update the same way', async () => {
    const comment = github.addComment({ issueNumber: 1, body: 'short' })
    await expect(
      octokit.rest.issues.updateComment({ owner: 'acme', repo: 'shop', comment_id: comment.id, body: 'x'.repeat(70_000) })
    ).rejects.toMatchObject({ status: 422 })
    expect(github.commentsOn(1)[0]!.body).toBe('short')
  })

  it('answers 401 without an Authorization header', async () => {
    const response = await fetch(`${github.url}/repos/acme/shop/issues/1/comments`)
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ message: 'Requires authentication' })
  })

  it('answers 401 for a wrong token when it is given one', async () => {
    const strict = await startFakeGitHub({ token: 'right' })
    try {
      const response = await fetch(`${strict.url}/repos/acme/shop/pulls/1`, { headers: { authorization: 'token wrong' } })
      expect(response.status).toBe(401)
    } finally {
      await strict.close()
    }
  })

  it('pages with per_page and page, and links next, last, first and prev like GitHub', async () => {
    for (let i = 0; i < 25; i++) github.addComment({ issueNumber: 5, body: `c${i}` })
    const get = (query: string) =>
      fetch(`${github.url}/repos/acme/shop/issues/5/comments?${query}`, { headers: { authorization: 'token x' } })

    const first = await get('per_page=10')
    expect(((await first.json()) as unknown[]).length).toBe(10)
    expect(first.headers.get('link')).toBe(
      `<${github.url}/repos/acme/shop/issues/5/comments?per_page=10&page=2>; rel="next", ` +
        `<${github.url}/repos/acme/shop/issues/5/comments?per_page=10&page=3>; rel="last"`
    )
    const last = await get('per_page=10&page=3')
    expect(((await last.json()) as Array<{ body: string }>).map((c) => c.body)).toEqual(['c20', 'c21', 'c22', 'c23', 'c24'])
    expect(last.headers.get('link')).toBe(
      `<${github.url}/repos/acme/shop/issues/5/comments?per_page=10&page=1>; rel="first", ` +
        `<${github.url}/repos/acme/shop/issues/5/comments?per_page=10&page=2>; rel="prev"`
    )
  })

  it('defaults to 30 per page and caps per_page at 100', async () => {
    for (let i = 0; i < 130; i++) github.addComment({ issueNumber: 6, body: `c${i}` })
    const all = await octokit.paginate(octokit.rest.issues.listComments, { owner: 'acme', repo: 'shop', issue_number: 6 })
    expect(all).toHaveLength(130)
    expect(github.requests).toHaveLength(5)
    await octokit.rest.issues.listComments({ owner: 'acme', repo: 'shop', issue_number: 6, per_page: 500 }).then(({ data }) => {
      expect(data).toHaveLength(100)
    })
  })

  it('records each request with method, path, query and body', async () => {
    await octokit.rest.issues.createComment({ owner: 'acme', repo: 'shop', issue_number: 9, body: 'hello' })
    expect(github.requests).toEqual([
      expect.objectContaining({ method: 'POST', path: '/repos/acme/shop/issues/9/comments', query: {}, body: { body: 'hello' }, status: 201 })
    ])
  })

  it('gives comments the token creates to the configured login', async () => {
    const other = await startFakeGitHub({ login: 'migration-bot[bot]' })
    try {
      const client = createGitHubClient({ token: 't', baseUrl: other.url, logger: silentLogger, spaceWrites: false })
      const { data } = await client.rest.issues.createComment({ owner: 'acme', repo: 'shop', issue_number: 2, body: 'hi' })
      expect(data.user).toMatchObject({ login: 'migration-bot[bot]', type: 'Bot' })
    } finally {
      await other.close()
    }
  })

  it('deletes a comment with 204', async () => {
    const comment = github.addComment({ issueNumber: 1, body: 'bye' })
    const { status } = await octokit.rest.issues.deleteComment({ owner: 'acme', repo: 'shop', comment_id: comment.id })
    expect(status).toBe(204)
    expect(github.commentsOn(1)).toHaveLength(0)
  })
})

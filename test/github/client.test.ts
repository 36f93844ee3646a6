// The REST client: retries and rate limits against a local stand-in for the
// GitHub API, through real HTTP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createGitHubClient, type GitHubClientOptions } from '../../src/github/client.js'
import type { Logger } from '../../src/lifecycle/logger.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'

let github: FakeGitHub
const warnings: string[] = []
const logger: Logger = { info: () => {}, debug: () => {}, warning: (message) => warnings.push(message) }
const client = (options: Partial<GitHubClientOptions> = {}) =>
  createGitHubClient({ token: 'ghs_test', baseUrl: github.url, logger, retryAfterBaseValue: 1, spaceWrites: false, ...options })
const getPull = (options: Partial<GitHubClientOptions> = {}) => client(options).rest.pulls.get({ owner: 'acme', repo: 'shop', pull_number: 7 })

beforeEach(async () => {
  github = await startFakeGitHub()
  github.addPull({ number: 7, headSha: 'a'.repeat(40) })
  warnings.length = 0
})
afterEach(() => github.close())

describe('the GitHub client', () => {
  it('retries a 502 and returns the answer', async () => {
    github.failNext('get-pull', 'bad-gateway', 2)
    const { data } = await getPull()
    expect(data.number).toBe(7)
    expect(github.requests.map((r) => r.status)).toEqual([502, 502, 200])
  })

  it('gives up on a 502 after the configured number of retries', async () => {
    github.failNext('get-pull', 'bad-gateway', 5)
    await expect(getPull({ retries: 2 })).rejects.toMatchObject({ status: 502 })
    expect(github.requests).toHaveLength(3)
  })

  it('waits out a secondary rate limit for as long as retry-after says, with a warning', async () => {
    github.failNext('get-pull', 'secondary-rate-limit')
    const started = Date.now()
    const { data } = await getPull({ retryAfterBaseValue: 100 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(90)
    expect(data.number).toBe(7)
    expect(warnings).toEqual([expect.stringMatching(/secondary rate limit .*retrying in 1 s \(retry 1 of 2\)/)])
  })

  it('retries a secondary rate limit at most twice, then fails', async () => {
    github.failNext('get-pull', 'secondary-rate-limit', 3)
    await expect(getPull()).rejects.toMatchObject({ status: 403 })
    expect(github.requests).toHaveLength(3)
    expect(warnings.at(-1)).toMatch(/giving up after 2 retries/)
  })

  it('retries after a primary rate limit once the reset time has passed', async () => {
    github.failNext('get-pull', 'rate-limit')
    const { data } = await getPull()
    expect(data.number).toBe(7)
    expect(warnings).toEqual([expect.stringMatching(/GitHub rate limit hit/)])
  })

  it('does not wait for a rate limit that asks for more than the allowed wait', async () => {
    github.failNext('get-pull', 'secondary-rate-limit')
    await expect(getPull({ maxRetryAfterSeconds: 0 })).rejects.toMatchObject({ status: 403 })
    expect(warnings.at(-1)).toMatch(/longer than 0 s/)
  })

  it('does not retry a 404 or a permission error', async () => {
    await expect(client().rest.pulls.get({ owner: 'acme', repo: 'shop', pull_number: 8 })).rejects.toMatchObject({ status: 404 })
    github.failNext('get-pull', 'not-accessible')
    await expect(getPull()).rejects.toMatchObject({ status: 403 })
    expect(github.requests).toHaveLength(2)
  })

  it('spaces writes about a second apart unless told not to, as GitHub asks of integrations', async () => {
    const comment = github.addComment({ issueNumber: 1, body: 'x' })
    const edit = (octokit: ReturnType<typeof client>, body: string) =>
      octokit.rest.issues.updateComment({ owner: 'acme', repo: 'shop', comment_id: comment.id, body })

    const fast = client()
    let started = Date.now()
    await edit(fast, 'a')
    await edit(fast, 'b')
    expect(Date.now() - started).toBeLessThan(500)

    const spaced = client({ spaceWrites: true })
    started = Date.now()
    await edit(spaced, 'c')
    await edit(spaced, 'd')
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })

  it('works against a GitHub Enterprise API root with a path', async () => {
    const enterprise = await startFakeGitHub({ pathPrefix: '/api/v3' })
    try {
      enterprise.addPull({ number: 3, headSha: 'c'.repeat(40) })
      const octokit = createGitHubClient({ token: 't', baseUrl: `${enterprise.url}/`, logger })
      const { data } = await octokit.rest.pulls.get({ owner: 'acme', repo: 'shop', pull_number: 3 })
      expect(enterprise.url).toMatch(/\/api\/v3$/)
      expect(data.head.sha).toBe('c'.repeat(40))
    } finally {
      await enterprise.close()
    }
  })
})

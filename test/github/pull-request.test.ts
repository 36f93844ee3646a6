// The fork-safe comment workflow posts only for a pull request the API
// confirms: it exists, is open, and is at the commit the report is about.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js'
import { confirmPullRequest } from '../../src/github/pull-request.js'
import { silentLogger } from '../../src/lifecycle/logger.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'

const HEAD = '4f2d8c1e9a7b3d5f6e8a0c2b4d6f8a1c3e5b7d90'
let github: FakeGitHub
let octokit: GitHubClient

beforeEach(async () => {
  github = await startFakeGitHub()
  octokit = createGitHubClient({ token: 'ghs_test', baseUrl: github.url, logger: silentLogger, retryAfterBaseValue: 1, spaceWrites: false })
  github.addPull({ number: 57, headSha: HEAD, headRepoFullName: 'mallory/shop' })
})
afterEach(() => github.close())

const confirm = (number: unknown, headSha = HEAD, headRepoFullName?: string) =>
  confirmPullRequest(octokit, { owner: 'acme', repo: 'shop', number, headSha, headRepoFullName })

describe('confirming the pull request an artifact names', () => {
  it('confirms an open pull request at the reported head commit', async () => {
    const result = await confirm(57, HEAD, 'mallory/shop')
    expect(result.ok).toBe(true)
    expect(result.ok && result.pull.number).toBe(57)
  })

  it('accepts the number as a decimal string and the SHA in upper case', async () => {
    expect((await confirm('57', HEAD.toUpperCase())).ok).toBe(true)
  })

  it('refuses when the pull request has moved to another head commit', async () => {
    const result = await confirm(57, 'e'.repeat(40))
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^Pull request #57 is now at 4f2d8c1e9a7b, not eeeeeeeeeeee .*stale/) })
  })

  it('refuses a closed pull request', async () => {
    github.addPull({ number: 57, headSha: HEAD, state: 'closed' })
    expect(await confirm(57)).toEqual({ ok: false, reason: 'Pull request #57 is closed, so its review comment is no longer updated.' })
  })

  it('refuses a merged pull request, saying so', async () => {
    github.addPull({ number: 57, headSha: HEAD, state: 'closed', merged: true })
    expect(await confirm(57)).toMatchObject({ ok: false, reason: expect.stringMatching(/is merged/) })
  })

  it('refuses a pull request that does not exist', async () => {
    expect(await confirm(58)).toEqual({ ok: false, reason: 'Pull request #58 does not exist in acme/shop.' })
  })

  it('refuses a pull request whose head lives in another repository than the run’s', async () => {
    expect(await confirm(57, HEAD, 'eve/shop')).toMatchObject({ ok: false, reason: expect.stringMatching(/comes from mallory\/shop, not eve\/shop/) })
  })

  it.each([
    [1.5, '1.5'],
    [0, '0'],
    [-3, '-3'],
    [Number.NaN, 'null'],
    ['57; rm -rf /', '"57; rm -rf /"'],
    ['0x39', '"0x39"'],
    [null, 'null'],
    [[57], '[57]']
  ])('refuses the non-integer number %j without asking the API', async (number, shown) => {
    const result = await confirm(number)
    expect(result).toEqual({ ok: false, reason: `The pull request number ${shown} is not a positive integer.` })
    expect(github.requests).toHaveLength(0)
  })

  it('refuses a head that is not a full commit SHA without asking the API', async () => {
    expect(await confirm(57, 'main')).toEqual({ ok: false, reason: 'The head commit "main" is not a full commit SHA.' })
    expect(github.requests).toHaveLength(0)
  })

  it('lets an API failure surface as an error rather than a refusal', async () => {
    github.failNext('get-pull', 'bad-gateway', 10)
    await expect(confirm(57)).rejects.toMatchObject({ status: 502 })
  })
})

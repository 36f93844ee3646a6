// The REST client every GitHub call goes through: @octokit/rest with retries
// for server errors (plugin-retry) and for primary and secondary rate limits
// (plugin-throttling). `baseUrl` comes from GITHUB_API_URL, so GitHub
// Enterprise Server (`https://ghe.example.com/api/v3`) works unchanged.
import { retry } from '@octokit/plugin-retry'
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling'
import { Octokit } from '@octokit/rest'
import type { Logger } from '../lifecycle/logger.js'
import { TOOL_VERSION } from '../model/version.js'

export const DEFAULT_API_URL = 'https://api.github.com'

const GitHubClientClass = Octokit.plugin(retry, throttling)

/** The client `createGitHubClient` returns; any `@octokit/rest` Octokit is accepted where only REST calls are made. */
export type GitHubClient = InstanceType<typeof GitHubClientClass>

export interface GitHubClientOptions {
  token: string
  /** The REST API root: `GITHUB_API_URL` in a workflow. Defaults to api.github.com. */
  baseUrl?: string | undefined
  logger: Logger
  /** How often a request is retried after a 5xx, a rate limit or a secondary rate limit. Default 2. */
  retries?: number
  /**
   * Milliseconds per second of wait: GitHub's `retry-after` and the retry
   * backoff are multiplied by it. Default 1000; tests pass 1 so a
   * `retry-after: 1` costs a millisecond.
   */
  retryAfterBaseValue?: number
  /**
   * Space content-creating requests (GitHub asks for about a second between
   * them; the throttling plugin waits 1 s between writes and 3 s between
   * requests that notify people). Default true; tests against a local server
   * turn it off.
   */
  spaceWrites?: boolean
  /** Rate-limit waits longer than this are not waited for: the request fails instead. Default 300 s. */
  maxRetryAfterSeconds?: number
}

type Group = NonNullable<ThrottlingOptions['write']>

/** A stand-in for a Bottleneck group that runs every job at once (no spacing). */
const unspaced = {
  key: () => ({
    schedule: (...args: unknown[]) => {
      // schedule([options], fn, ...fnArgs)
      const rest = typeof args[0] === 'function' ? args : args.slice(1)
      const [fn, ...fnArgs] = rest as [(...a: unknown[]) => unknown, ...unknown[]]
      return Promise.resolve().then(() => fn(...fnArgs))
    }
  })
} as unknown as Group

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { logger } = options
  const retries = options.retries ?? 2
  const base = options.retryAfterBaseValue ?? 1000
  const maxWait = options.maxRetryAfterSeconds ?? 300
  const baseUrl = (options.baseUrl?.trim() || DEFAULT_API_URL).replace(/\/+$/, '')

  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const what = `${request.method} ${request.url}`
      if (retryCount >= retries) {
        logger.warning(`GitHub ${kind} hit on ${what}; giving up after ${retryCount} retries.`)
        return false
      }
      if (retryAfter > maxWait) {
        logger.warning(`GitHub ${kind} hit on ${what}; it asks to wait ${retryAfter} s, longer than ${maxWait} s, so the request fails.`)
        return false
      }
      logger.warning(`GitHub ${kind} hit on ${what}; retrying in ${retryAfter} s (retry ${retryCount + 1} of ${retries}).`)
      return true
    }

  const throttle: ThrottlingOptions = {
    onRateLimit: onLimit('rate limit'),
    onSecondaryRateLimit: onLimit('secondary rate limit'),
    retryAfterBaseValue: base,
    ...(options.spaceWrites === false ? { write: unspaced, notifications: unspaced } : {})
  }

  return new GitHubClientClass({
    auth: options.token,
    baseUrl,
    userAgent: `django-migration-review/${TOOL_VERSION}`,
    log: {
      // plugin-request-log reports every request at info and every failure at
      // error; the caller sees failures as thrown errors, so both are debug.
      debug: (message: string) => logger.debug(message),
      info: (message: string) => logger.debug(message),
      warn: (message: string) => logger.warning(message),
      error: (message: string) => logger.debug(message)
    },
    retry: { retries, retryAfterBaseValue: base },
    throttle
  })
}

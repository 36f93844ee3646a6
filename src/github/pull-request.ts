// Before the fork-safe comment workflow posts anything, the API has to
// confirm what the (untrusted) artifact claims: that the pull request exists,
// is open, and is still at the commit the report is about.
import type { Octokit, RestEndpointMethodTypes } from '@octokit/rest'

export type PullRequestData = RestEndpointMethodTypes['pulls']['get']['response']['data']

export type PullRequestConfirmation = { ok: true; pull: PullRequestData } | { ok: false; reason: string }

export interface ConfirmPullRequestOptions {
  owner: string
  repo: string
  /** The PR number as claimed (untrusted: from an artifact); a positive integer, or its decimal string. */
  number: unknown
  /** The commit the report is about (`workflow_run.head_sha`). */
  headSha: string
  /** When given, the PR's head repository must be this `owner/repo` (`workflow_run.head_repository.full_name`). */
  headRepoFullName?: string | null | undefined
}

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i

/** A safe, short rendering of an untrusted value for a message. */
function shown(value: unknown): string {
  let text: string
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value))
  } catch {
    text = String(value)
  }
  return text.length > 40 ? `${text.slice(0, 39)}…` : text
}

/** The PR number as an integer, or null when `value` is not a positive integer. */
export function parsePullRequestNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null
  if (typeof value === 'string' && /^[1-9][0-9]{0,15}$/.test(value)) {
    const number = Number(value)
    return Number.isSafeInteger(number) ? number : null
  }
  return null
}

export async function confirmPullRequest(octokit: Octokit, options: ConfirmPullRequestOptions): Promise<PullRequestConfirmation> {
  const { owner, repo, headSha } = options
  const number = parsePullRequestNumber(options.number)
  if (number === null) return { ok: false, reason: `The pull request number ${shown(options.number)} is not a positive integer.` }
  if (!SHA.test(headSha)) return { ok: false, reason: `The head commit ${shown(headSha)} is not a full commit SHA.` }

  let pull: PullRequestData
  try {
    pull = (await octokit.rest.pulls.get({ owner, repo, pull_number: number })).data
  } catch (error) {
    if ((error as { status?: number }).status === 404) {
      return { ok: false, reason: `Pull request #${number} does not exist in ${owner}/${repo}.` }
    }
    throw error
  }

  if (pull.state !== 'open') {
    return { ok: false, reason: `Pull request #${number} is ${pull.merged ? 'merged' : 'closed'}, so its review comment is no longer updated.` }
  }
  if (pull.head.sha.toLowerCase() !== headSha.toLowerCase()) {
    return {
      ok: false,
      reason: `Pull request #${number} is now at ${pull.head.sha.slice(0, 12)}, not ${headSha.slice(0, 12)} (the commit the report is about), so the report is stale or belongs to another pull request.`
    }
  }
  if (options.headRepoFullName != null) {
    const actual = pull.head.repo?.full_name ?? null
    if (actual === null || actual.toLowerCase() !== options.headRepoFullName.toLowerCase()) {
      return {
        ok: false,
        reason: `Pull request #${number} comes from ${actual ?? 'a deleted repository'}, not ${options.headRepoFullName}.`
      }
    }
  }
  return { ok: true, pull }
}

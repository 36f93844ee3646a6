// Mechanical fixes as one pull request review, a comment with a
// ```suggestion block on each line to change, so the author applies one with a
// click. One review per head commit: earlier suggestions of this action are
// deleted when the head moves on (they would pile up otherwise), and left as
// they are when a run for the same commit finds the same ones.
import type { Octokit } from '@octokit/rest'
import { silentLogger, type Logger } from '../lifecycle/logger.js'

export interface SuggestionsOptions {
  owner: string
  repo: string
  pullNumber: number
  /** The commit the lines belong to: the report's head. */
  headSha: string
  key: string
  author: string
  logger?: Logger
}

export interface SuggestionsResult {
  action: 'posted' | 'unchanged' | 'none'
  comments: number
  deleted: number
}

/** One comment of the review, as GitHub's API takes it (the report part renders them). */
export interface ReviewComment {
  path: string
  line: number
  start_line?: number
  side: 'RIGHT'
  start_side?: 'RIGHT'
  body: string
}

/** The hidden first line of each suggestion comment this action writes. */
export function suggestionMarker(key: string): string {
  return `<!-- django-migration-review:suggestion key=${key.replace(/[^A-Za-z0-9._/-]/g, '-') || 'default'} -->`
}

/** Posts `wanted` (each body starting with `suggestionMarker(key)`) as this commit's review, replacing earlier ones. */
export async function upsertSuggestions(octokit: Octokit, wanted: readonly ReviewComment[], options: SuggestionsOptions): Promise<SuggestionsResult> {
  const logger = options.logger ?? silentLogger
  const marker = suggestionMarker(options.key)
  const existing = (
    await octokit.paginate(octokit.rest.pulls.listReviewComments, { owner: options.owner, repo: options.repo, pull_number: options.pullNumber, per_page: 100 })
  ).filter((comment) => comment.user?.login === options.author && comment.body.startsWith(marker))
  const same =
    existing.length === wanted.length &&
    existing.every((comment) => comment.commit_id === options.headSha) &&
    wanted.every((comment) => existing.some((old) => old.path === comment.path && old.line === comment.line && old.body === comment.body))
  if (same) {
    logger.info(wanted.length === 0 ? 'No suggestion to post' : `The ${wanted.length} suggestion(s) on this commit are already posted`)
    return { action: wanted.length === 0 ? 'none' : 'unchanged', comments: wanted.length, deleted: 0 }
  }
  for (const comment of existing) await octokit.rest.pulls.deleteReviewComment({ owner: options.owner, repo: options.repo, comment_id: comment.id })
  if (wanted.length === 0) return { action: 'none', comments: 0, deleted: existing.length }
  await octokit.rest.pulls.createReview({
    owner: options.owner,
    repo: options.repo,
    pull_number: options.pullNumber,
    commit_id: options.headSha,
    event: 'COMMENT',
    body: `${marker}\ndjango-migration-review: ${wanted.length} fix${wanted.length === 1 ? '' : 'es'} you can apply from the diff.`,
    comments: [...wanted]
  })
  logger.info(`Posted ${wanted.length} suggestion(s) on ${options.headSha.slice(0, 7)}${existing.length > 0 ? `, removed ${existing.length} earlier one(s)` : ''}`)
  return { action: 'posted', comments: wanted.length, deleted: existing.length }
}

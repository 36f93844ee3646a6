// The one sticky PR comment: found by a hidden marker on its first line and
// by its author, updated in place, created when missing, and collapsed to one
// when an earlier race left several.
import type { Octokit } from '@octokit/rest'
import { silentLogger, type Logger } from '../lifecycle/logger.js'

export const DEFAULT_COMMENT_AUTHOR = 'github-actions[bot]'
/** GitHub refuses comment bodies longer than this many characters (422). */
export const GITHUB_COMMENT_LIMIT = 65_536

/** The first line of every comment this tool owns. Characters outside `[A-Za-z0-9._/-]` in the key become `-`. */
export function commentMarker(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._/-]/g, '-') || 'default'
  return `<!-- django-migration-review:v1 key=${safe} -->`
}

export interface UpsertCommentOptions {
  owner: string
  repo: string
  issueNumber: number
  body: string
  key: string
  /** Login that owns the comment (the token's user). Default `github-actions[bot]`. */
  author?: string | undefined
  logger?: Logger | undefined
  /** Create a comment when none exists yet (false: only update one that does). */
  create?: boolean
}

export interface UpsertCommentResult {
  action: 'created' | 'updated' | 'unchanged' | 'skipped'
  id: number
  url: string
  /** Ids of duplicate comments (from an earlier race) that were deleted. */
  deleted: number[]
}

/** The token cannot write comments here: a `pull_request` run from a fork has a read-only token. */
export class CommentPermissionError extends Error {
  override name = 'CommentPermissionError'
  status = 403
  constructor(operation: string, options?: { cause?: unknown }) {
    super(
      `Could not ${operation} the pull request comment: GitHub answered 403 "Resource not accessible by integration". ` +
        'The token cannot comment here; on a pull request from a fork, the `pull_request` token is read-only and that cannot be changed. ' +
        'Use the fork-safe pair: `mode: review` in the `pull_request` workflow (it uploads the report as an artifact) and `mode: comment` ' +
        'in a second workflow triggered by `workflow_run` with `permissions: pull-requests: write`, which posts it. ' +
        'For pull requests from the same repository, give the job `permissions: pull-requests: write`.',
      options
    )
  }
}

/** The body is over GitHub's limit; the caller has to render a shorter one. */
export class CommentTooLongError extends Error {
  override name = 'CommentTooLongError'
  length: number
  constructor(length: number) {
    super(
      `The comment body has ${length} characters; GitHub accepts at most ${GITHUB_COMMENT_LIMIT}. Render a shorter version (the full report belongs in the job summary).`
    )
    this.length = length
  }
}

interface ListedComment {
  id: number
  body?: string | null | undefined
  user?: { login: string; type?: string } | null | undefined
  created_at: string
  html_url: string
}

const normalizeLogin = (login: string): string => login.toLowerCase().replace(/\[bot\]$/, '')
const normalizeBody = (body: string): string => body.replace(/\r\n/g, '\n')

/** Whether `body`'s first line is exactly `marker`. */
function startsWithMarker(body: string, marker: string): boolean {
  if (!body.startsWith(marker)) return false
  const next = body.charAt(marker.length)
  return next === '' || next === '\n' || next === '\r'
}

/** The body with the marker as its first line. */
export function withMarker(body: string, marker: string): string {
  return startsWithMarker(body, marker) ? body : `${marker}\n${body}`
}

const characters = (text: string): number => {
  let count = 0
  for (const _ of text) count++
  return count
}

function isNotAccessible(error: unknown): boolean {
  const e = error as { status?: number; message?: string; response?: { data?: { message?: string } } }
  return e?.status === 403 && /Resource not accessible by integration/i.test(`${e.response?.data?.message ?? ''} ${e.message ?? ''}`)
}

async function write<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (isNotAccessible(error)) throw new CommentPermissionError(operation, { cause: error })
    throw error
  }
}

export async function upsertComment(octokit: Octokit, options: UpsertCommentOptions): Promise<UpsertCommentResult> {
  const { owner, repo, issueNumber } = options
  const logger = options.logger ?? silentLogger
  const author = normalizeLogin(options.author ?? DEFAULT_COMMENT_AUTHOR)
  const marker = commentMarker(options.key)
  const body = withMarker(options.body, marker)
  const length = characters(body)
  if (length > GITHUB_COMMENT_LIMIT) throw new CommentTooLongError(length)

  const all = (await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100
  })) as ListedComment[]
  const ours = all
    .filter((comment) => startsWithMarker(comment.body ?? '', marker))
    .filter((comment) => comment.user != null && normalizeLogin(comment.user.login) === author)
    .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id)
  logger.debug(`${all.length} comments on #${issueNumber}; ${ours.length} carry ${marker} from ${options.author ?? DEFAULT_COMMENT_AUTHOR}`)

  if (ours.length === 0 && options.create === false) {
    logger.info(`No review comment on #${issueNumber} to update; nothing to say, so none is created`)
    return { action: 'skipped', id: 0, url: '', deleted: [] }
  }
  if (ours.length === 0) {
    const { data } = await write('create', () => octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body }))
    logger.info(`Created the review comment on #${issueNumber}: ${data.html_url}`)
    return { action: 'created', id: data.id, url: data.html_url, deleted: [] }
  }

  const newest = ours.at(-1)!
  let result: UpsertCommentResult
  if (normalizeBody(newest.body ?? '') === normalizeBody(body)) {
    logger.info(`The review comment on #${issueNumber} is already up to date: ${newest.html_url}`)
    result = { action: 'unchanged', id: newest.id, url: newest.html_url, deleted: [] }
  } else {
    const { data } = await write('update', () => octokit.rest.issues.updateComment({ owner, repo, comment_id: newest.id, body }))
    logger.info(`Updated the review comment on #${issueNumber}: ${data.html_url}`)
    result = { action: 'updated', id: data.id, url: data.html_url, deleted: [] }
  }

  for (const duplicate of ours.slice(0, -1)) {
    try {
      await write('delete a duplicate of', () => octokit.rest.issues.deleteComment({ owner, repo, comment_id: duplicate.id }))
      result.deleted.push(duplicate.id)
    } catch (error) {
      // Another run deleted it first.
      if ((error as { status?: number }).status !== 404) throw error
    }
  }
  if (result.deleted.length > 0) logger.info(`Deleted ${result.deleted.length} duplicate review comment(s) on #${issueNumber}.`)
  return result
}

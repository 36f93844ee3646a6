// A stand-in for the GitHub REST API on 127.0.0.1: the endpoints the Action
// calls, with GitHub's pagination, body limit, authentication and error
// bodies, so tests drive real Octokit HTTP requests against it. State is
// seedable and inspectable, every request is recorded, and failures can be
// scripted per route.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export const BODY_LIMIT = 65_536

export type FakeRoute = 'list-comments' | 'create-comment' | 'update-comment' | 'delete-comment' | 'get-pull' | 'create-review' | 'list-review-comments' | 'delete-review-comment'

/**
 * - `bad-gateway`: 502 with an HTML body, as GitHub's front end sends.
 * - `secondary-rate-limit`: 403, "You have exceeded a secondary rate limit...", `retry-after: 1`.
 * - `rate-limit`: 403, "API rate limit exceeded...", `x-ratelimit-remaining: 0`, reset one second ahead.
 * - `not-accessible`: 403, "Resource not accessible by integration" (a read-only token, as on fork PRs).
 */
export type FakeFailure = 'bad-gateway' | 'secondary-rate-limit' | 'rate-limit' | 'not-accessible'

export interface FakeUser {
  login: string
  id: number
  type: 'Bot' | 'User' | 'Organization'
}

export interface FakeComment {
  id: number
  owner: string
  repo: string
  issue_number: number
  body: string
  user: FakeUser
  created_at: string
  updated_at: string
  html_url: string
}

export interface FakePull {
  owner: string
  repo: string
  number: number
  state: 'open' | 'closed'
  merged: boolean
  draft: boolean
  title: string
  head: { ref: string; sha: string; repo: { full_name: string } | null }
  base: { ref: string; sha: string; repo: { full_name: string } }
  html_url: string
}

/** A comment of a pull request review, on a line of a file. */
export interface FakeReviewComment {
  id: number
  owner: string
  repo: string
  pull_number: number
  review_id: number
  commit_id: string
  path: string
  line: number
  start_line: number | null
  body: string
  user: FakeUser
}

export interface FakeReview {
  id: number
  owner: string
  repo: string
  pull_number: number
  commit_id: string
  body: string
  event: string
  user: FakeUser
}

export interface RecordedRequest {
  method: string
  /** The path without the query string (and without `pathPrefix`). */
  path: string
  query: Record<string, string>
  body: unknown
  authorization: string | undefined
  userAgent: string | undefined
  /** What the fake answered. */
  status: number
}

export interface FakeState {
  comments: FakeComment[]
  pulls: FakePull[]
  reviews: FakeReview[]
  reviewComments: FakeReviewComment[]
  /** Who the token is: comments it creates belong to this user. */
  viewer: FakeUser
  nextId: number
  /** Scripted failures still to be served, per route. */
  failures: Map<FakeRoute, FakeFailure[]>
}

export interface FakeGitHubOptions {
  /** Login of the token's user. Default `github-actions[bot]` (type Bot). */
  login?: string
  userType?: FakeUser['type']
  /** When set, only `Authorization: token <token>` / `Bearer <token>` is accepted; otherwise any is. */
  token?: string
  /** Serve under a path, as GitHub Enterprise Server does (`/api/v3`). */
  pathPrefix?: string
  /** Where `html_url`s point. Default `https://github.com`. */
  webUrl?: string
}

export interface SeedComment {
  owner?: string
  repo?: string
  issueNumber?: number
  body: string
  user?: Partial<FakeUser> & { login: string }
  /** ISO time; default: one second after the previous seeded or created comment. */
  createdAt?: string
}

export interface SeedPull {
  owner?: string
  repo?: string
  number: number
  state?: 'open' | 'closed'
  merged?: boolean
  headSha: string
  headRef?: string
  /** `owner/repo` of the head branch's repository; null when the fork was deleted. Default: the base repo. */
  headRepoFullName?: string | null
  baseSha?: string
  baseRef?: string
}

export interface FakeGitHub {
  /** The API root to give Octokit as `baseUrl` (includes `pathPrefix`). */
  url: string
  state: FakeState
  requests: RecordedRequest[]
  /** The next `times` requests to `route` answer with `failure` (Infinity: all of them). */
  failNext(route: FakeRoute, failure: FakeFailure, times?: number): void
  addComment(seed: SeedComment): FakeComment
  addPull(seed: SeedPull): FakePull
  /** The comments of one issue or PR, oldest first. */
  commentsOn(issueNumber: number, owner?: string, repo?: string): FakeComment[]
  /** Recorded requests, optionally of one method (and path pattern). */
  requestsOf(method: string, path?: RegExp): RecordedRequest[]
  close(): Promise<void>
}

/** Owner and repository seeds use when none is given. */
export const DEFAULT_OWNER = 'acme'
export const DEFAULT_REPO = 'shop'

const EPOCH = Date.UTC(2026, 0, 1, 12, 0, 0)

class HttpError extends Error {
  status: number
  payload: Record<string, unknown>
  headers: Record<string, string>
  constructor(status: number, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(String(payload.message))
    this.status = status
    this.payload = payload
    this.headers = headers
  }
}

const DOCS = 'https://docs.github.com/rest'

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '')
  const webUrl = (options.webUrl ?? 'https://github.com').replace(/\/+$/, '')
  const state: FakeState = {
    comments: [],
    pulls: [],
    reviews: [],
    reviewComments: [],
    viewer: { login: options.login ?? 'github-actions[bot]', id: 41898282, type: options.userType ?? 'Bot' },
    nextId: 1_000_001,
    failures: new Map()
  }
  const requests: RecordedRequest[] = []
  let clock = EPOCH
  let requestCounter = 0
  const tick = (): string => {
    clock += 1000
    return new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z')
  }
  const userIds = new Map<string, number>()
  const userId = (login: string): number => {
    if (!userIds.has(login)) userIds.set(login, 5000 + userIds.size)
    return userIds.get(login)!
  }

  function addComment(seed: SeedComment): FakeComment {
    const owner = seed.owner ?? DEFAULT_OWNER
    const repo = seed.repo ?? DEFAULT_REPO
    const issueNumber = seed.issueNumber ?? 1
    const id = state.nextId++
    const createdAt = seed.createdAt ?? tick()
    const login = seed.user?.login ?? 'octocat'
    const comment: FakeComment = {
      id,
      owner,
      repo,
      issue_number: issueNumber,
      body: seed.body,
      user: {
        login,
        id: seed.user?.id ?? userId(login),
        type: seed.user?.type ?? (login.endsWith('[bot]') ? 'Bot' : 'User')
      },
      created_at: createdAt,
      updated_at: createdAt,
      html_url: `${webUrl}/${owner}/${repo}/pull/${issueNumber}#issuecomment-${id}`
    }
    state.comments.push(comment)
    return comment
  }

  function addPull(seed: SeedPull): FakePull {
    const owner = seed.owner ?? DEFAULT_OWNER
    const repo = seed.repo ?? DEFAULT_REPO
    const full = `${owner}/${repo}`
    const headRepo = seed.headRepoFullName === undefined ? full : seed.headRepoFullName
    const pull: FakePull = {
      owner,
      repo,
      number: seed.number,
      state: seed.state ?? 'open',
      merged: seed.merged ?? false,
      draft: false,
      title: `Pull request ${seed.number}`,
      head: { ref: seed.headRef ?? `feature-${seed.number}`, sha: seed.headSha, repo: headRepo === null ? null : { full_name: headRepo } },
      base: { ref: seed.baseRef ?? 'main', sha: seed.baseSha ?? 'b'.repeat(40), repo: { full_name: full } },
      html_url: `${webUrl}/${owner}/${repo}/pull/${seed.number}`
    }
    state.pulls = state.pulls.filter((p) => !(p.owner === owner && p.repo === repo && p.number === seed.number))
    state.pulls.push(pull)
    return pull
  }

  const commentsOn = (issueNumber: number, owner = DEFAULT_OWNER, repo = DEFAULT_REPO): FakeComment[] =>
    state.comments
      .filter((c) => c.owner === owner && c.repo === repo && c.issue_number === issueNumber)
      .sort((a, b) => a.id - b.id)

  const apiComment = (c: FakeComment, base: string) => ({
    id: c.id,
    node_id: `IC_kwDO${c.id}`,
    url: `${base}/repos/${c.owner}/${c.repo}/issues/comments/${c.id}`,
    html_url: c.html_url,
    issue_url: `${base}/repos/${c.owner}/${c.repo}/issues/${c.issue_number}`,
    body: c.body,
    user: { login: c.user.login, id: c.user.id, type: c.user.type, site_admin: false },
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: c.user.type === 'Bot' ? 'CONTRIBUTOR' : 'MEMBER'
  })

  const apiPull = (p: FakePull, base: string) => ({
    url: `${base}/repos/${p.owner}/${p.repo}/pulls/${p.number}`,
    id: 900_000 + p.number,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    draft: p.draft,
    merged: p.merged,
    html_url: p.html_url,
    user: { login: 'contributor', id: 7001, type: 'User' },
    head: {
      label: `${p.head.repo?.full_name.split('/')[0] ?? 'unknown'}:${p.head.ref}`,
      ref: p.head.ref,
      sha: p.head.sha,
      repo: p.head.repo ? { full_name: p.head.repo.full_name, name: p.head.repo.full_name.split('/')[1], fork: p.head.repo.full_name !== `${p.owner}/${p.repo}` } : null
    },
    base: {
      label: `${p.owner}:${p.base.ref}`,
      ref: p.base.ref,
      sha: p.base.sha,
      repo: { full_name: p.base.repo.full_name, name: p.repo, fork: false }
    }
  })

  function takeFailure(route: FakeRoute): FakeFailure | null {
    const queue = state.failures.get(route)
    if (!queue || queue.length === 0) return null
    return queue.shift()!
  }

  function failureError(failure: FakeFailure, docs: string): HttpError {
    switch (failure) {
      case 'bad-gateway':
        return new HttpError(502, { message: 'Server Error' }, { 'content-type': 'text/html' })
      case 'secondary-rate-limit':
        return new HttpError(
          403,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE:0000:0000.',
            documentation_url: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            status: '403'
          },
          { 'retry-after': '1' }
        )
      case 'rate-limit':
        return new HttpError(
          403,
          {
            message: 'API rate limit exceeded for installation ID 1. If you reach out to GitHub Support for help, please include the request ID FAKE:0000:0000.',
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
            status: '403'
          },
          { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1) }
        )
      case 'not-accessible':
        return new HttpError(403, { message: 'Resource not accessible by integration', documentation_url: docs, status: '403' })
    }
  }

  function checkBody(body: unknown, docs: string): string {
    const text = (body as { body?: unknown } | null)?.body
    if (typeof text !== 'string') {
      throw new HttpError(422, {
        message: 'Invalid request.\n\nNo subschema in "anyOf" matched.\n"body" wasn\'t supplied.',
        documentation_url: docs,
        status: '422'
      })
    }
    // GitHub counts characters (code points), not UTF-16 units.
    if ([...text].length > BODY_LIMIT) {
      throw new HttpError(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'IssueComment', code: 'unprocessable', field: 'data', message: `Body is too long (maximum is ${BODY_LIMIT} characters)` }],
        documentation_url: docs,
        status: '422'
      })
    }
    return text
  }

  function authorize(header: string | undefined): void {
    if (!header) {
      throw new HttpError(401, { message: 'Requires authentication', documentation_url: `${DOCS}`, status: '401' })
    }
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header)
    if (!match || (options.token !== undefined && match[1] !== options.token)) {
      throw new HttpError(401, { message: 'Bad credentials', documentation_url: `${DOCS}`, status: '401' })
    }
  }

  const notFound = () => new HttpError(404, { message: 'Not Found', documentation_url: DOCS, status: '404' })

  interface Answer {
    status: number
    json?: unknown
    headers?: Record<string, string>
  }

  function handle(method: string, path: string, query: URLSearchParams, body: unknown, base: string): Answer {
    let m: RegExpExecArray | null
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path))) {
      const [, owner, repo, number] = m as unknown as [string, string, string, string]
      const issueNumber = Number(number)
      if (method === 'GET') {
        const docs = `${DOCS}/issues/comments#list-issue-comments`
        const failure = takeFailure('list-comments')
        if (failure) throw failureError(failure, docs)
        const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30))
        const page = Math.max(1, Number(query.get('page') ?? 1) || 1)
        const all = commentsOn(issueNumber, owner, repo)
        const last = Math.max(1, Math.ceil(all.length / perPage))
        const slice = all.slice((page - 1) * perPage, page * perPage)
        const link = (p: number) => {
          const params = new URLSearchParams(query)
          params.set('per_page', String(perPage))
          params.set('page', String(p))
          return `<${base}${path}?${params.toString()}>`
        }
        const links: string[] = []
        if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`)
        if (page > 1) links.push(`${link(1)}; rel="first"`, `${link(Math.min(page - 1, last))}; rel="prev"`)
        return { status: 200, json: slice.map((c) => apiComment(c, base)), headers: links.length > 0 ? { link: links.join(', ') } : {} }
      }
      if (method === 'POST') {
        const docs = `${DOCS}/issues/comments#create-an-issue-comment`
        const failure = takeFailure('create-comment')
        if (failure) throw failureError(failure, docs)
        const text = checkBody(body, docs)
        const comment = addComment({ owner, repo, issueNumber, body: text, user: state.viewer })
        return { status: 201, json: apiComment(comment, base), headers: { location: `${base}/repos/${owner}/${repo}/issues/comments/${comment.id}` } }
      }
      throw new HttpError(404, { message: 'Not Found', documentation_url: DOCS, status: '404' })
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(path))) {
      const [, owner, repo, id] = m as unknown as [string, string, string, string]
      const comment = state.comments.find((c) => c.id === Number(id) && c.owner === owner && c.repo === repo)
      if (method === 'PATCH') {
        const docs = `${DOCS}/issues/comments#update-an-issue-comment`
        const failure = takeFailure('update-comment')
        if (failure) throw failureError(failure, docs)
        if (!comment) throw notFound()
        comment.body = checkBody(body, docs)
        comment.updated_at = tick()
        return { status: 200, json: apiComment(comment, base) }
      }
      if (method === 'DELETE') {
        const failure = takeFailure('delete-comment')
        if (failure) throw failureError(failure, `${DOCS}/issues/comments#delete-an-issue-comment`)
        if (!comment) throw notFound()
        state.comments = state.comments.filter((c) => c !== comment)
        return { status: 204 }
      }
      if (method === 'GET' && comment) return { status: 200, json: apiComment(comment, base) }
      throw notFound()
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/reviews$/.exec(path)) && method === 'POST') {
      const [, owner, repo, number] = m as unknown as [string, string, string, string]
      const docs = `${DOCS}/pulls/reviews#create-a-review-for-a-pull-request`
      const failure = takeFailure('create-review')
      if (failure) throw failureError(failure, docs)
      const request = body as { commit_id?: string; body?: string; event?: string; comments?: Array<{ path?: string; line?: number; start_line?: number; side?: string; body?: string }> }
      const comments = request.comments ?? []
      if (comments.some((comment) => typeof comment.path !== 'string' || !Number.isInteger(comment.line) || typeof comment.body !== 'string')) {
        throw new HttpError(422, { message: 'Unprocessable Entity', errors: ['"path", "line" and "body" are required for each comment'], documentation_url: docs, status: '422' })
      }
      const review: FakeReview = { id: state.nextId++, owner, repo, pull_number: Number(number), commit_id: request.commit_id ?? '', body: request.body ?? '', event: request.event ?? 'PENDING', user: state.viewer }
      state.reviews.push(review)
      for (const comment of comments) {
        state.reviewComments.push({
          id: state.nextId++,
          owner,
          repo,
          pull_number: Number(number),
          review_id: review.id,
          commit_id: review.commit_id,
          path: comment.path!,
          line: comment.line!,
          start_line: comment.start_line ?? null,
          body: comment.body!,
          user: state.viewer
        })
      }
      return { status: 200, json: { id: review.id, body: review.body, commit_id: review.commit_id, state: review.event === 'COMMENT' ? 'COMMENTED' : review.event, user: review.user } }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/comments$/.exec(path)) && method === 'GET') {
      const [, owner, repo, number] = m as unknown as [string, string, string, string]
      const failure = takeFailure('list-review-comments')
      if (failure) throw failureError(failure, `${DOCS}/pulls/comments#list-review-comments-on-a-pull-request`)
      const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30))
      const page = Math.max(1, Number(query.get('page') ?? 1) || 1)
      const all = state.reviewComments.filter((c) => c.owner === owner && c.repo === repo && c.pull_number === Number(number)).sort((a, b) => a.id - b.id)
      const slice = all.slice((page - 1) * perPage, page * perPage)
      const headers: Record<string, string> = page * perPage < all.length ? { link: `<${base}${path}?per_page=${perPage}&page=${page + 1}>; rel="next"` } : {}
      return {
        status: 200,
        json: slice.map((c) => ({ id: c.id, pull_request_review_id: c.review_id, commit_id: c.commit_id, path: c.path, line: c.line, start_line: c.start_line, body: c.body, user: { login: c.user.login, id: c.user.id, type: c.user.type } })),
        headers
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/comments\/(\d+)$/.exec(path)) && method === 'DELETE') {
      const [, owner, repo, id] = m as unknown as [string, string, string, string]
      const failure = takeFailure('delete-review-comment')
      if (failure) throw failureError(failure, `${DOCS}/pulls/comments#delete-a-review-comment-for-a-pull-request`)
      const comment = state.reviewComments.find((c) => c.id === Number(id) && c.owner === owner && c.repo === repo)
      if (!comment) throw notFound()
      state.reviewComments = state.reviewComments.filter((c) => c !== comment)
      return { status: 204 }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/([^/]+)$/.exec(path)) && method === 'GET') {
      const [, owner, repo, number] = m as unknown as [string, string, string, string]
      const failure = takeFailure('get-pull')
      if (failure) throw failureError(failure, `${DOCS}/pulls/pulls#get-a-pull-request`)
      const pull = state.pulls.find((p) => p.owner === owner && p.repo === repo && String(p.number) === number)
      if (!pull) throw notFound()
      return { status: 200, json: apiPull(pull, base) }
    }
    throw notFound()
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const raw = Buffer.concat(chunks).toString('utf8')
      let body: unknown = raw.length > 0 ? raw : undefined
      try {
        if (raw.length > 0) body = JSON.parse(raw)
      } catch {
        // keep the raw text
      }
      const method = (req.method ?? 'GET').toUpperCase()
      const inPrefix = url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)
      const path = inPrefix ? url.pathname.slice(prefix.length) || '/' : url.pathname
      const base = `http://${req.headers.host ?? '127.0.0.1'}${prefix}`
      const record: RecordedRequest = {
        method,
        path,
        query: Object.fromEntries(url.searchParams),
        body,
        authorization: req.headers.authorization,
        userAgent: req.headers['user-agent'],
        status: 0
      }
      requests.push(record)
      requestCounter += 1
      const common: Record<string, string> = {
        'x-github-request-id': `FAKE:${String(requestCounter).padStart(6, '0')}`,
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600),
        'x-ratelimit-resource': 'core',
        'x-github-api-version-selected': '2022-11-28'
      }
      let answer: Answer
      try {
        if (!inPrefix) throw notFound()
        authorize(req.headers.authorization)
        answer = handle(method, path, url.searchParams, body, base)
      } catch (error) {
        if (!(error instanceof HttpError)) {
          answer = { status: 500, json: { message: String(error) } }
        } else if (error.status === 502) {
          record.status = 502
          res.writeHead(502, { ...common, 'content-type': 'text/html' })
          res.end('<html><body><h1>502 Bad Gateway</h1></body></html>')
          return
        } else {
          answer = { status: error.status, json: error.payload, headers: error.headers }
        }
      }
      record.status = answer.status
      if (answer.status === 204) {
        res.writeHead(204, { ...common, ...answer.headers })
        res.end()
        return
      }
      res.writeHead(answer.status, { ...common, 'content-type': 'application/json; charset=utf-8', ...answer.headers })
      res.end(JSON.stringify(answer.json))
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    state,
    requests,
    failNext(route, failure, times = 1) {
      const queue = state.failures.get(route) ?? []
      if (times === Infinity) {
        // A long queue stands in for "always".
        for (let i = 0; i < 10_000; i++) queue.push(failure)
      } else {
        for (let i = 0; i < times; i++) queue.push(failure)
      }
      state.failures.set(route, queue)
    },
    addComment,
    addPull,
    commentsOn,
    requestsOf: (method, path) => requests.filter((r) => r.method === method.toUpperCase() && (!path || path.test(r.path))),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      })
  }
}

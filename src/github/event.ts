// The event the Action runs for, read from what the runner sets: the
// GITHUB_* variables and the JSON payload at GITHUB_EVENT_PATH. Read here
// rather than through @actions/github's `context`, which reads the
// environment once, when the module is first imported.
import { readFileSync } from 'node:fs'

export interface PullRequestRef {
  number: number
  baseRef: string
  baseSha: string
  headRef: string
  headSha: string
  /** `owner/repo` the head branch lives in; null when that repository was deleted. */
  headRepoFullName: string | null
  /** The head branch lives in another repository (or in a deleted one). */
  isFork: boolean
}

export interface MergeGroupRef {
  baseSha: string
  headSha: string
  /** `refs/heads/main` */
  baseRef: string
  /** `refs/heads/gh-readonly-queue/main/pr-42-<sha>` */
  headRef: string
}

export interface WorkflowRunRef {
  /** The run that triggered this one: download its artifact by this id. */
  id: number
  headSha: string
  headRepoFullName: string | null
  /** The event of the triggering run: `pull_request`, `push`, ... */
  event: string
  /** `success`, `failure`, `cancelled`, ...; null while it runs. */
  conclusion: string | null
  /**
   * The PRs GitHub associates with the run. Empty for PRs from forks, so the
   * number has to come from the artifact and be confirmed through the API.
   */
  pullRequestNumbers: number[]
}

export interface EventContext {
  eventName: string
  owner: string
  repo: string
  /** GITHUB_SHA: the merge commit for `pull_request`, the base branch's tip for `pull_request_target` and `workflow_run`. */
  sha: string
  payload: Record<string, unknown>
  /** For `pull_request` and `pull_request_target`; null otherwise. */
  pullRequest: PullRequestRef | null
  /** For `merge_group`; null otherwise. */
  mergeGroup: MergeGroupRef | null
  /** For `workflow_run`; null otherwise. */
  workflowRun: WorkflowRunRef | null
  /** The REST API root (GITHUB_API_URL; `https://ghe.example.com/api/v3` on GitHub Enterprise Server). */
  apiUrl: string
  /** The run's page, whose job summary holds the full report; undefined outside a run. */
  runUrl: string | undefined
  /** `https://github.com/acme/shop`: the repository's pages (file links in the comment). */
  repositoryUrl: string
  /** The action's own pages at the ref the workflow uses (its rule documentation); undefined outside an action run. */
  actionUrl: string | undefined
}

type Env = Record<string, string | undefined>
type Json = Record<string, unknown>

const object = (value: unknown): Json | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null
const string = (value: unknown): string | null => (typeof value === 'string' ? value : null)
const integer = (value: unknown): number | null => (typeof value === 'number' && Number.isSafeInteger(value) ? value : null)

function required<T>(value: T | null, what: string, eventName: string): T {
  if (value === null) throw new Error(`The ${eventName} event payload has no ${what}.`)
  return value
}

function readPayload(path: string | undefined): Json {
  if (!path) return {}
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new Error(`Cannot read the event payload at GITHUB_EVENT_PATH (${path}): ${(error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new Error(`The event payload at GITHUB_EVENT_PATH (${path}) is not JSON: ${(error as Error).message}`)
  }
  const payload = object(parsed)
  if (!payload) throw new Error(`The event payload at GITHUB_EVENT_PATH (${path}) is not a JSON object.`)
  return payload
}

function pullRequestOf(payload: Json, eventName: string): PullRequestRef {
  const pr = required(object(payload.pull_request), '`pull_request`', eventName)
  const head = required(object(pr.head), '`pull_request.head`', eventName)
  const base = required(object(pr.base), '`pull_request.base`', eventName)
  const headRepo = string(object(head.repo)?.full_name)
  const baseRepo = string(object(base.repo)?.full_name) ?? string(object(payload.repository)?.full_name)
  return {
    number: required(integer(pr.number) ?? integer(payload.number), '`pull_request.number`', eventName),
    baseRef: required(string(base.ref), '`pull_request.base.ref`', eventName),
    baseSha: required(string(base.sha), '`pull_request.base.sha`', eventName),
    headRef: required(string(head.ref), '`pull_request.head.ref`', eventName),
    headSha: required(string(head.sha), '`pull_request.head.sha`', eventName),
    headRepoFullName: headRepo,
    isFork: headRepo === null || baseRepo === null || headRepo.toLowerCase() !== baseRepo.toLowerCase()
  }
}

function mergeGroupOf(payload: Json, eventName: string): MergeGroupRef {
  const group = required(object(payload.merge_group), '`merge_group`', eventName)
  return {
    baseSha: required(string(group.base_sha), '`merge_group.base_sha`', eventName),
    headSha: required(string(group.head_sha), '`merge_group.head_sha`', eventName),
    baseRef: string(group.base_ref) ?? '',
    headRef: string(group.head_ref) ?? ''
  }
}

function workflowRunOf(payload: Json, eventName: string): WorkflowRunRef {
  const run = required(object(payload.workflow_run), '`workflow_run`', eventName)
  const pulls = Array.isArray(run.pull_requests) ? run.pull_requests : []
  return {
    id: required(integer(run.id), '`workflow_run.id`', eventName),
    headSha: required(string(run.head_sha), '`workflow_run.head_sha`', eventName),
    headRepoFullName: string(object(run.head_repository)?.full_name),
    event: string(run.event) ?? '',
    conclusion: string(run.conclusion),
    pullRequestNumbers: pulls.map((pull) => integer(object(pull)?.number)).filter((n): n is number => n !== null)
  }
}

export function readEventContext(env: Env): EventContext {
  const eventName = env.GITHUB_EVENT_NAME?.trim()
  if (!eventName) throw new Error('GITHUB_EVENT_NAME is not set: the event can only be read inside a GitHub Actions run.')
  const payload = readPayload(env.GITHUB_EVENT_PATH)

  const slug = env.GITHUB_REPOSITORY?.trim() || string(object(payload.repository)?.full_name) || ''
  const [owner, repo, ...rest] = slug.split('/')
  if (!owner || !repo || rest.length > 0) {
    throw new Error(`GITHUB_REPOSITORY is ${slug ? `"${slug}"` : 'not set'}; expected owner/repo.`)
  }

  const isPullRequest = eventName === 'pull_request' || eventName === 'pull_request_target'
  const serverUrl = (env.GITHUB_SERVER_URL?.trim() || 'https://github.com').replace(/\/+$/, '')
  const runId = env.GITHUB_RUN_ID?.trim()
  const apiUrl = (env.GITHUB_API_URL?.trim() || (serverUrl === 'https://github.com' ? 'https://api.github.com' : `${serverUrl}/api/v3`)).replace(/\/+$/, '')
  return {
    eventName,
    owner,
    repo,
    sha: env.GITHUB_SHA?.trim() ?? '',
    payload,
    pullRequest: isPullRequest ? pullRequestOf(payload, eventName) : null,
    mergeGroup: eventName === 'merge_group' ? mergeGroupOf(payload, eventName) : null,
    workflowRun: eventName === 'workflow_run' ? workflowRunOf(payload, eventName) : null,
    apiUrl,
    runUrl: runId ? `${serverUrl}/${owner}/${repo}/actions/runs/${runId}` : undefined,
    repositoryUrl: `${serverUrl}/${owner}/${repo}`,
    actionUrl: env.GITHUB_ACTION_REPOSITORY?.trim()
      ? `${serverUrl}/${env.GITHUB_ACTION_REPOSITORY.trim()}/blob/${env.GITHUB_ACTION_REF?.trim() || 'main'}`
      : undefined
  }
}

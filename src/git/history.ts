// actions/checkout fetches a single commit by default, and the review needs
// the base, the head and their merge base. Fetch what is missing from the
// remote, deepening step by step (as changesets/action does) before giving up
// with the fix (`fetch-depth: 0`).
import type { Logger } from '../lifecycle/logger.js'
import { ShallowHistoryError } from './errors.js'
import type { GitRepository } from './repository.js'
import type { CommitSha } from '../model/static-review.js'

const DEEPEN_STEPS = [50, 200, 1000]

async function hasCommit(repo: GitRepository, sha: string): Promise<boolean> {
  return (await repo.run(['cat-file', '-e', `${sha}^{commit}`])).exitCode === 0
}

export async function ensureHistory(repo: GitRepository, base: CommitSha, head: CommitSha, logger: Logger, remote = 'origin'): Promise<void> {
  const ready = async (): Promise<boolean> =>
    (await hasCommit(repo, base)) && (await hasCommit(repo, head)) && (await repo.mergeBase(base, head)) !== null
  if (await ready()) return
  const remotes = (await repo.text(['remote'])).split('\n').map((line) => line.trim())
  if (!remotes.includes(remote)) throw new ShallowHistoryError(base, head)
  for (const depth of DEEPEN_STEPS) {
    logger.info(`fetching ${base.slice(0, 7)} and ${head.slice(0, 7)} with ${depth} commits of history`)
    const fetched = await repo.run(['fetch', '--no-tags', '--quiet', `--depth=${depth}`, remote, base, head])
    if (fetched.exitCode !== 0) logger.debug(`git fetch: ${fetched.stderr.trim()}`)
    if (await ready()) return
  }
  if (await repo.isShallow()) {
    logger.info('fetching the whole history')
    await repo.run(['fetch', '--no-tags', '--quiet', '--unshallow', remote])
    if (await ready()) return
  }
  throw new ShallowHistoryError(base, head)
}

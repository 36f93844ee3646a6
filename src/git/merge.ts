// The tree main will have once the PR merges, computed without touching the
// index or any work tree (`git merge-tree --write-tree`, git >= 2.38).
import { GitCommandError, ShallowHistoryError } from './errors.js'
import type { GitRepository } from './repository.js'
import type { CommitSha, MergeResult } from '../model/static-review.js'

export async function mergeTrees(repo: GitRepository, base: CommitSha, head: CommitSha): Promise<MergeResult> {
  const args = ['merge-tree', '--write-tree', '--name-only', '-z', '--no-messages', base, head]
  const result = await repo.run(args)
  // 0: clean; 1: conflicts, with the answer on stdout all the same; else an error.
  if (result.exitCode > 1) {
    if (/refusing to merge unrelated histories|no merge base/i.test(result.stderr)) {
      throw new ShallowHistoryError(base, head)
    }
    throw new GitCommandError(args, result.exitCode, result.stderr)
  }
  const fields = result.stdout.toString('utf8').split('\0')
  const tree = fields[0]!.trim()
  const conflictedPaths = result.exitCode === 1 ? fields.slice(1).filter((path) => path !== '') : []
  return { tree, clean: result.exitCode === 0, conflictedPaths: [...new Set(conflictedPaths)] }
}

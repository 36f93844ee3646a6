// The files of a tree (a commit's, or the merge result's, which has no
// commit) written to a folder for the rehearsal to run Python in. A private
// index file is used, so the user's repository gains no worktree entry, no
// commit and no index change.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ResourceStack } from '../lifecycle/resources.js'
import { GitCommandError } from './errors.js'
import type { GitRepository } from './repository.js'
import type { ObjectId } from '../model/static-review.js'

/** Writes `tree` to a new folder under `parent` (default: the temp dir); returns the folder of its files. */
export async function exportTree(repo: GitRepository, tree: ObjectId, label: string, resources: ResourceStack, parent: string = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(parent, `dmr-${resources.runId}-${label}-`))
  resources.defer(`checkout ${dir}`, () => rm(dir, { recursive: true, force: true }), { kind: 'folder', path: dir })
  const env = { GIT_INDEX_FILE: join(dir, '.dmr-index') }
  const checkoutDir = join(dir, 'src')
  for (const args of [
    ['read-tree', tree],
    ['checkout-index', '--all', '--force', `--prefix=${checkoutDir}/`]
  ]) {
    const result = await repo.run(args, { env })
    if (result.exitCode !== 0) throw new GitCommandError(args, result.exitCode, result.stderr)
  }
  await rm(env.GIT_INDEX_FILE, { force: true })
  return checkoutDir
}

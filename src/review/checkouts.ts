// The code the Python processes run: the base branch's tree and the new
// code's (the merge result; the head when git cannot merge), exported from
// git objects into folders of their own, with the files CI has in the
// workspace and git does not (a gitignored configuration.py) copied in.
import { existsSync } from 'node:fs'
import { cp, stat } from 'node:fs/promises'
import { isAbsolute, join, normalize, relative } from 'node:path'
import { UsageError } from '../config/options.js'
import { tmpdir } from 'node:os'
import { exportTree } from '../git/checkout.js'
import type { GitRepository } from '../git/repository.js'
import { treeBytes } from '../git/trees.js'
import { memoryDir } from '../lifecycle/memory-dir.js'
import type { ResourceStack } from '../lifecycle/resources.js'
import type { Environment } from '../model/options.js'
import type { StaticReview } from '../model/static-review.js'

export interface Checkouts {
  base: string
  new: string
}

export async function exportCheckouts(
  repo: GitRepository,
  review: StaticReview,
  includePaths: readonly string[],
  resources: ResourceStack,
  env: Environment
): Promise<Checkouts> {
  const sources = await Promise.all(includePaths.map((path) => includedPath(repo, path)))
  const [baseTree, newCodeTree] = await Promise.all([repo.treeOf(review.base.sha), review.merge.clean ? review.merge.tree : repo.treeOf(review.head.sha)])
  // In memory when both fit with room to spare (a TMPDIR the user set is theirs to choose).
  const bytes = env.TMPDIR ? 0 : (await Promise.all([treeBytes(repo, baseTree), treeBytes(repo, newCodeTree)])).reduce((a, b) => a + b, 0)
  const parent = env.TMPDIR || memoryDir(bytes) || tmpdir()
  const [base, next] = await Promise.all([exportTree(repo, baseTree, 'base', resources, parent), exportTree(repo, newCodeTree, 'new', resources, parent)])
  for (const { from, path } of sources) {
    await Promise.all([base, next].map((dir) => cp(from, join(dir, path), { recursive: true, force: true, errorOnExist: false })))
  }
  return { base, new: next }
}

/** An include path checked: inside the repository, present in the working tree. */
async function includedPath(repo: GitRepository, given: string): Promise<{ from: string; path: string }> {
  const path = normalize(given).replace(/\/+$/, '')
  if (isAbsolute(path) || path === '..' || path.startsWith('../') || relative(repo.topLevel, join(repo.topLevel, path)).startsWith('..')) {
    throw new UsageError(`include-paths: '${given}' is outside the repository; give a path relative to its top folder`)
  }
  const from = join(repo.topLevel, path)
  try {
    await stat(from)
  } catch {
    throw new UsageError(`include-paths: '${given}' does not exist in the working tree (${from}); write it there before the review runs`)
  }
  return { from, path }
}

/**
 * For settings that failed to import because a module is missing: the file of
 * that module when it is in the working tree but not in the exported code
 * (untracked or gitignored), relative to the repository.
 */
export function untrackedModuleFile(repo: GitRepository, projectRoot: string, checkout: string, module: string): string | null {
  const parts = module.split('.')
  for (const candidate of [`${parts.join('/')}.py`, `${parts.join('/')}/__init__.py`]) {
    const path = projectRoot ? `${projectRoot}/${candidate}` : candidate
    if (existsSync(join(repo.topLevel, path)) && !existsSync(join(checkout, path))) return path
  }
  return null
}

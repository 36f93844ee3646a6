// Swappable dependencies (`swappable_dependency(settings.AUTH_USER_MODEL)`)
// point at whatever the settings say. Read the setting from the project's
// settings files without importing them: `AUTH_USER_MODEL = "accounts.User"`;
// the swappable input names it when it lives elsewhere.
import type { GitRepository } from '../git/repository.js'
import type { ObjectId } from '../model/static-review.js'
import { DEFAULT_SWAPPABLE } from '../graph/graph.js'

const ASSIGNMENT = /^\s*AUTH_USER_MODEL\s*(?::\s*str\s*)?=\s*["']([A-Za-z_]\w*\.[A-Za-z_]\w*)["']/

export async function detectSwappable(
  repo: GitRepository,
  tree: ObjectId,
  projectRoot: string,
  given: Record<string, string>
): Promise<Record<string, string>> {
  if (given.AUTH_USER_MODEL !== undefined) return { ...DEFAULT_SWAPPABLE, ...given }
  // Settings files only (`settings.py`, `settings/*.py`, `config/...`): grepping every
  // Python file of a large repository costs more than the rest of the review.
  const prefix = projectRoot === '' ? '' : `${projectRoot}/`
  const pathspecs = [`${prefix}*settings*.py`, `${prefix}*conf*.py`]
  const result = await repo.run(['grep', '-I', '--no-color', '-E', 'AUTH_USER_MODEL[[:space:]]*(:[^=]*)?=', tree, '--', ...pathspecs])
  // git grep exits 1 when nothing matches.
  const values = result.stdout
    .toString('utf8')
    .split('\n')
    .map((line) => ASSIGNMENT.exec(line.replace(/^[^:]*:[^:]*:/, ''))?.[1])
    .filter((value): value is string => value !== undefined)
  return { ...DEFAULT_SWAPPABLE, ...(values[0] ? { AUTH_USER_MODEL: values[0] } : {}), ...given }
}

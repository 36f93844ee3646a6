// Migrations Django may load that reading files by name does not see: a
// migration (or a migrations folder) that is a symlink, a compiled `.pyc`
// without its source, and a MIGRATION_MODULES setting that sends an app's
// migrations elsewhere. Django's loader imports modules, so the rehearsal
// sees them; the static review says where it may be blind. Only what this PR
// brings is flagged (an old symlink on the base branch is not the PR's), except
// MIGRATION_MODULES, which matters whenever it is set.
import type { GitRepository } from '../git/repository.js'
import { migrationKey } from '../model/migration.js'
import type { GraphProblemReport } from '../model/report.js'
import type { ObjectId, TreeIndex } from '../model/static-review.js'

const REHEARSAL_SEES = "this PR's migrations may not all be visible without Python; the rehearsal (which asks Django's loader) sees them"

export interface SettingAssignment {
  path: string
  line: number
}

/**
 * Where the settings files set MIGRATION_MODULES. Like AUTH_USER_MODEL
 * (swappable.ts), only settings-like files are grepped, to stay fast.
 */
export async function findMigrationModulesSetting(repo: GitRepository, tree: ObjectId, projectRoot: string): Promise<SettingAssignment[]> {
  const prefix = projectRoot === '' ? '' : `${projectRoot}/`
  const pathspecs = [`${prefix}*settings*.py`, `${prefix}*conf*.py`]
  // `MIGRATION_MODULES = {...}`, `: dict = ...`, `|= ...`, `.update(...)`, `[...] = ...`.
  const pattern = '^[[:space:]]*MIGRATION_MODULES[[:space:]]*(:[^=]*=|[|]?=[^=]|\\.update[[:space:]]*\\(|\\[)'
  const result = await repo.run(['grep', '-I', '-n', '-z', '--no-color', '-E', pattern, tree, '--', ...pathspecs])
  // git grep exits 1 when nothing matches. -z: `<tree>:<path>\0<line>\0<text>`.
  const found: SettingAssignment[] = []
  for (const record of result.stdout.toString('utf8').split('\n')) {
    const [where, line, text] = record.split('\0')
    if (where === undefined || line === undefined || text === undefined) continue
    // `MIGRATION_MODULES = {}` changes nothing.
    if (/^\s*MIGRATION_MODULES\s*(?::[^=]*)?=\s*\{\s*\}\s*(?:#.*)?$/.test(text)) continue
    found.push({ path: where.slice(where.indexOf(':') + 1), line: Number(line) })
  }
  return found
}

/** The paths the PR brings: new in the merge result compared with the base, or changed by the PR. */
export function broughtByPr(path: string, blob: string, base: ReadonlyMap<string, string>, changed: ReadonlySet<string>): boolean {
  return changed.has(path) || base.get(path) !== blob
}

export function hiddenMigrationProblems(
  merged: TreeIndex,
  base: TreeIndex,
  changed: ReadonlySet<string>,
  setting: SettingAssignment[]
): GraphProblemReport[] {
  const problems: GraphProblemReport[] = []
  const baseLinks = new Map(base.links.map((link) => [link.path, link.blob]))
  for (const link of merged.links) {
    if (!broughtByPr(link.path, link.blob, baseLinks, changed)) continue
    const what = link.name === null ? `the migrations folder of '${link.app}'` : `migration ${migrationKey({ app: link.app, name: link.name })}`
    const at = { path: link.path, line: 1, tree: 'merge' as const }
    if (link.status === 'outside') {
      problems.push({
        kind: 'symlink-outside-repository',
        severity: 'error',
        message: `${link.path} (${what}) is a symlink to ${link.target}, outside the repository: \`migrate\` would crash, or import a file that is not part of the code under review`,
        ...at
      })
    } else if (link.status === 'missing') {
      problems.push({
        kind: 'broken-symlink',
        severity: 'error',
        message: `${link.path} (${what}) is a symlink to ${link.target}, which is ${link.name === null ? 'not a folder' : 'not a file'} of the repository: Django cannot import it, and \`migrate\` would crash`,
        ...at
      })
    } else {
      const read = link.name === null ? `the migrations in it are not read here` : `it is read here through the link`
      problems.push({
        kind: 'symlinked-migration',
        severity: 'warning',
        message: `${link.path} (${what}) is a symlink to ${link.resolvedPath}: ${read}, but ${REHEARSAL_SEES}`,
        ...at
      })
    }
  }
  const baseCompiled = new Map(base.discovery.sourceless.map((module) => [module.path, module.blob]))
  for (const module of merged.discovery.sourceless) {
    if (!broughtByPr(module.path, module.blob, baseCompiled, changed)) continue
    problems.push({
      kind: 'sourceless-migration',
      severity: 'warning',
      message: `${module.path} is compiled Python with no ${module.name}.py beside it: Django imports it as migration ${migrationKey(module)}, which cannot be read here; ${REHEARSAL_SEES}`,
      path: module.path,
      line: 1,
      tree: 'merge'
    })
  }
  const [first, ...others] = setting
  if (first !== undefined) {
    const elsewhere = [...new Set(others.map((other) => other.path).filter((path) => path !== first.path))]
    problems.push({
      kind: 'migration-modules-setting',
      severity: 'warning',
      message:
        `${first.path} sets MIGRATION_MODULES${elsewhere.length > 0 ? ` (so ${elsewhere.length === 1 ? 'does' : 'do'} ${elsewhere.join(', ')})` : ''}: ` +
        `Django may load some apps' migrations from other modules than <app>/migrations, or none, while the static review finds them by file name; ${REHEARSAL_SEES}`,
      path: first.path,
      line: first.line,
      tree: 'merge'
    })
  }
  return problems
}

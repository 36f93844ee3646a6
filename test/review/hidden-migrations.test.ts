// Migrations Django imports that a reading by file name may not see, on real
// git histories: symlinks (mode 120000), committed .pyc files, and the
// MIGRATION_MODULES setting. Only what the PR brings is flagged; none of it
// counts as a broken graph except a symlink Django cannot follow.
import { mkdirSync, symlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { GitRepository } from '../../src/git/repository.js'
import { DEFAULT_SWAPPABLE } from '../../src/graph/graph.js'
import { reviewStatically } from '../../src/review/static-review.js'
import { migrationSource, projectFiles } from '../support/django-project.js'
import type { FileTree, TestRepo } from '../support/git-repo.js'
import { addField, forkedRepo, shopMigration, shopProject } from '../support/scenarios.js'

const repos: TestRepo[] = []
afterEach(() => repos.splice(0).forEach((repo) => repo.cleanup()))

async function review(repo: TestRepo) {
  repos.push(repo)
  return reviewStatically(await GitRepository.open(repo.dir, process.env), { base: 'main', head: 'feature', projectRoot: '', exclude: [], swappable: DEFAULT_SWAPPABLE })
}

/** Commits symlinks (and files) on a branch. */
function commitLinks(repo: TestRepo, branch: string, links: Record<string, string>, files: FileTree = {}): void {
  repo.checkout(branch)
  for (const [path, target] of Object.entries(links)) {
    mkdirSync(dirname(join(repo.dir, path)), { recursive: true })
    symlinkSync(target, join(repo.dir, path))
  }
  repo.commit(`links on ${branch}`, files)
  repo.checkout('main')
}

const summary = migrationSource({ dependencies: [['shop', '0004_book_pages']], operations: [addField('book', 'summary')] })
const VISIBLE = "this PR's migrations may not all be visible without Python; the rehearsal (which asks Django's loader) sees them"

describe('a migration that is a symlink', () => {
  it('reads a symlinked migration through the link and says so, as a warning', async () => {
    const repo = forkedRepo({ base: shopProject() })
    commitLinks(repo, 'feature', { 'shop/migrations/0005_book_summary.py': '../../shared/0005_book_summary.py' }, { 'shared/0005_book_summary.py': summary })
    expect(repo.git('ls-tree', 'feature', 'shop/migrations/0005_book_summary.py')).toMatch(/^120000 blob /)
    const result = await review(repo)
    expect(result.added.map((file) => file.name)).toEqual(['0005_book_summary'])
    expect(result.added[0]!.operations.map((operation) => operation.type)).toEqual(['AddField'])
    expect(result.conflicts).toEqual([])
    expect(result.problems).toEqual([
      {
        kind: 'symlinked-migration',
        severity: 'warning',
        path: 'shop/migrations/0005_book_summary.py',
        line: 1,
        tree: 'merge',
        message: `shop/migrations/0005_book_summary.py (migration shop.0005_book_summary) is a symlink to shared/0005_book_summary.py: it is read here through the link, but ${VISIBLE}`
      }
    ])
  })

  it('names a symlink that leaves the repository, or points nowhere, as an error', async () => {
    const repo = forkedRepo({ base: shopProject() })
    commitLinks(repo, 'feature', {
      'shop/migrations/0005_elsewhere.py': '../../../elsewhere.py',
      'shop/migrations/0006_absolute.py': '/etc/0006_absolute.py',
      'shop/migrations/0007_gone.py': '../../shared/0007_gone.py'
    })
    const result = await review(repo)
    expect(result.problems.map((problem) => [problem.kind, problem.severity, problem.path])).toEqual([
      ['symlink-outside-repository', 'error', 'shop/migrations/0005_elsewhere.py'],
      ['symlink-outside-repository', 'error', 'shop/migrations/0006_absolute.py'],
      ['broken-symlink', 'error', 'shop/migrations/0007_gone.py']
    ])
    expect(result.problems[0]!.message).toBe(
      'shop/migrations/0005_elsewhere.py (migration shop.0005_elsewhere) is a symlink to ../../../elsewhere.py, outside the repository: `migrate` would crash, or import a file that is not part of the code under review'
    )
    expect(result.problems[2]!.message).toContain('is a symlink to ../../shared/0007_gone.py, which is not a file of the repository')
  })

  it('flags a symlinked migrations folder, whose migrations it cannot read', async () => {
    const repo = forkedRepo({ base: shopProject() })
    commitLinks(repo, 'feature', { 'reviews/migrations': '../shared/reviews_migrations' }, {
      'reviews/__init__.py': '',
      'shared/reviews_migrations/__init__.py': '',
      'shared/reviews_migrations/0001_initial.py': migrationSource({ initial: true })
    })
    const result = await review(repo)
    expect(result.problems).toEqual([
      expect.objectContaining({
        kind: 'symlinked-migration',
        severity: 'warning',
        path: 'reviews/migrations',
        message: `reviews/migrations (the migrations folder of 'reviews') is a symlink to shared/reviews_migrations: the migrations in it are not read here, but ${VISIBLE}`
      })
    ])
  })

  it('finds a conflict through a symlinked migration, and offers no patch that would write over the link', async () => {
    const repo = forkedRepo({ base: shopProject(), main: [shopMigration('0005_book_price', '0004_book_pages', [addField('book', 'price')])] })
    commitLinks(repo, 'feature', { 'shop/migrations/0005_book_summary.py': '../../shared/0005_book_summary.py' }, { 'shared/0005_book_summary.py': summary })
    const result = await review(repo)
    expect(result.conflicts.map((conflict) => conflict.leaves.map((leaf) => [leaf.name, leaf.side]))).toEqual([
      [
        ['0005_book_price', 'main'],
        ['0005_book_summary', 'pr']
      ]
    ])
    expect(result.conflicts[0]!.fix).toMatchObject({
      patch: null,
      unavailable: 'shop/migrations/0005_book_summary.py is a symlink: rename or edit its target by hand',
      mergeCommand: 'python manage.py makemigrations --merge shop'
    })
  })

  it('leaves alone a symlink the base branch already had', async () => {
    const repo = forkedRepo({ base: { ...shopProject(), 'shared/0005_book_summary.py': summary } })
    commitLinks(repo, 'main', { 'shop/migrations/0005_book_summary.py': '../../shared/0005_book_summary.py' })
    repo.checkout('feature')
    repo.git('merge', '-q', '--no-edit', 'main')
    repo.commit('pr', shopMigration('0006_book_price', '0005_book_summary', [addField('book', 'price')]))
    repo.checkout('main')
    const result = await review(repo)
    expect(result.problems).toEqual([])
    expect(result.conflicts).toEqual([])
    expect(result.added.map((file) => file.name)).toEqual(['0006_book_price'])
  })
})

describe('a migration committed only as a .pyc', () => {
  it('flags a sourceless migration the PR adds, and ignores __pycache__ and a .pyc beside its source', async () => {
    const repo = forkedRepo({
      base: shopProject(),
      pr: [
        {
          'shop/migrations/0005_book_summary.pyc': '\u0000compiled\u0000',
          'shop/migrations/__pycache__/0004_book_pages.cpython-312.pyc': '\u0000cache\u0000',
          'shop/migrations/0004_book_pages.pyc': '\u0000stale\u0000'
        }
      ]
    })
    const result = await review(repo)
    expect(result.problems).toEqual([
      {
        kind: 'sourceless-migration',
        severity: 'warning',
        path: 'shop/migrations/0005_book_summary.pyc',
        line: 1,
        tree: 'merge',
        message: `shop/migrations/0005_book_summary.pyc is compiled Python with no 0005_book_summary.py beside it: Django imports it as migration shop.0005_book_summary, which cannot be read here; ${VISIBLE}`
      }
    ])
  })

  it('does not call a dependency on it missing, nor the leaves it may join a conflict', async () => {
    const pr = [
      { 'shop/migrations/0005_book_summary.pyc': '\u0000compiled\u0000' },
      shopMigration('0006_book_price', '0005_book_summary', [addField('book', 'price')])
    ]
    const main = [shopMigration('0005_book_isbn13', '0004_book_pages', [addField('book', 'isbn13')])]
    const result = await review(forkedRepo({ base: shopProject(), pr, main }))
    expect(result.conflicts).toEqual([])
    expect(result.problems.map((problem) => [problem.kind, problem.severity])).toEqual([
      ['dynamic-dependencies', 'warning'],
      ['sourceless-migration', 'warning']
    ])
    expect(result.problems[0]!.message).toContain('shop/migrations/0005_book_summary.pyc is compiled Python with no source beside it')
  })

  it('leaves alone a .pyc the base branch already had', async () => {
    const base = { ...shopProject(), 'shop/migrations/0003_old.pyc': '\u0000old\u0000' }
    const result = await review(forkedRepo({ base, pr: [shopMigration('0005_book_summary', '0004_book_pages', [addField('book', 'summary')])] }))
    expect(result.problems.filter((problem) => problem.kind === 'sourceless-migration')).toEqual([])
  })
})

describe('the MIGRATION_MODULES setting', () => {
  it('says once that the settings send migrations elsewhere, even when the PR does not touch them', async () => {
    const project = projectFiles(['shop', 'library'])
    const base = {
      ...shopProject(),
      'project/settings.py': `${project['project/settings.py']}MIGRATION_MODULES = {"library": "library.db_migrations"}\n`,
      'project/test_settings.py': 'from .settings import *\nMIGRATION_MODULES = {app: None for app in ["shop"]}\n',
      'project/local_settings.py': 'MIGRATION_MODULES = {}\n'
    }
    const result = await review(forkedRepo({ base, pr: [shopMigration('0005_book_summary', '0004_book_pages', [addField('book', 'summary')])] }))
    expect(result.problems).toEqual([
      {
        kind: 'migration-modules-setting',
        severity: 'warning',
        path: 'project/settings.py',
        line: 7,
        tree: 'merge',
        message:
          'project/settings.py sets MIGRATION_MODULES (so does project/test_settings.py): Django may load some apps\' migrations from other modules than <app>/migrations, or none, ' +
          `while the static review finds them by file name; ${VISIBLE}`
      }
    ])
  })

  it('says nothing when the setting is not there', async () => {
    const result = await review(forkedRepo({ base: shopProject(), pr: [shopMigration('0005_book_summary', '0004_book_pages', [addField('book', 'summary')])] }))
    expect(result.problems).toEqual([])
  })
})

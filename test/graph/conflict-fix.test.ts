// The fix for conflicting leaves, applied with `git apply` to the merged
// branch and checked by Django's own MigrationLoader: one leaf per app.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { GitRepository } from '../../src/git/repository.js'
import { DEFAULT_SWAPPABLE } from '../../src/graph/graph.js'
import { reviewStatically } from '../../src/review/static-review.js'
import { migrationSource } from '../support/django-project.js'
import type { TestRepo } from '../support/git-repo.js'
import { newestDjango, REPO_ROOT } from '../support/python-envs.js'
import { addField, forkedRepo, shopMigration, shopProject } from '../support/scenarios.js'

const repos: TestRepo[] = []
afterEach(() => repos.splice(0).forEach((repo) => repo.cleanup()))

async function conflictsOf(repo: TestRepo) {
  repos.push(repo)
  const review = await reviewStatically(await GitRepository.open(repo.dir, process.env), {
    base: 'main',
    head: 'feature',
    projectRoot: '',
    exclude: [],
    swappable: DEFAULT_SWAPPABLE
  })
  return review.conflicts
}

/** Merges the PR into main the way GitHub would, applies the patch, and asks Django for the leaves. */
function djangoLeavesAfterFix(repo: TestRepo, patch: string): Record<string, string[]> {
  repo.checkout('merged', { create: true })
  repo.git('merge', '-q', '--no-edit', 'feature')
  writeFileSync(join(repo.dir, 'fix.patch'), patch)
  repo.git('apply', '--index', 'fix.patch')
  const out = execFileSync(newestDjango().python, [join(REPO_ROOT, 'test/support/django_graph.py')], {
    cwd: repo.dir,
    env: { ...process.env, DJANGO_SETTINGS_MODULE: 'project.settings', PYTHONPATH: repo.dir, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8'
  })
  const answer = JSON.parse(out) as { leaves?: Record<string, string[]>; conflicts?: Record<string, string[]>; error?: unknown }
  expect(answer.error).toBeUndefined()
  expect(answer.conflicts).toEqual({})
  return answer.leaves!
}

const mainPrice = shopMigration('0005_book_price', '0004_book_pages', [addField('book', 'price', 'models.IntegerField(null=True)')])

describe('the fix for conflicting leaves', () => {
  it('renames the PR migration after main leaf and rewrites its dependency', async () => {
    const repo = forkedRepo({
      base: shopProject(),
      pr: [shopMigration('0005_book_summary', '0004_book_pages', [addField('book', 'summary')])],
      main: [mainPrice]
    })
    const [conflict] = await conflictsOf(repo)
    expect(conflict!.fix.renames).toEqual([
      {
        from: 'shop.0005_book_summary',
        to: 'shop.0006_book_summary',
        fromPath: 'shop/migrations/0005_book_summary.py',
        toPath: 'shop/migrations/0006_book_summary.py'
      }
    ])
    expect(conflict!.fix.patch).toContain('-        ("shop", "0004_book_pages"),\n+        ("shop", "0005_book_price"),')
    expect(conflict!.fix.mergeCommand).toBe('python manage.py makemigrations --merge shop')
    expect(djangoLeavesAfterFix(repo, conflict!.fix.patch!).shop).toEqual(['shop.0006_book_summary'])
  })

  it('renumbers a chain of PR migrations in order, and follows them from other apps', async () => {
    const repo = forkedRepo({
      base: shopProject(),
      pr: [
        {
          ...shopMigration('0005_book_summary', '0004_book_pages', [addField('book', 'summary')]),
          ...shopMigration('0006_book_blurb', '0005_book_summary', [addField('book', 'blurb')]),
          ...shopMigration('0007_book_cover', '0006_book_blurb', [addField('book', 'cover')]),
          'library/migrations/0002_shelf_book.py': migrationSource({
            dependencies: [
              ['library', '0001_initial'],
              ['shop', '0006_book_blurb']
            ],
            operations: [addField('shelf', 'label')]
          })
        }
      ],
      main: [mainPrice, shopMigration('0006_book_weight', '0005_book_price', [addField('book', 'weight')])]
    })
    const [conflict] = await conflictsOf(repo)
    expect(conflict!.fix.renames.map((rename) => [rename.from, rename.to])).toEqual([
      ['shop.0005_book_summary', 'shop.0007_book_summary'],
      ['shop.0006_book_blurb', 'shop.0008_book_blurb'],
      ['shop.0007_book_cover', 'shop.0009_book_cover']
    ])
    const leaves = djangoLeavesAfterFix(repo, conflict!.fix.patch!)
    expect(leaves).toEqual({ library: ['library.0002_shelf_book'], shop: ['shop.0009_book_cover'] })
    expect(repo.git('show', 'HEAD:library/migrations/0002_shelf_book.py')).toContain('"0006_book_blurb"')
    expect(execFileSync('git', ['diff', '--cached', '--', 'library'], { cwd: repo.dir, encoding: 'utf8' })).toContain('+        ("shop", "0008_book_blurb"),')
  })

  it('gives no patch when the PR itself leaves two leaves, and offers the merge command', async () => {
    const repo = forkedRepo({
      base: shopProject(),
      pr: [
        {
          ...shopMigration('0005_a', '0004_book_pages', [addField('book', 'a')]),
          ...shopMigration('0005_b', '0004_book_pages', [addField('book', 'b')])
        }
      ]
    })
    const [conflict] = await conflictsOf(repo)
    expect(conflict!.fix.patch).toBeNull()
    expect(conflict!.fix.unavailable).toBe("the pull request itself leaves 2 leaves in 'shop': add a merge migration")
    expect(conflict!.fix.mergeCommand).toBe('python manage.py makemigrations --merge shop')
  })

  it('adds the dependency when the PR migration had none in its app', async () => {
    const base = shopProject()
    const repo = forkedRepo({
      base,
      pr: [{ 'library/migrations/0002_fresh.py': migrationSource({ dependencies: [['shop', '0004_book_pages']], operations: [addField('shelf', 'label')] }) }],
      main: [{ 'library/migrations/0002_tag.py': migrationSource({ dependencies: [['library', '0001_initial']], operations: [addField('shelf', 'tag')] }) }]
    })
    const [conflict] = await conflictsOf(repo)
    expect(conflict!.app).toBe('library')
    expect(conflict!.fix.patch).toContain('+        ("library", "0002_tag"),')
    expect(djangoLeavesAfterFix(repo, conflict!.fix.patch!).library).toEqual(['library.0003_fresh'])
  })
})

// The static review on real git histories: main moves on after the PR forks.
import { afterEach, describe, expect, it } from 'vitest'
import { GitRepository } from '../../src/git/repository.js'
import { DEFAULT_SWAPPABLE } from '../../src/graph/graph.js'
import { EMPTY_CONFIG } from '../../src/config/repo-config.js'
import { reviewStatically } from '../../src/review/static-review.js'
import { evaluateRules } from '../../src/rules/evaluate.js'
import { appFiles, migrationSource } from '../support/django-project.js'
import type { TestRepo } from '../support/git-repo.js'
import { addField, forkedRepo, shopMigration, shopProject } from '../support/scenarios.js'

const repos: TestRepo[] = []
afterEach(() => repos.splice(0).forEach((repo) => repo.cleanup()))

async function review(repo: TestRepo, base = 'main', head = 'feature') {
  repos.push(repo)
  return reviewStatically(await GitRepository.open(repo.dir, process.env), {
    base,
    head,
    projectRoot: '',
    exclude: [],
    swappable: DEFAULT_SWAPPABLE
  })
}

const prNote = shopMigration('0005_book_summary', '0004_book_pages', [addField('book', 'summary')])
const mainPrice = shopMigration('0005_book_price', '0004_book_pages', [addField('book', 'price', 'models.IntegerField(null=True)')])

describe('conflicting leaves after the merge', () => {
  it('finds both leaves, which side brought each, and their common ancestor', async () => {
    const result = await review(forkedRepo({ base: shopProject(), pr: [prNote], main: [mainPrice] }))
    expect(result.conflicts).toHaveLength(1)
    const [conflict] = result.conflicts
    expect(conflict!.app).toBe('shop')
    expect(conflict!.leaves.map((leaf) => [leaf.name, leaf.side])).toEqual([
      ['0005_book_price', 'main'],
      ['0005_book_summary', 'pr']
    ])
    expect(conflict!.commonAncestor).toBe('shop.0004_book_pages')
    expect(conflict!.branches).toEqual({ main: ['shop.0005_book_price'], pr: ['shop.0005_book_summary'] })
  })

  it('finds no conflict when each branch alone is linear', async () => {
    const result = await review(forkedRepo({ base: shopProject(), pr: [prNote] }))
    expect(result.conflicts).toEqual([])
    expect(result.added.map((file) => file.name)).toEqual(['0005_book_summary'])
  })

  it('finds no conflict once the PR is rebased onto main', async () => {
    const repo = forkedRepo({ base: shopProject(), main: [mainPrice] })
    repo.checkout('feature')
    repo.git('reset', '-q', '--hard', 'main')
    repo.commit('rebased', shopMigration('0006_book_summary', '0005_book_price', [addField('book', 'summary')]))
    const result = await review(repo)
    expect(result.conflicts).toEqual([])
  })

  it('finds no conflict when the PR already has a merge migration', async () => {
    const merge = {
      'shop/migrations/0006_merge.py': migrationSource({ dependencies: [['shop', '0005_book_price'], ['shop', '0005_book_summary']] })
    }
    const repo = forkedRepo({ base: shopProject(), pr: [prNote], main: [mainPrice] })
    repo.checkout('feature')
    repo.git('merge', '-q', '--no-edit', 'main')
    repo.commit('merge migration', merge)
    const result = await review(repo)
    expect(result.conflicts).toEqual([])
    expect(result.duplicates).toEqual([
      { app: 'shop', number: '0005', migrations: ['shop.0005_book_price', 'shop.0005_book_summary'], introducedByPr: true }
    ])
  })

  it('finds no conflict when a squash sits beside the migrations it replaces', async () => {
    const squash = {
      'shop/migrations/0001_squashed_0004_book_pages.py': migrationSource({
        initial: true,
        replaces: [
          ['shop', '0001_initial'],
          ['shop', '0002_book_note'],
          ['shop', '0003_book_isbn'],
          ['shop', '0004_book_pages']
        ],
        operations: [addField('book', 'note')]
      }),
      ...shopMigration('0005_book_summary', '0004_book_pages', [addField('book', 'summary')])
    }
    const result = await review(forkedRepo({ base: shopProject(), pr: [squash] }))
    expect(result.conflicts).toEqual([])
    expect(result.problems).toEqual([])
  })

  it('says the order needs a look when both branches change the same field', async () => {
    const pr = shopMigration('0005_alter_note', '0004_book_pages', [
      'migrations.AlterField(model_name="book", name="note", field=models.CharField(max_length=50, null=True))'
    ])
    const main = shopMigration('0005_remove_note', '0004_book_pages', ['migrations.RemoveField(model_name="book", name="note")'])
    const [conflict] = (await review(forkedRepo({ base: shopProject(), pr: [pr], main: [main] }))).conflicts
    expect(conflict!.needsHumanReview).toBe(true)
    expect(conflict!.overlap.fields).toEqual(['book.note'])
    expect(conflict!.reason).toContain('book.note')
  })

  it('says the order needs a look when either branch runs code', async () => {
    const pr = shopMigration('0005_fill', '0004_book_pages', ['migrations.RunSQL("UPDATE shop_book SET note = \'x\'", migrations.RunSQL.noop)'])
    const [conflict] = (await review(forkedRepo({ base: shopProject(), pr: [pr], main: [mainPrice] }))).conflicts
    expect(conflict!.needsHumanReview).toBe(true)
    expect(conflict!.overlap.opaque).toEqual(['shop.0005_fill'])
  })

  it('says the order does not matter when the branches touch different models', async () => {
    const pr = {
      'library/migrations/0002_shelf_label.py': migrationSource({ dependencies: [['library', '0001_initial']], operations: [addField('shelf', 'label')] }),
      ...shopMigration('0005_book_summary', '0004_book_pages', [addField('book', 'summary')])
    }
    const main = shopMigration('0005_author', '0004_book_pages', ['migrations.CreateModel(name="Author", fields=[("id", models.AutoField(primary_key=True))])'])
    const [conflict] = (await review(forkedRepo({ base: shopProject(), pr: [pr], main: [main] }))).conflicts
    expect(conflict!.needsHumanReview).toBe(false)
    expect(conflict!.reason).toBe('the branches touch different models, so their order does not matter')
  })

  it('marks a conflict that the base branch already had', async () => {
    const base = { ...shopProject(), ...shopMigration('0004_other', '0003_book_isbn', [addField('book', 'other')]) }
    const result = await review(forkedRepo({ base, pr: [shopMigration('0005_x', '0004_book_pages', [addField('book', 'x')])] }))
    expect(result.conflicts).toHaveLength(1)
    expect(result.conflicts[0]!.preexisting).toBe(false)
    const untouched = await review(forkedRepo({ base, pr: [{ 'README.md': 'docs only\n' }] }))
    expect(untouched.conflicts[0]!.preexisting).toBe(true)
  })
})

describe('existing migrations the PR changes', () => {
  it('reports a migration of the base branch that the PR edits', async () => {
    const edit = shopMigration('0003_book_isbn', '0002_book_note', [addField('book', 'isbn', 'models.CharField(max_length=13, null=True)')])
    const result = await review(forkedRepo({ base: shopProject(), pr: [edit] }))
    expect(result.edited).toEqual([
      expect.objectContaining({ app: 'shop', name: '0003_book_isbn', change: 'modified', path: 'shop/migrations/0003_book_isbn.py' })
    ])
    expect(result.edited[0]!.message).toContain('will not see the change')
  })

  it('reports a migration the PR deletes and one it renames', async () => {
    const repo = forkedRepo({ base: shopProject() })
    repo.checkout('feature')
    repo.rename('shop/migrations/0004_book_pages.py', 'shop/migrations/0004_pages.py')
    repo.commit('rename')
    repo.commit('delete', { 'library/migrations/0001_initial.py': null })
    const result = await review(repo)
    expect(result.edited.map((edit) => [edit.name, edit.change, edit.newPath, edit.severity])).toEqual([
      ['0001_initial', 'deleted', undefined, 'unsafe'],
      ['0004_book_pages', 'renamed', 'shop/migrations/0004_pages.py', 'unsafe']
    ])
  })

  it('calls a migration the PR deletes while adding the squash that replaces it a deletion the squash covers, never a rename', async () => {
    const squash = migrationSource({
      replaces: [
        ['shop', '0003_book_isbn'],
        ['shop', '0004_book_pages']
      ],
      dependencies: [['shop', '0002_book_note']],
      operations: [addField('book', 'isbn'), addField('book', 'pages', 'models.IntegerField(null=True)')]
    })
    const repo = forkedRepo({
      base: shopProject(),
      pr: [{ 'shop/migrations/0003_book_isbn.py': null, 'shop/migrations/0004_book_pages.py': null, 'shop/migrations/0003_squashed_0004_book_pages.py': squash }]
    })
    // git's own rename detection pairs a deleted original with the added squash.
    expect(repo.git('diff', '--name-status', '--find-renames', 'main', 'feature')).toMatch(/^R\d+\tshop\/migrations\/000[34]_book_\w+\.py\tshop\/migrations\/0003_squashed_0004_book_pages\.py$/m)
    const result = await review(repo)
    expect(result.edited.map((edit) => [edit.name, edit.change, edit.newPath, edit.replacedBy, edit.severity])).toEqual([
      ['0003_book_isbn', 'deleted', undefined, 'shop.0003_squashed_0004_book_pages', 'warning'],
      ['0004_book_pages', 'deleted', undefined, 'shop.0003_squashed_0004_book_pages', 'warning']
    ])
    for (const edit of result.edited) {
      expect(edit.message).toContain('the squash shop.0003_squashed_0004_book_pages (shop/migrations/0003_squashed_0004_book_pages.py) replaces it')
      expect(edit.message).not.toContain('rename')
    }
    expect(result.conflicts).toEqual([])
    expect(result.problems).toEqual([])
  })
})

describe('dependencies written with module-level constants', () => {
  it('finds no conflict when the PR names its dependency through constants', async () => {
    const pr = {
      'shop/migrations/0005_book_summary.py': [
        'from django.db import migrations, models',
        'PREVIOUS = ("shop", "0004_book_pages")',
        'SHELVES = [("library", "0001_initial")]',
        'class Migration(migrations.Migration):',
        '    dependencies = [PREVIOUS] + SHELVES',
        `    operations = [${addField('book', 'summary')}]`,
        ''
      ].join('\n')
    }
    const result = await review(forkedRepo({ base: shopProject(), pr: [pr] }))
    expect(result.conflicts).toEqual([])
    expect(result.problems).toEqual([])
    expect(result.added.map((file) => file.name)).toEqual(['0005_book_summary'])
  })

  it('leaves dependencies it cannot read to Django: a dynamic-dependencies warning, no conflict and no fix', async () => {
    const pr = {
      'shop/migrations/_previous.py': 'DEPENDENCIES = [("shop", "0004_book_pages")]\n',
      'shop/migrations/0005_book_summary.py': [
        'from django.db import migrations, models',
        'from ._previous import DEPENDENCIES',
        'class Migration(migrations.Migration):',
        '    dependencies = DEPENDENCIES',
        `    operations = [${addField('book', 'summary')}]`,
        ''
      ].join('\n')
    }
    const result = await review(forkedRepo({ base: shopProject(), pr: [pr] }))
    expect(result.conflicts).toEqual([])
    expect(result.problems).toEqual([
      {
        kind: 'dynamic-dependencies',
        severity: 'warning',
        path: 'shop/migrations/0005_book_summary.py',
        line: 4,
        tree: 'merge',
        message:
          "app 'shop' has 2 leaves (shop.0004_book_pages, shop.0005_book_summary) as far as its files can be read, but not all of its graph can be read without Python: " +
          'the dependencies of shop.0005_book_summary (shop/migrations/0005_book_summary.py:4): not a list literal: DEPENDENCIES is imported from another module (line 2). ' +
          "Django's loader (with Python) settles whether they conflict, as the rehearsal does; this is not reported as a conflict, and no fix is offered"
      }
    ])
  })

  it('does not repeat it on a PR that does not touch the app', async () => {
    const base = {
      ...shopProject(),
      'shop/migrations/_previous.py': 'DEPENDENCIES = [("shop", "0004_book_pages")]\n',
      'shop/migrations/0005_book_summary.py': 'from django.db import migrations\nfrom ._previous import DEPENDENCIES\n\nclass Migration(migrations.Migration):\n    dependencies = DEPENDENCIES\n'
    }
    const pr = { 'library/migrations/0002_shelf_label.py': migrationSource({ dependencies: [['library', '0001_initial']], operations: [addField('shelf', 'label')] }) }
    const result = await review(forkedRepo({ base, pr: [pr] }))
    expect(result.conflicts).toEqual([])
    expect(result.problems).toEqual([])
  })
})

describe('errors in the merged graph', () => {
  it('names the file and line of a migration that does not parse', async () => {
    const broken = { 'shop/migrations/0005_broken.py': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [\n' }
    const result = await review(forkedRepo({ base: shopProject(), pr: [broken] }))
    expect(result.problems).toEqual([
      expect.objectContaining({ kind: 'syntax-error', path: 'shop/migrations/0005_broken.py', line: 4, tree: 'merge' })
    ])
  })

  it('names the file and line of a dependency on a missing migration', async () => {
    const result = await review(forkedRepo({ base: shopProject(), pr: [shopMigration('0005_x', '0004_typo', [])] }))
    expect(result.problems).toEqual([
      expect.objectContaining({ kind: 'missing-dependency', path: 'shop/migrations/0005_x.py', line: 7, message: expect.stringContaining('shop.0004_typo') })
    ])
  })

  it('reports a file both branches changed that git cannot merge', async () => {
    const pr = shopMigration('0005_same', '0004_book_pages', [addField('book', 'a')])
    const main = shopMigration('0005_same', '0004_book_pages', [addField('book', 'b')])
    const result = await review(forkedRepo({ base: shopProject(), pr: [pr], main: [main] }))
    expect(result.merge.clean).toBe(false)
    expect(result.merge.conflictedPaths).toEqual(['shop/migrations/0005_same.py'])
    expect(result.problems[0]).toMatchObject({ kind: 'merge-conflict', path: 'shop/migrations/0005_same.py' })
  })
})

describe('reading trees', () => {
  it('reads each distinct file once, in full only where the PR or main changed something, or what the rules ask about', async () => {
    const result = await review(forkedRepo({ base: shopProject(), pr: [prNote], main: [mainPrice] }))
    // The files of each branch are parsed in full. shop's 4 files on the base name book,
    // but neither of the fields the branches add (summary, price): their header is enough,
    // as it is for library's one file, untouched since the fork.
    expect(result.parsedFiles).toBe(2)
    expect(result.headerOnlyFiles).toBe(5)
  })

  it("reads in full the unchanged files that hold the history of a field the PR changes, under its old names too", async () => {
    const removeTitle = shopMigration('0006_remove_book_headline', '0005_rename', ['migrations.RemoveField(model_name="book", name="headline")'])
    const rename = shopMigration('0005_rename', '0004_book_pages', ['migrations.RenameField(model_name="book", old_name="title", new_name="headline")'])
    const repo = forkedRepo({ base: { ...shopProject(), ...rename }, pr: [removeTitle] })
    const result = await review(repo)
    // 0006 in full; 0005 names headline (the field the PR drops); 0001 creates it as title.
    expect(result.parsedFiles).toBe(3)
    const findings = evaluateRules({ merged: result.trees.merge.graph, added: result.added, sources: result.sources, config: EMPTY_CONFIG })
    // The history says headline is NOT NULL (title was CharField(max_length=100)): no deploy order works as it stands.
    expect(findings.get('shop.0006_remove_book_headline')).toContainEqual(expect.objectContaining({ rule: 'remove-field', deployOrder: 'multi-step', message: expect.stringContaining('a NOT NULL column') }))
  })

  it('reviews only the project root when one is given', async () => {
    const repo = forkedRepo({
      base: { ...appFiles('other', { '0001_initial': migrationSource({}) }), ...Object.fromEntries(Object.entries(shopProject()).map(([p, c]) => [`backend/${p}`, c])) },
      pr: [{ 'backend/shop/migrations/0005_x.py': migrationSource({ dependencies: [['shop', '0004_book_pages']] }) }]
    })
    repos.push(repo)
    const result = await reviewStatically(await GitRepository.open(repo.dir, process.env), {
      base: 'main',
      head: 'feature',
      projectRoot: 'backend',
      exclude: [],
      swappable: DEFAULT_SWAPPABLE
    })
    expect([...result.trees.merge.discovery.apps.keys()].sort()).toEqual(['library', 'shop'])
    expect(result.added.map((file) => file.path)).toEqual(['backend/shop/migrations/0005_x.py'])
  })
})

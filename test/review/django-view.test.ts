// Django is the judge of what exists: the migrations its loader imports
// (symlinks, sourceless modules, MIGRATION_MODULES) are reviewed even when the
// file review cannot see them; model changes without a migration are found on
// every pull request; the code runs as CI has it (include-paths) and with the
// base branch's own interpreter when the PR upgrades Django (base-python).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/lifecycle/logger.js'
import type { Options } from '../../src/model/options.js'
import type { Report } from '../../src/model/report.js'
import { runReview } from '../../src/review/run-review.js'
import { appFiles, migrationSource, projectFiles } from '../support/django-project.js'
import type { TestRepo } from '../support/git-repo.js'
import { djangoVenv, newestDjango } from '../support/python-envs.js'
import { BOOK_INITIAL, BOOK_MODEL, reviewOptions } from '../support/rehearsal.js'
import { forkedRepo } from '../support/scenarios.js'

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

const DROP_TITLE = migrationSource({ dependencies: [['shop', '0001_initial']], operations: ['migrations.RemoveField(model_name="book", name="title")'] })
const WITHOUT_TITLE = BOOK_MODEL.replace('    title = models.CharField(max_length=100)\n', '')

function bookRepo(settings = ''): TestRepo {
  const repo = forkedRepo({ base: { ...projectFiles(['shop'], { settings }), ...appFiles('shop', { '0001_initial': BOOK_INITIAL }, BOOK_MODEL) } })
  cleanups.push(() => repo.cleanup())
  repo.checkout('feature')
  return repo
}

async function review(repo: TestRepo, options: Partial<Options> = {}): Promise<Report> {
  return runReview(reviewOptions(repo.dir, options), silentLogger)
}

describe('a migration only Django sees', () => {
  it('reached through a symlink is reviewed, and dropping a NOT NULL column with its data is unsafe', async () => {
    const repo = bookRepo()
    repo.write({ 'shop/models.py': `from django.db import models\n${WITHOUT_TITLE}`, 'shop/drops/drop_title.py': DROP_TITLE })
    symlinkSync('../drops/drop_title.py', join(repo.dir, 'shop/migrations/0002_drop_title.py'))
    repo.commit('a migration behind a symlink')
    const report = await review(repo)
    const migration = report.migrations.find((entry) => entry.name === '0002_drop_title')!
    expect(migration, report.summary).toBeDefined()
    expect(migration.rehearsal.status).toBe('rehearsed')
    expect(migration.findings.find((finding) => finding.rule === 'remove-field')).toMatchObject({ severity: 'unsafe', outcome: 'seen' })
    expect(report.verdict).toBe('unsafe')
  })

  it('imported from a sourceless .pyc is reviewed from the migration Django writes back out', async () => {
    const repo = bookRepo()
    const source = join(repo.dir, 'drop_title_source.py')
    writeFileSync(source, DROP_TITLE)
    const python = newestDjango().python
    execFileSync(python, ['-c', `import py_compile; py_compile.compile(${JSON.stringify(source)}, cfile=${JSON.stringify(join(repo.dir, 'shop/migrations/0002_drop_title.pyc'))}, doraise=True)`])
    rmSync(source)
    repo.write({ 'shop/models.py': `from django.db import models\n${WITHOUT_TITLE}` })
    repo.commit('a sourceless migration')
    const report = await review(repo)
    const migration = report.migrations.find((entry) => entry.name === '0002_drop_title')!
    expect(migration, report.summary).toMatchObject({ discoveredBy: 'django', path: 'shop/migrations/0002_drop_title.pyc' })
    expect(report.graphProblems).toContainEqual(expect.objectContaining({ kind: 'django-only-migration', message: expect.stringContaining('sourceless .pyc') }))
    expect(migration.findings.find((finding) => finding.rule === 'remove-field')).toMatchObject({ severity: 'unsafe' })
    expect(report.verdict).toBe('unsafe')
  })

  it('in a package MIGRATION_MODULES names is reviewed like any other', async () => {
    const repo = forkedRepo({
      base: {
        ...projectFiles(['shop'], { settings: 'MIGRATION_MODULES = {"shop": "shop.schema_history"}' }),
        'shop/__init__.py': '',
        'shop/models.py': `from django.db import models\n${BOOK_MODEL}`,
        'shop/schema_history/__init__.py': '',
        'shop/schema_history/0001_initial.py': BOOK_INITIAL
      }
    })
    cleanups.push(() => repo.cleanup())
    repo.checkout('feature')
    repo.commit('drop the title', { 'shop/models.py': `from django.db import models\n${WITHOUT_TITLE}`, 'shop/schema_history/0002_drop_title.py': DROP_TITLE })
    const report = await review(repo)
    const migration = report.migrations.find((entry) => entry.name === '0002_drop_title')!
    expect(migration, report.summary).toMatchObject({ discoveredBy: 'django', path: 'shop/schema_history/0002_drop_title.py' })
    expect(migration.rehearsal.status).toBe('rehearsed')
    expect(migration.backwardCompatible.value).toBe(false)
    expect(report.verdict).toBe('unsafe')
  })

  it('behind a symlink that leaves the repository is an error naming the file', async () => {
    const repo = bookRepo()
    const outside = mkdtempSync(join(tmpdir(), 'dmr-outside-'))
    cleanups.push(() => rmSync(outside, { recursive: true, force: true }))
    writeFileSync(join(outside, 'drop.py'), DROP_TITLE)
    repo.write({ 'shop/models.py': `from django.db import models\n${WITHOUT_TITLE}` })
    symlinkSync(join(outside, 'drop.py'), join(repo.dir, 'shop/migrations/0002_drop_title.py'))
    repo.commit('a migration from elsewhere')
    const report = await review(repo)
    expect(report.graphProblems).toContainEqual(
      expect.objectContaining({ kind: 'symlink-outside-repository', path: 'shop/migrations/0002_drop_title.py', message: expect.stringContaining('outside the repository') })
    )
    expect(report.verdict).toBe('error')
  })
})

describe('model changes without a migration', () => {
  it('are unsafe on a pull request that adds no migration: the deployed code would query a column that does not exist', async () => {
    const repo = bookRepo()
    repo.commit('a field, no migration', { 'shop/models.py': `from django.db import models\n${BOOK_MODEL}    isbn = models.CharField(max_length=13, null=True)\n` })
    const report = await review(repo)
    expect(report.migrations).toEqual([])
    expect(report.missingMigrations).toMatchObject({ value: true, command: 'python manage.py makemigrations shop', changes: [{ app: 'shop', databaseOperations: [expect.stringContaining('isbn')] }] })
    expect(report.verdict).toBe('unsafe')
    expect(report.rehearsal.status).toBe('skipped')
  })

  it('that change only Django\'s state (choices) are noted, not failed', async () => {
    const repo = bookRepo()
    repo.commit('choices, no migration', {
      'shop/models.py': `from django.db import models\n${BOOK_MODEL.replace('pages = models.IntegerField(default=0)', 'pages = models.IntegerField(default=0, choices=[(0, "none"), (100, "many")])')}`
    })
    const report = await review(repo)
    expect(report.missingMigrations, report.missingMigrations.reason).toMatchObject({ value: true, changes: [{ app: 'shop', databaseOperations: [] }] })
    expect(report.verdict).toBe('safe')
  })
})

describe('the code as CI has it', () => {
  it('names include-paths when the settings import a module CI writes and git ignores, and runs with it', async () => {
    const repo = bookRepo('from project.configuration import *')
    repo.write({ '.gitignore': 'project/configuration.py\n' })
    repo.commit('configuration is written by CI')
    repo.write({ 'project/configuration.py': 'TIME_ZONE = "UTC"\n' })
    const without = await review(repo)
    expect(without.rehearsal.status).toBe('failed')
    expect(without.rehearsal.reason).toContain('set include-paths (--include-paths project/configuration.py)')
    // A file of the project, not a package to install.
    expect(without.rehearsal.reason).not.toContain('pip install')
    const withIt = await review(repo, { includePaths: ['project/configuration.py'] })
    expect(withIt.rehearsal.reason ?? '').not.toContain('include-paths')
    expect(withIt.missingMigrations.value).toBe(false)
  })
})

describe('a pull request that upgrades Django', () => {
  it('runs the base code with base-python when the new Django cannot import it, and says so when it is not set', async () => {
    const model = `${BOOK_MODEL}\n    class Meta:\n        index_together = [("title", "pages")]\n`
    const initial = BOOK_INITIAL.replace('        ])', '        ], options={"index_together": {("title", "pages")}})')
    const repo = forkedRepo({ base: { ...projectFiles(['shop']), ...appFiles('shop', { '0001_initial': initial }, model) } })
    cleanups.push(() => repo.cleanup())
    repo.checkout('feature')
    repo.commit('index_together becomes Meta.indexes', {
      'shop/models.py': `from django.db import models\n${BOOK_MODEL}\n    class Meta:\n        indexes = [models.Index(fields=["title", "pages"], name="shop_book_title_pages")]\n`,
      'shop/migrations/0002_indexes.py': migrationSource({
        dependencies: [['shop', '0001_initial']],
        operations: ['migrations.RenameIndex(model_name="book", new_name="shop_book_title_pages", old_fields=("title", "pages"))']
      })
    })
    const newest = newestDjango().python
    const without = await review(repo, { python: newest })
    expect(without.rehearsal.status).toBe('failed')
    expect(without.rehearsal.reason).toContain('set base-python (--base-python)')
    const withBase = await review(repo, { python: newest, basePython: djangoVenv('4.2').python })
    expect(withBase.rehearsal.status, withBase.rehearsal.reason).toBe('ran')
    expect(withBase.migrations[0]!.appliesOnSeededData.value).toBe(true)
  })
})

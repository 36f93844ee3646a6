// Migration trees with a known shape. Each is checked against our graph in
// graph.test.ts and against Django's own MigrationLoader in
// django-loader.test.ts, for every supported Django version.
import { DEFAULT_SWAPPABLE } from '../../src/graph/graph.js'
import { migrationsFromFiles } from '../../src/review/tree-migrations.js'
import type { TreeMigrations } from '../../src/model/static-review.js'
import { appFiles, createModel, migrationSource as m } from '../support/django-project.js'

/** Our answer for a fixture: discovery, parsing and the graph, as the review does it. */
export function ourGraph(fixture: GraphFixture): TreeMigrations {
  const files = new Map<string, string | { symlink: string }>()
  for (const [path, content] of Object.entries(fixture.files)) {
    // A compiled module is a .pyc in the tree: its bytes are not read.
    if (typeof content === 'object' && 'compiled' in content) files.set(`${path.slice(0, -'.py'.length)}.pyc`, '')
    else files.set(path, content)
  }
  return migrationsFromFiles(files, { projectRoot: '', exclude: [], swappable: fixture.swappable ?? DEFAULT_SWAPPABLE })
}

/**
 * A file of a fixture: its text, a symlink (`{ symlink: '../../shared/x.py' }`),
 * or a module committed only in compiled form (`{ compiled: source }`: the
 * loader test writes `<name>.pyc`, compiled by each Django's Python, and no `.py`).
 */
export type FixtureFile = string | { symlink: string } | { compiled: string }

export interface GraphFixture {
  name: string
  /** Apps for INSTALLED_APPS (our discovery finds them from the files). */
  apps: string[]
  files: Record<string, FixtureFile>
  /** Written with module-level constants or other forms the fast header reader leaves to the full parser. */
  beyondHeader?: true
  contrib?: boolean
  settings?: string
  swappable?: Record<string, string>
  /** Oldest Django series whose loader behaves as the fixture expects. */
  minDjango?: string
  expect: {
    leaves?: Record<string, string[]>
    conflicts?: string[]
    /** Apps with several leaves only as far as the files can be read: only Django's loader settles them. */
    unsettled?: string[]
    problem?: { kind: string; path: string; line: number; mentions: string }
  }
}

const book = createModel('Book', { title: 'models.CharField(max_length=100)' })
const author = createModel('Author')
const addField = (model: string, field: string) => `migrations.AddField(model_name="${model}", name="${field}", field=models.TextField(null=True))`

export const GRAPH_FIXTURES: GraphFixture[] = [
  {
    name: 'a linear history',
    apps: ['shop'],
    files: appFiles('shop', {
      '0001_initial': m({ initial: true, operations: [book] }),
      '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
      '0003_book_isbn': m({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'isbn')] })
    }),
    expect: { leaves: { shop: ['shop.0003_book_isbn'] } }
  },
  {
    name: 'two apps with a cross-app dependency',
    apps: ['shop', 'library'],
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, operations: [book] }),
        '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] })
      }),
      ...appFiles('library', {
        '0001_initial': m({ initial: true, dependencies: [['shop', '0002_book_note']], operations: [author] })
      })
    },
    expect: { leaves: { shop: ['shop.0002_book_note'], library: ['library.0001_initial'] } }
  },
  {
    name: 'two leaves in one app',
    apps: ['shop'],
    files: appFiles('shop', {
      '0001_initial': m({ initial: true, operations: [book] }),
      '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
      '0002_book_isbn': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'isbn')] })
    }),
    expect: { conflicts: ['shop'], leaves: { shop: ['shop.0002_book_isbn', 'shop.0002_book_note'] } }
  },
  {
    name: 'a merge migration joining two leaves',
    apps: ['shop'],
    files: appFiles('shop', {
      '0001_initial': m({ initial: true, operations: [book] }),
      '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
      '0002_book_isbn': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'isbn')] }),
      '0003_merge': m({ dependencies: [['shop', '0002_book_isbn'], ['shop', '0002_book_note']] })
    }),
    expect: { leaves: { shop: ['shop.0003_merge'] } }
  },
  {
    name: 'a squash beside its originals',
    apps: ['shop', 'library'],
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, operations: [book] }),
        '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
        '0003_book_isbn': m({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'isbn')] }),
        '0001_squashed_0003_book_isbn': m({
          initial: true,
          replaces: [
            ['shop', '0001_initial'],
            ['shop', '0002_book_note'],
            ['shop', '0003_book_isbn']
          ],
          operations: [book, addField('book', 'note'), addField('book', 'isbn')]
        }),
        '0004_book_summary': m({ dependencies: [['shop', '0003_book_isbn']], operations: [addField('book', 'summary')] })
      }),
      ...appFiles('library', {
        '0001_initial': m({ initial: true, dependencies: [['shop', '0002_book_note']], operations: [author] })
      })
    },
    expect: { leaves: { shop: ['shop.0004_book_summary'], library: ['library.0001_initial'] } }
  },
  {
    name: 'a squash whose originals were deleted, still named by another app',
    apps: ['shop', 'library'],
    files: {
      ...appFiles('shop', {
        '0001_squashed_0002_book_note': m({
          initial: true,
          replaces: [
            ['shop', '0001_initial'],
            ['shop', '0002_book_note']
          ],
          operations: [book, addField('book', 'note')]
        }),
        '0003_book_isbn': m({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'isbn')] })
      }),
      ...appFiles('library', {
        '0001_initial': m({ initial: true, dependencies: [['shop', '0001_initial']], operations: [author] })
      })
    },
    expect: { leaves: { shop: ['shop.0003_book_isbn'] } }
  },
  {
    name: 'a squash with only some originals present',
    apps: ['shop'],
    files: appFiles('shop', {
      '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
      '0001_squashed_0002_book_note': m({
        initial: true,
        replaces: [
          ['shop', '0001_initial'],
          ['shop', '0002_book_note']
        ],
        operations: [book, addField('book', 'note')]
      }),
      '0003_book_isbn': m({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'isbn')] })
    }),
    expect: { leaves: { shop: ['shop.0003_book_isbn'] } }
  },
  {
    name: 'a squash of a squash',
    apps: ['shop'],
    minDjango: '6.0',
    files: appFiles('shop', {
      '0001_squashed_0002_book_note': m({
        initial: true,
        replaces: [
          ['shop', '0001_initial'],
          ['shop', '0002_book_note']
        ],
        operations: [book, addField('book', 'note')]
      }),
      '0003_book_isbn': m({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'isbn')] }),
      '0001_squashed_0003_book_isbn': m({
        initial: true,
        replaces: [
          ['shop', '0001_squashed_0002_book_note'],
          ['shop', '0003_book_isbn']
        ],
        operations: [book, addField('book', 'note'), addField('book', 'isbn')]
      }),
      '0004_book_summary': m({ dependencies: [['shop', '0003_book_isbn']], operations: [addField('book', 'summary')] })
    }),
    expect: { leaves: { shop: ['shop.0004_book_summary'] } }
  },
  {
    name: 'run_before into another app',
    apps: ['shop', 'library'],
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, operations: [book] }),
        '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] })
      }),
      ...appFiles('library', {
        '0001_initial': m({ initial: true, runBefore: [['shop', '0002_book_note']], operations: [author] })
      })
    },
    expect: { leaves: { shop: ['shop.0002_book_note'], library: ['library.0001_initial'] } }
  },
  {
    name: 'dependencies on __first__ and __latest__',
    apps: ['shop', 'library', 'reviews'],
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, operations: [book] }),
        '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] })
      }),
      ...appFiles('library', {
        '0001_initial': m({ initial: true, dependencies: [['shop', '__first__']], operations: [author] })
      }),
      ...appFiles('reviews', {
        '0001_initial': m({ initial: true, dependencies: [['shop', '__latest__'], ['reviews', '__first__']], operations: [createModel('Review')] })
      })
    },
    expect: { leaves: { shop: ['shop.0002_book_note'], library: ['library.0001_initial'], reviews: ['reviews.0001_initial'] } }
  },
  {
    name: 'a swappable dependency on a custom user model',
    apps: ['accounts', 'shop'],
    contrib: true,
    settings: 'AUTH_USER_MODEL = "accounts.User"',
    swappable: { AUTH_USER_MODEL: 'accounts.User' },
    files: {
      ...appFiles(
        'accounts',
        {
          '0001_initial': m({ initial: true, operations: [createModel('User', { password: 'models.CharField(max_length=128)' })] }),
          '0002_user_bio': m({ dependencies: [['accounts', '0001_initial']], operations: [addField('user', 'bio')] })
        },
        'from django.contrib.auth.models import AbstractBaseUser\nclass User(AbstractBaseUser):\n    USERNAME_FIELD = "id"\n'
      ),
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, dependencies: ['swappable:AUTH_USER_MODEL'], operations: [book] })
      })
    },
    expect: { leaves: { accounts: ['accounts.0002_user_bio'], shop: ['shop.0001_initial'] } }
  },
  {
    name: 'a dependency on a contrib app',
    apps: ['shop'],
    contrib: true,
    files: appFiles('shop', {
      '0001_initial': m({ initial: true, dependencies: [['auth', '0012_alter_user_first_name_max_length']], operations: [book] })
    }),
    expect: { leaves: { shop: ['shop.0001_initial'] } }
  },
  {
    name: 'skipped modules and an app whose migrations folder is not a package',
    apps: ['shop', 'legacy'],
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, operations: [book] }),
        _helpers: 'VALUE = 1\n',
        '~0002_draft': 'this is not even python (\n'
      }),
      'legacy/__init__.py': '',
      'legacy/models.py': '',
      'legacy/migrations/0001_initial.py': m({ initial: true, operations: [author] })
    },
    expect: { leaves: { shop: ['shop.0001_initial'] } }
  },
  {
    name: 'a dependency on a migration that does not exist',
    apps: ['shop'],
    files: appFiles('shop', {
      '0001_initial': m({ initial: true, operations: [book] }),
      '0002_book_note': m({ dependencies: [['shop', '0009_missing']], operations: [addField('book', 'note')] })
    }),
    expect: { problem: { kind: 'missing-dependency', path: 'shop/migrations/0002_book_note.py', line: 7, mentions: 'shop.0009_missing' } }
  },
  {
    name: 'a cycle between two apps',
    apps: ['shop', 'library'],
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, dependencies: [['library', '0001_initial']], operations: [book] })
      }),
      ...appFiles('library', {
        '0001_initial': m({ initial: true, dependencies: [['shop', '0001_initial']], operations: [author] })
      })
    },
    expect: { problem: { kind: 'cycle', path: 'library/migrations/0001_initial.py', line: 9, mentions: 'shop.0001_initial' } }
  },
  {
    name: 'a dependency on an app with no migrations',
    apps: ['shop', 'library'],
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, dependencies: [['library', '__first__']], operations: [book] })
      }),
      ...appFiles('library', {})
    },
    expect: { problem: { kind: 'app-without-migrations', path: 'shop/migrations/0001_initial.py', line: 9, mentions: 'library' } }
  },
  {
    name: 'a migration file that does not parse',
    apps: ['shop'],
    files: appFiles('shop', {
      '0001_initial': m({ initial: true, operations: [book] }),
      '0002_broken': 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")\n    operations = []\n'
    }),
    expect: { problem: { kind: 'syntax-error', path: 'shop/migrations/0002_broken.py', line: 5, mentions: '' } }
  },
  // ---- dependencies written with module-level constants (issue 8) ----------
  {
    name: 'dependencies built from module-level constants, a sum and list()',
    apps: ['shop', 'library'],
    beyondHeader: true,
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, operations: [book] }),
        '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
        '0003_book_isbn': [
          'from django.db import migrations, models',
          '',
          'SHOP = "shop"',
          'PREVIOUS = (SHOP, "0002_book_note")',
          'BASE = [PREVIOUS]',
          'SHELVES = (("library", "0001_initial"),)',
          '',
          '',
          'class Migration(migrations.Migration):',
          '    dependencies = BASE + list(SHELVES)',
          `    operations = [${addField('book', 'isbn')}]`,
          ''
        ].join('\n')
      }),
      ...appFiles('library', {
        '0001_initial': m({ initial: true, dependencies: [['shop', '0001_initial']], operations: [author] })
      })
    },
    expect: { leaves: { shop: ['shop.0003_book_isbn'], library: ['library.0001_initial'] } }
  },
  {
    name: 'a dependency list unpacked into tuple(), a class-level constant and a bare tuple',
    apps: ['shop'],
    beyondHeader: true,
    files: appFiles('shop', {
      '0001_initial': m({ initial: true, operations: [book] }),
      '0002_book_note': [
        'from django.db import migrations, models',
        'DEPENDENCIES = [("shop", "0001_initial")]',
        'class Migration(migrations.Migration):',
        '    dependencies = tuple([*DEPENDENCIES])',
        `    operations = [${addField('book', 'note')}]`,
        ''
      ].join('\n'),
      '0003_book_isbn': [
        'from django.db import migrations, models',
        'class Migration(migrations.Migration):',
        '    PREVIOUS = "0002_book_note"',
        '    dependencies = [("shop", PREVIOUS)]',
        `    operations = [${addField('book', 'isbn')}]`,
        ''
      ].join('\n'),
      '0004_book_pages': [
        'from django.db import migrations, models',
        'AFTER = ("shop", "0003_book_isbn"), ("shop", "0002_book_note")',
        'class Migration(migrations.Migration):',
        '    dependencies = AFTER',
        `    operations = [${addField('book', 'pages')}]`,
        ''
      ].join('\n')
    }),
    expect: { leaves: { shop: ['shop.0004_book_pages'] } }
  },
  {
    name: 'a squash whose replaces and run_before are module-level constants',
    apps: ['shop', 'library'],
    beyondHeader: true,
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, operations: [book] }),
        '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
        '0001_squashed_0002_book_note': [
          'from django.db import migrations, models',
          'APP = "shop"',
          'REPLACED = [(APP, "0001_initial")] + [(APP, "0002_book_note")]',
          'BEFORE = [("library", "0001_initial")]',
          'class Migration(migrations.Migration):',
          '    initial = True',
          '    replaces = REPLACED',
          '    run_before = BEFORE',
          `    operations = [${book}, ${addField('book', 'note')}]`,
          ''
        ].join('\n'),
        '0003_book_isbn': m({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'isbn')] })
      }),
      ...appFiles('library', { '0001_initial': m({ initial: true, operations: [author] }) })
    },
    expect: { leaves: { shop: ['shop.0003_book_isbn'], library: ['library.0001_initial'] } }
  },
  // Forms that need Python: never a conflict, an unsettled app.
  {
    name: 'dependencies imported from a helper module',
    apps: ['shop'],
    beyondHeader: true,
    files: appFiles('shop', {
      '0001_initial': m({ initial: true, operations: [book] }),
      '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
      _dependencies: 'DEPENDENCIES = [("shop", "0002_book_note")]\n',
      '0003_book_isbn': [
        'from django.db import migrations, models',
        'from ._dependencies import DEPENDENCIES',
        'class Migration(migrations.Migration):',
        '    dependencies = DEPENDENCIES + []',
        `    operations = [${addField('book', 'isbn')}]`,
        ''
      ].join('\n')
    }),
    expect: { leaves: { shop: ['shop.0002_book_note', 'shop.0003_book_isbn'] }, unsettled: ['shop'] }
  },
  {
    name: 'a dependency list changed after it is written',
    apps: ['shop'],
    beyondHeader: true,
    files: appFiles('shop', {
      '0001_initial': m({ initial: true, operations: [book] }),
      '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
      '0003_book_isbn': [
        'from django.db import migrations, models',
        'DEPENDENCIES = []',
        'DEPENDENCIES.append(("shop", "0002_book_note"))',
        'class Migration(migrations.Migration):',
        '    dependencies = DEPENDENCIES',
        `    operations = [${addField('book', 'isbn')}]`,
        ''
      ].join('\n')
    }),
    expect: { leaves: { shop: ['shop.0002_book_note', 'shop.0003_book_isbn'] }, unsettled: ['shop'] }
  },
  {
    name: 'a dependency returned by a function',
    apps: ['shop'],
    beyondHeader: true,
    files: appFiles('shop', {
      '0001_initial': m({ initial: true, operations: [book] }),
      '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
      '0003_book_isbn': [
        'from django.db import migrations, models',
        'def previous():',
        '    return ("shop", "0002_book_note")',
        'class Migration(migrations.Migration):',
        '    dependencies = [previous()]',
        `    operations = [${addField('book', 'isbn')}]`,
        ''
      ].join('\n')
    }),
    expect: { leaves: { shop: ['shop.0002_book_note', 'shop.0003_book_isbn'] }, unsettled: ['shop'] }
  },
  {
    name: 'a real conflict beside a dependency that cannot be read but joins nothing',
    apps: ['shop', 'library'],
    beyondHeader: true,
    files: {
      ...appFiles('shop', {
        '0001_initial': [
          'from django.db import migrations, models',
          'def library():',
          '    return ("library", "0001_initial")',
          'class Migration(migrations.Migration):',
          '    initial = True',
          '    dependencies = [library()]',
          `    operations = [${book}]`,
          ''
        ].join('\n'),
        '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
        '0002_book_isbn': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'isbn')] })
      }),
      ...appFiles('library', { '0001_initial': m({ initial: true, operations: [author] }) })
    },
    expect: { conflicts: ['shop'], leaves: { shop: ['shop.0002_book_isbn', 'shop.0002_book_note'] } }
  },
  // ---- squashes, with all, some or none of the replaced migrations on disk ----
  {
    name: 'a squash with all of its replaced migrations present, depended on by a later migration and another app',
    apps: ['shop', 'library'],
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, operations: [book] }),
        '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
        '0003_book_isbn': m({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'isbn')] }),
        '0001_squashed_0003_book_isbn': m({
          initial: true,
          replaces: [['shop', '0001_initial'], ['shop', '0002_book_note'], ['shop', '0003_book_isbn']],
          operations: [book, addField('book', 'note'), addField('book', 'isbn')]
        }),
        '0004_book_pages': m({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'pages')] }),
        '0005_book_summary': m({ dependencies: [['shop', '0003_book_isbn'], ['shop', '0004_book_pages']], operations: [addField('book', 'summary')] })
      }),
      ...appFiles('library', {
        '0001_initial': m({ initial: true, runBefore: [['shop', '0003_book_isbn']], operations: [author] }),
        '0002_shelf': m({ dependencies: [['library', '0001_initial'], ['shop', '0002_book_note']], operations: [createModel('Shelf')] })
      })
    },
    expect: { leaves: { shop: ['shop.0005_book_summary'], library: ['library.0002_shelf'] } }
  },
  {
    name: 'a squash with some of its replaced migrations present, the present one depended on from another app',
    apps: ['shop', 'library'],
    files: {
      ...appFiles('shop', {
        '0003_book_isbn': m({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'isbn')] }),
        '0001_squashed_0003_book_isbn': m({
          initial: true,
          replaces: [['shop', '0001_initial'], ['shop', '0002_book_note'], ['shop', '0003_book_isbn']],
          operations: [book, addField('book', 'note'), addField('book', 'isbn')]
        }),
        '0004_book_pages': m({ dependencies: [['shop', '0003_book_isbn']], operations: [addField('book', 'pages')] })
      }),
      ...appFiles('library', {
        '0001_initial': m({ initial: true, dependencies: [['shop', '0003_book_isbn']], operations: [author] }),
        '0002_shelf': m({ dependencies: [['library', '0001_initial'], ['shop', '0001_initial']], operations: [createModel('Shelf')] })
      })
    },
    expect: { leaves: { shop: ['shop.0004_book_pages'], library: ['library.0002_shelf'] } }
  },
  {
    name: 'a squash with none of its replaced migrations present, each still named by a dependency',
    apps: ['shop', 'library'],
    files: {
      ...appFiles('shop', {
        '0001_squashed_0003_book_isbn': m({
          initial: true,
          replaces: [['shop', '0001_initial'], ['shop', '0002_book_note'], ['shop', '0003_book_isbn']],
          operations: [book, addField('book', 'note'), addField('book', 'isbn')]
        }),
        '0004_book_pages': m({ dependencies: [['shop', '0003_book_isbn']], operations: [addField('book', 'pages')] }),
        '0005_book_summary': m({ dependencies: [['shop', '0004_book_pages'], ['shop', '0002_book_note']], operations: [addField('book', 'summary')] })
      }),
      ...appFiles('library', {
        '0001_initial': m({ initial: true, dependencies: [['shop', '0001_initial']], operations: [author] })
      })
    },
    expect: { leaves: { shop: ['shop.0005_book_summary'], library: ['library.0001_initial'] } }
  },
  // ---- migrations Django imports that are not plain files ----------------------
  {
    name: 'a migration that is a symlink to a file elsewhere in the repository',
    apps: ['shop'],
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, operations: [book] }),
        '0003_book_isbn': m({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'isbn')] })
      }),
      'shop/migrations/0002_book_note.py': { symlink: '../../shared/0002_book_note.py' },
      'shared/0002_book_note.py': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] })
    },
    expect: { leaves: { shop: ['shop.0003_book_isbn'] } }
  },
  {
    name: 'a migration committed only as a .pyc',
    apps: ['shop'],
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, operations: [book] }),
        '0002_book_note': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
        '0002_book_isbn': m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'isbn')] })
      }),
      // The merge migration that joins the two leaves exists only compiled.
      'shop/migrations/0003_merge.py': { compiled: m({ dependencies: [['shop', '0002_book_isbn'], ['shop', '0002_book_note']] }) }
    },
    expect: { unsettled: ['shop'] }
  },
  {
    name: 'an old migration committed only as a .pyc, before two real leaves',
    apps: ['shop'],
    files: {
      ...appFiles('shop', {
        '0001_initial': m({ initial: true, operations: [book] }),
        '0003_book_isbn': m({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'isbn')] }),
        '0003_book_pages': m({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'pages')] })
      }),
      'shop/migrations/0002_book_note.py': { compiled: m({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }) }
    },
    // Read by name, 0001_initial looks like a leaf too (nothing readable depends on it), but the
    // two 0003 depend on the compiled 0002: it cannot join them, so their conflict stands.
    expect: { conflicts: ['shop'], leaves: { shop: ['shop.0001_initial', 'shop.0003_book_isbn', 'shop.0003_book_pages'] } }
  }
]

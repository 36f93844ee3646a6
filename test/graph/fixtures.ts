// Migration trees with a known shape. Each is checked against our graph in
// graph.test.ts and against Django's own MigrationLoader in
// django-loader.test.ts, for every supported Django version.
import { DEFAULT_SWAPPABLE } from '../../src/graph/graph.js'
import { migrationsFromFiles } from '../../src/review/tree-migrations.js'
import type { TreeMigrations } from '../../src/model/static-review.js'
import { appFiles, createModel, migrationSource as m } from '../support/django-project.js'

/** Our answer for a fixture: discovery, parsing and the graph, as the review does it. */
export function ourGraph(fixture: GraphFixture): TreeMigrations {
  return migrationsFromFiles(new Map(Object.entries(fixture.files)), {
    projectRoot: '',
    exclude: [],
    swappable: fixture.swappable ?? DEFAULT_SWAPPABLE
  })
}

export interface GraphFixture {
  name: string
  /** Apps for INSTALLED_APPS (our discovery finds them from the files). */
  apps: string[]
  files: Record<string, string>
  contrib?: boolean
  settings?: string
  swappable?: Record<string, string>
  /** Oldest Django series whose loader behaves as the fixture expects. */
  minDjango?: string
  expect: {
    leaves?: Record<string, string[]>
    conflicts?: string[]
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
  }
]

// Histories as teams make them: a base commit, a PR branch forked from it,
// and main moving on afterwards.
import { appFiles, createModel, migrationSource, projectFiles } from './django-project.js'
import { TestRepo, type FileTree } from './git-repo.js'

export interface ForkSpec {
  base: FileTree
  /** Commits on the PR branch (`feature`), in order. */
  pr?: FileTree[]
  /** Commits on main after the fork, in order. */
  main?: FileTree[]
}

export function forkedRepo(spec: ForkSpec): TestRepo {
  const repo = TestRepo.create(spec.base, 'base')
  repo.checkout('feature', { create: true })
  spec.pr?.forEach((files, i) => repo.commit(`pr ${i + 1}`, files))
  repo.checkout('main')
  spec.main?.forEach((files, i) => repo.commit(`main ${i + 1}`, files))
  return repo
}

export const addField = (model: string, field: string, definition = 'models.TextField(null=True)') =>
  `migrations.AddField(model_name="${model}", name="${field}", field=${definition})`

/** A shop app with books and four migrations, as a project's main branch might have it. */
export function shopProject(): FileTree {
  return {
    ...projectFiles(['shop', 'library']),
    ...appFiles(
      'shop',
      {
        '0001_initial': migrationSource({ initial: true, operations: [createModel('Book', { title: 'models.CharField(max_length=100)' })] }),
        '0002_book_note': migrationSource({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note')] }),
        '0003_book_isbn': migrationSource({ dependencies: [['shop', '0002_book_note']], operations: [addField('book', 'isbn')] }),
        '0004_book_pages': migrationSource({ dependencies: [['shop', '0003_book_isbn']], operations: [addField('book', 'pages', 'models.IntegerField(null=True)')] })
      },
      'class Book(models.Model):\n    title = models.CharField(max_length=100)\n    note = models.TextField(null=True)\n    isbn = models.TextField(null=True)\n    pages = models.IntegerField(null=True)\n'
    ),
    ...appFiles(
      'library',
      { '0001_initial': migrationSource({ initial: true, dependencies: [['shop', '0001_initial']], operations: [createModel('Shelf')] }) },
      'class Shelf(models.Model):\n    pass\n'
    )
  }
}

export const shopMigration = (name: string, dependency: string, operations: string[]): FileTree => ({
  [`shop/migrations/${name}.py`]: migrationSource({ dependencies: [['shop', dependency]], operations })
})

/**
 * The commonest outage: the PR adds shop.0005_book_summary while main, after
 * the fork, added shop.0005_book_price; after the merge `shop` has two leaves.
 */
export function conflictedFork(): TestRepo {
  return forkedRepo({
    base: shopProject(),
    pr: [shopMigration('0005_book_summary', '0004_book_pages', [addField('book', 'summary')])],
    main: [shopMigration('0005_book_price', '0004_book_pages', [addField('book', 'price')])]
  })
}

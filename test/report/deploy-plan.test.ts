// The deploy plan: what to do, in order, for the whole pull request.
import { describe, expect, it } from 'vitest'
import { deployPlan, stepText } from '../../src/report/deploy-plan.js'
import type { DeployOrder } from '../../src/model/report.js'
import { conflict, emptyReport, finding, migration, report } from '../support/report-fixtures.js'

const plan = (r: Parameters<typeof deployPlan>[0]): string[] => deployPlan(r).map(stepText)

function ordered(name: string, deployOrder: DeployOrder | null, message = 'adds book.stock'): ReturnType<typeof migration> {
  return migration({ name, deployOrder, findings: deployOrder === null ? [] : [finding({ message, deployOrder, safeAlternative: undefined })] })
}

describe('deployPlan', () => {
  it('says there is nothing to migrate when the pull request has no migrations', () => {
    expect(plan(emptyReport())).toEqual(['Nothing to migrate: deploy as usual.'])
  })

  it('runs the migrations, then deploys, when the running code keeps working on the new schema', () => {
    expect(plan(report({ conflicts: [], migrations: [ordered('0005_book_stock', 'migrate-first')] }))).toEqual([
      'Run the migrations (`python manage.py migrate`).',
      'Then deploy the new code: the code still running keeps working on the new schema.'
    ])
  })

  it('deploys first and names what the running code must stop using when a migration removes something', () => {
    const r = report({ conflicts: [], migrations: [ordered('0006_remove_book_subtitle', 'deploy-first', 'drops book.subtitle: the running code still selects it')] })
    expect(plan(r)).toEqual([
      'Deploy the new code first, so that no running code still uses what the migrations remove: `shop.0006_remove_book_subtitle` drops book.subtitle.',
      'Then run the migrations (`python manage.py migrate`).'
    ])
  })

  it('says the orders contradict each other when one migration needs the code first and another the schema first', () => {
    const r = report({
      conflicts: [],
      migrations: [ordered('0006_remove_book_subtitle', 'deploy-first', 'drops book.subtitle'), ordered('0007_alter_book_price', 'migrate-first')]
    })
    expect(plan(r).at(-1)).toBe(
      'But `shop.0007_alter_book_price` has to run before the new code is deployed: ship it in an earlier release (migrate, then deploy), or split this PR.'
    )
  })

  it('gives the safe alternative of a migration that cannot ship in one release', () => {
    const r = report({
      conflicts: [],
      migrations: [migration({ findings: [finding({ message: 'adds book.stock as NOT NULL: old INSERTs fail', safeAlternative: 'Give the field a `db_default`.' })] })]
    })
    expect(plan(r)).toEqual(['`shop.0005_book_stock` cannot ship in one release (adds book.stock as NOT NULL): Give the field a `db_default`.'])
  })

  it('says the plain steps are about the other migrations when one needs releases of its own', () => {
    const r = report({
      conflicts: [],
      migrations: [migration({ findings: [finding({ message: 'drops book.isbn, a NOT NULL column: no order works', safeAlternative: 'Make it nullable first.' })] }), ordered('0006_fill_slugs', null)]
    })
    expect(plan(r)).toEqual([
      '`shop.0005_book_stock` cannot ship in one release (drops book.isbn, a NOT NULL column): Make it nullable first.',
      'For the others: run the migrations (`python manage.py migrate`).',
      'Then deploy the new code.'
    ])
  })

  it('puts fixing a conflict of leaves before anything else', () => {
    const r = report({ conflicts: [conflict()], migrations: [ordered('0005_book_stock', 'migrate-first')] })
    expect(plan(r)[0]).toMatch(/^Before merging, (renumber this PR's migrations of `shop`|run `python manage.py makemigrations --merge shop`)/)
  })

  it('asks for the missing migrations when the models change the database without one', () => {
    const r = emptyReport({
      missingMigrations: { value: true, command: 'python manage.py makemigrations shop', changes: [{ app: 'shop', operations: ['Add field isbn to book'], databaseOperations: ['Add field isbn to book'] }] }
    })
    expect(plan(r)).toEqual(['Add the missing migrations: `python manage.py makemigrations shop`, and commit them.'])
  })

  it('asks to change a migration whose locks make the running code wait, before any order', () => {
    const blocking = migration({
      name: '0002_isbn_backfill',
      deployOrder: 'migrate-first',
      findings: [
        finding({
          rule: 'running-code-waits',
          breaks: ['locks'],
          message: "the running code's reads of shop_book waited over 1000 ms behind its ACCESS EXCLUSIVE lock",
          safeAlternative: 'Put the data migration in a migration of its own.'
        })
      ]
    })
    expect(plan(report({ conflicts: [], migrations: [blocking] }))).toEqual([
      "Before it ships, change `shop.0002_isbn_backfill`: it makes the running code wait in any order (the running code's reads of shop_book waited over 1000 ms behind its ACCESS EXCLUSIVE lock): Put the data migration in a migration of its own.",
      'Run the migrations (`python manage.py migrate`).',
      'Then deploy the new code: the code still running keeps working on the new schema.'
    ])
  })
})

// Verdicts a team can trust: nothing is safe without evidence, a failure on
// the seeded rows does not stop the questions, rollbacks are judged like
// forward runs, and each migration answers for its own facts. Real git, real
// Django, real Postgres.
import { describe, expect, it } from 'vitest'
import type { MigrationReport, Report } from '../../src/model/report.js'
import { createModel, migrationSource } from '../support/django-project.js'
import { BOOK_INITIAL, BOOK_MODEL, rehearseScenario } from '../support/rehearsal.js'

const named = (report: Report, key: string): MigrationReport => {
  const found = report.migrations.find((migration) => `${migration.app}.${migration.name}` === key)
  expect(found, report.migrations.map((m) => `${m.app}.${m.name}`).join(', ')).toBeDefined()
  return found!
}
const rules = (migration: MigrationReport) => migration.findings.filter((f) => f.ignored === undefined).map((f) => f.rule)

const SHELF_INITIAL = migrationSource({ initial: true, operations: [createModel('Shelf', { name: 'models.CharField(max_length=40, null=True)' })] })
const SHELF_MODEL = 'class Shelf(models.Model):\n    name = models.CharField(max_length=40, null=True)\n'
const library = { name: 'library', migrations: { '0001_initial': SHELF_INITIAL }, models: SHELF_MODEL }

describe('a migration that fails even after its rows are repaired', () => {
  it('stops only its dependents: they are not rehearsed, never safe, and other apps go on', async () => {
    const { report } = await rehearseScenario({
      apps: [library],
      pr: [
        { name: '0002_boom', preamble: 'def boom(apps, schema_editor):\n    raise RuntimeError("the data migration has a bug")', operations: ['migrations.RunPython(boom, migrations.RunPython.noop)'] },
        { name: '0003_book_isbn', operations: ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))'] }
      ],
      prModel: `${BOOK_MODEL}    isbn = models.CharField(max_length=13, null=True)\n`,
      prFiles: {
        'library/models.py': `from django.db import models\n${SHELF_MODEL}    floor = models.IntegerField(null=True)\n`,
        'library/migrations/0002_shelf_floor.py': migrationSource({
          dependencies: [['library', '0001_initial']],
          operations: ['migrations.AddField(model_name="shelf", name="floor", field=models.IntegerField(null=True))']
        })
      }
    })
    const boom = named(report, 'shop.0002_boom')
    expect(boom.rehearsal.status).toBe('failed')
    expect(boom.verdict).toBe('unsafe')
    expect(rules(boom)).toContain('apply-failed')

    const dependent = named(report, 'shop.0003_book_isbn')
    expect(dependent.rehearsal).toMatchObject({ status: 'not-rehearsed', reason: 'it depends on shop.0002_boom, which did not apply' })
    expect(dependent.verdict).toBe('warning')
    expect(dependent.findings[0]).toMatchObject({ rule: 'not-rehearsed', severity: 'warning', message: expect.stringContaining('not rehearsed: it depends on shop.0002_boom') })
    expect(dependent.appliesOnSeededData).toEqual({ value: null, reason: 'not established: it depends on shop.0002_boom, which did not apply' })

    const other = named(report, 'library.0002_shelf_floor')
    expect(other.rehearsal.status).toBe('rehearsed')
    expect(other.appliesOnSeededData.value).toBe(true)
    expect(other.reversible.value).toBe(true)
    expect(other.backwardCompatible.value).toBe(true)
    expect(report.summary).toContain('(static review and rehearsal, 2 of 3 rehearsed)')
    expect(report.summary).toContain('1 not rehearsed')
  })
})

describe('a migration that fails on the seeded rows', () => {
  it('is answered on the repaired rows, each fact saying what it rests on, with the query to run on production', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('note = models.CharField(max_length=50, null=True)', 'note = models.CharField(max_length=50)'),
      pr: [{ name: '0002_note_required', operations: ['migrations.AlterField(model_name="book", name="note", field=models.CharField(max_length=50))'] }]
    })
    const migration = named(report, 'shop.0002_note_required')
    expect(migration.appliesOnSeededData).toMatchObject({ value: false, basis: 'adversarial-seed', error: { sqlstate: '23502' } })
    expect(migration.rehearsal).toMatchObject({ status: 'rehearsed', basis: 'conforming-seed', repairs: [expect.objectContaining({ kind: 'not-null', columns: ['note'] })] })
    for (const field of ['backwardCompatible', 'reversible', 'dataLoss', 'reappliesAfterReverse'] as const) {
      expect(migration[field].value, field).not.toBeNull()
      expect(migration[field].basis, field).toBe('conforming-seed')
    }
    const finding = migration.findings.find((f) => f.rule === 'alter-field-not-null')!
    expect(finding.productionCheck?.sql).toBe('SELECT count(*) FROM "shop_book" WHERE "note" IS NULL;')
    // The old code writes NULL in a field its model allows NULL in: certain, whatever production holds.
    expect(finding.severity).toBe('unsafe')
  })

  it('keeps an AlterField to NOT NULL with a Python default unsafe, with the old code\'s failed INSERT as proof', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace("note = models.CharField(max_length=50, null=True)", "note = models.CharField(max_length=50, default='')"),
      pr: [{ name: '0002_note_default', operations: ["migrations.AlterField(model_name=\"book\", name=\"note\", field=models.CharField(max_length=50, default=''))"] }]
    })
    const migration = named(report, 'shop.0002_note_default')
    expect(migration.appliesOnSeededData.value).toBe(true)
    const finding = migration.findings.find((f) => f.rule === 'alter-field-not-null')!
    expect(finding).toMatchObject({ severity: 'unsafe', outcome: 'seen' })
    expect(finding.message).not.toContain('Not seen')
    expect(finding.proof).toContainEqual(expect.stringMatching(/old code INSERT on shop\.Book: .*null value in column "note"/))
    expect(migration.backwardCompatible.value).toBe(false)
  })
})

describe('a migration that fails on every row, ordinary ones too', () => {
  it('is rehearsed on an empty table, and the report says how many rows were removed for it', async () => {
    const { report } = await rehearseScenario({
      pr: [
        {
          name: '0002_only_when_empty',
          preamble: [
            'def check_empty(apps, schema_editor):',
            '    if apps.get_model("shop", "Book").objects.exists():',
            '        raise RuntimeError("run this only on an empty table")'
          ].join('\n'),
          operations: ['migrations.RunPython(check_empty, migrations.RunPython.noop)']
        }
      ]
    })
    const migration = named(report, 'shop.0002_only_when_empty')
    expect(migration.appliesOnSeededData.value).toBe(false)
    expect(migration.rehearsal.status).toBe('rehearsed')
    const emptied = migration.rehearsal.repairs.find((repair) => repair.kind === 'empty-tables')
    expect(emptied).toMatchObject({ tables: ['shop_book'] })
    expect(emptied!.rows).toBeGreaterThan(0)
    expect(migration.findings.find((f) => f.rule === 'apply-failed')!.proof).toContainEqual(expect.stringMatching(/emptied shop_book \(\d+ rows\)/))
  })
})

describe('a rollback', () => {
  it('that rewrites the table is a finding, with the statement as proof', async () => {
    const { report } = await rehearseScenario({
      pr: [
        {
          name: '0002_pages_sql',
          operations: ['migrations.RunSQL("ALTER TABLE shop_book ALTER COLUMN pages TYPE bigint", "ALTER TABLE shop_book ALTER COLUMN pages TYPE integer")']
        }
      ]
    })
    const migration = named(report, 'shop.0002_pages_sql')
    expect(migration.reversible.value).toBe(true)
    const finding = migration.findings.find((f) => f.rule === 'reverse-table-rewrite')!
    expect(finding).toMatchObject({ severity: 'warning', outcome: 'seen' })
    expect(finding.proof![0]).toMatch(/^reverse: `ALTER TABLE shop_book ALTER COLUMN pages TYPE integer` rewrote shop_book/)
    expect(migration.reverseRewrites).toContain('shop_book')
  })

  it('fails once the new code has written what only the new column holds: a varchar widened, then shrunk back', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('title = models.CharField(max_length=100)', 'title = models.CharField(max_length=200)'),
      pr: [{ name: '0002_title_longer', operations: ['migrations.AlterField(model_name="book", name="title", field=models.CharField(max_length=200))'] }]
    })
    const migration = named(report, 'shop.0002_title_longer')
    expect(migration.rewrites).toEqual([])
    expect(migration.reversible).toMatchObject({ value: false, error: { sqlstate: '22001' } })
    expect(migration.findings.find((f) => f.rule === 'reverse-failed')!.message).toContain(
      'cannot be reversed on the rows as the new code leaves them: value too long for type character varying(100)'
    )
  })

  it('fails where a later migration of the pull request left values its reverse cannot hold', async () => {
    const { report } = await rehearseScenario({
      pr: [
        {
          name: '0002_title_wider',
          operations: ['migrations.RunSQL("ALTER TABLE shop_book ALTER COLUMN title TYPE varchar(200)", "ALTER TABLE shop_book ALTER COLUMN title TYPE varchar(100)")']
        },
        {
          name: '0003_long_titles',
          operations: ['migrations.RunSQL("UPDATE shop_book SET title = repeat(\'x\', 150) WHERE pages < 100", migrations.RunSQL.noop)']
        }
      ]
    })
    const wider = named(report, 'shop.0002_title_wider')
    // Its own reverse works right after it ran; once 0003 wrote 150-character titles, narrowing back fails.
    expect(wider.reversible).toMatchObject({ value: false, reason: expect.stringContaining('rolling back the whole pull request fails here'), error: { sqlstate: '22001' } })
    expect(wider.findings.map((f) => f.message)).toContainEqual(expect.stringContaining('rolling back the whole pull request stops here, once its later migrations have run'))
  })

  it('that checks every row under a strong lock (NOT NULL set back) is a finding', async () => {
    const { report } = await rehearseScenario({
      pr: [
        {
          name: '0002_title_optional',
          operations: ['migrations.RunSQL("ALTER TABLE shop_book ALTER COLUMN title DROP NOT NULL", "ALTER TABLE shop_book ALTER COLUMN title SET NOT NULL")']
        }
      ]
    })
    const migration = named(report, 'shop.0002_title_optional')
    expect(migration.reversible.value).toBe(true)
    const finding = migration.findings.find((f) => f.rule === 'reverse-validates-by-scan')!
    expect(finding.message).toContain('rolling it back checks every row of shop_book while holding ACCESS EXCLUSIVE')
    expect(finding.proof![0]).toContain('SET NOT NULL')
  })
})

describe('a rollback of a dropped column with a default', () => {
  it('is not said to check every row: re-adding it NOT NULL with a constant default is a catalog change', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('    pages = models.IntegerField(default=0)\n', ''),
      pr: [{ name: '0002_remove_book_pages', operations: ['migrations.RemoveField(model_name="book", name="pages")'] }]
    })
    const migration = named(report, 'shop.0002_remove_book_pages')
    expect(migration.reverseStatements.map((s) => s.sql)).toContainEqual(expect.stringMatching(/ADD COLUMN "pages" integer DEFAULT 0 NOT NULL/))
    expect(rules(migration)).not.toContain('reverse-validates-by-scan')
  })
})

describe('the running code\'s probes', () => {
  const PROFILE_INITIAL = migrationSource({
    initial: true,
    dependencies: [['shop', '0001_initial']],
    operations: [
      createModel('Profile', { book: 'models.OneToOneField(on_delete=models.CASCADE, to="shop.book")', nickname: 'models.CharField(max_length=20, null=True)' }),
      createModel('Shelf', { name: 'models.CharField(max_length=20)' }),
      `migrations.CreateModel(name="Placement", fields=[("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")), ("shelf", models.ForeignKey(on_delete=models.CASCADE, to="library.shelf")), ("book", models.ForeignKey(on_delete=models.CASCADE, to="shop.book"))], options={"unique_together": {("shelf", "book")}})`
    ]
  })
  const PROFILE_MODELS = [
    'class Profile(models.Model):',
    '    book = models.OneToOneField("shop.Book", on_delete=models.CASCADE)',
    '    nickname = models.CharField(max_length=20, null=True)',
    '',
    'class Shelf(models.Model):',
    '    name = models.CharField(max_length=20)',
    '',
    'class Placement(models.Model):',
    '    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)',
    '    book = models.ForeignKey("shop.Book", on_delete=models.CASCADE)',
    '',
    '    class Meta:',
    '        unique_together = [("shelf", "book")]',
    ''
  ].join('\n')
  const libraryApp = { name: 'library', migrations: { '0001_initial': PROFILE_INITIAL }, models: PROFILE_MODELS }

  it('make a row to point a one-to-one at when every seeded one is taken, and pick pairs no row has yet', async () => {
    const { report } = await rehearseScenario({
      apps: [libraryApp],
      pr: [],
      prFiles: {
        'library/models.py': `from django.db import models\n${PROFILE_MODELS.replace('    nickname = models.CharField(max_length=20, null=True)', '    nickname = models.CharField(max_length=20, null=True)\n    motto = models.TextField(null=True)')}`,
        'library/migrations/0002_profile_motto.py': migrationSource({
          dependencies: [['library', '0001_initial']],
          operations: [
            'migrations.RunSQL("ALTER TABLE library_profile ADD COLUMN motto text; ALTER TABLE library_placement ADD COLUMN note text", "ALTER TABLE library_profile DROP COLUMN motto; ALTER TABLE library_placement DROP COLUMN note")'
          ]
        })
      }
    })
    const migration = named(report, 'library.0002_profile_motto')
    // Every seeded book has its profile, and every placement pair may repeat: the probes still ran.
    expect(migration.backwardCompatible).toMatchObject({ value: true, basis: 'adversarial-seed' })
    // The new code's INSERT of a profile was tried on the old schema (it needs the new column there).
    expect(migration.forwardCompatible.value).toBe(false)
    expect(migration.forwardCompatible.failures).toContainEqual(expect.objectContaining({ model: 'library.Profile', probe: 'insert' }))
  })

  it('that cannot be tried leave "backward compatible" unanswered, with the reason, instead of a yes', async () => {
    const odd = 'class OddField(models.TextField):\n    def get_internal_type(self):\n        return "OddField"\n\n    def db_type(self, connection):\n        return "text"\n\n'
    const { report } = await rehearseScenario({
      baseModel: `\n${odd}${BOOK_MODEL}    code = OddField()\n`,
      baseMigrations: {
        '0002_book_code': migrationSource({ dependencies: [['shop', '0001_initial']], operations: ['migrations.AddField(model_name="book", name="code", field=models.TextField(default="x"), preserve_default=False)'] })
      },
      prModel: `\n${odd}${BOOK_MODEL}    code = OddField()\n`,
      pr: [{ name: '0003_book_extra', operations: ['migrations.RunSQL("ALTER TABLE shop_book ADD COLUMN extra text", "ALTER TABLE shop_book DROP COLUMN extra")'] }]
    })
    const migration = named(report, 'shop.0003_book_extra')
    expect(migration.backwardCompatible.value).toBeNull()
    expect(migration.backwardCompatible.reason).toMatch(/^not established: the old code's INSERT on shop\.Book \(.*cannot make a value for shop\.Book\.code \(OddField\).*\) could not be tried/)
    expect(migration.verdict).toBe('warning')
    expect(rules(migration)).toContain('compatibility-unknown')
  })
})

describe('data loss', () => {
  it('is blamed on the migration that lost it: a RunPython that truncates, not the AlterField that shortens after it', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('title = models.CharField(max_length=100)', 'title = models.CharField(max_length=10)'),
      pr: [
        {
          name: '0002_truncate_titles',
          preamble:
            'from django.db.models.functions import Left\n\ndef truncate(apps, schema_editor):\n    apps.get_model("shop", "Book").objects.update(title=Left("title", 10))',
          operations: ['migrations.RunPython(truncate, migrations.RunPython.noop)']
        },
        { name: '0003_short_title', operations: ['migrations.AlterField(model_name="book", name="title", field=models.CharField(max_length=10))'] }
      ]
    })
    const truncate = named(report, 'shop.0002_truncate_titles')
    const shorten = named(report, 'shop.0003_short_title')
    expect(truncate.dataLoss.value).toBe(true)
    expect(truncate.dataLoss.losses).toContainEqual(expect.objectContaining({ table: 'shop_book', column: 'title', when: 'round-trip', operationIndex: 0 }))
    expect(shorten.appliesOnSeededData.value).toBe(true)
    expect(shorten.dataLoss).toMatchObject({ value: false, losses: [] })
  })

  it('by a data migration the rehearsal ran asks to check the change, not to run the rehearsal', async () => {
    const { report } = await rehearseScenario({
      pr: [
        {
          name: '0002_upper_titles',
          preamble: 'from django.db.models.functions import Upper\n\ndef shout(apps, schema_editor):\n    apps.get_model("shop", "Book").objects.update(title=Upper("title"))',
          operations: ['migrations.RunPython(shout, migrations.RunPython.noop)']
        }
      ]
    })
    const finding = named(report, 'shop.0002_upper_titles').findings.find((f) => f.rule === 'run-python-opaque')!
    expect(finding.outcome).toBe('seen')
    expect(finding.safeAlternative).toMatch(/^Check that this is what it should do to your rows/)
    expect(finding.safeAlternative).not.toContain('--static-only')
  })
})

describe('the old code reading back what it wrote', () => {
  it('catches an integer column turned into varchar: the statements still succeed, the values come back as strings', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('pages = models.IntegerField(default=0)', "pages = models.CharField(max_length=20, default='0')"),
      pr: [{ name: '0002_pages_text', operations: ["migrations.AlterField(model_name=\"book\", name=\"pages\", field=models.CharField(max_length=20, default='0'))"] }]
    })
    const migration = named(report, 'shop.0002_pages_text')
    expect(migration.appliesOnSeededData.value).toBe(true)
    expect(migration.backwardCompatible.value).toBe(false)
    expect(migration.backwardCompatible.failures).toContainEqual(
      expect.objectContaining({ probe: 'round-trip', model: 'shop.Book', message: expect.stringMatching(/wrote \d+ to column "pages" and read back '\d+'/) })
    )
    expect(migration.verdict).toBe('unsafe')
    expect(migration.findings.find((f) => f.rule === 'alter-field-type')).toMatchObject({ severity: 'unsafe', outcome: 'seen' })
  })
})

describe('seeding from what the models know', () => {
  it('seeds every choice, so a data migration that deletes one kind of row is seen losing them', async () => {
    const kinds = "kind = models.CharField(max_length=10, default='paper', choices=[('paper', 'Paper'), ('ebook', 'E-book'), ('audio', 'Audio')])"
    const initial = BOOK_INITIAL.replace(
      '("pages", models.IntegerField(default=0)),',
      `("pages", models.IntegerField(default=0)),\n            ("${kinds.split(' = ')[0]}", ${kinds.split(' = ')[1]}),`
    )
    const model = `${BOOK_MODEL}    ${kinds}\n`
    const { report } = await rehearseScenario({
      baseInitial: initial,
      baseModel: model,
      pr: [
        {
          name: '0002_drop_audio',
          preamble: 'def drop_audio(apps, schema_editor):\n    apps.get_model("shop", "Book").objects.filter(kind="audio").delete()',
          operations: ['migrations.RunPython(drop_audio, migrations.RunPython.noop)']
        }
      ]
    })
    const migration = named(report, 'shop.0002_drop_audio')
    expect(migration.dataLoss.value).toBe(true)
    expect(migration.dataLoss.losses).toContainEqual(expect.objectContaining({ table: 'shop_book', column: null, when: 'round-trip', rowsLost: expect.any(Number) }))
    expect(migration.dataLoss.losses![0]!.rowsLost).toBeGreaterThan(0)
  })
})

describe('the new code on the schema its own migrations leave', () => {
  it('is unsafe when the models and the migrations disagree: a NOT NULL field removed from the state only', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('    pages = models.IntegerField(default=0)\n', ''),
      pr: [
        {
          name: '0002_forget_pages',
          operations: ['migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField(model_name="book", name="pages")])']
        }
      ]
    })
    const migration = named(report, 'shop.0002_forget_pages')
    const finding = migration.findings.find((f) => f.rule === 'new-code-broken')!
    expect(finding).toMatchObject({ severity: 'unsafe', outcome: 'seen' })
    expect(finding.proof!.join('\n')).toContain('null value in column "pages"')
    expect(migration.verdict).toBe('unsafe')
  })
})

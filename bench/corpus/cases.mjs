// The labelled corpus: pull requests on the shared base project (see
// project.mjs), each with the PR's models and migrations and, per migration,
// what Django's and PostgreSQL's documentation say happens. Labels never come
// from this tool's output. Policy (README.md): `safe` is "deploying it while
// the base branch's code keeps running causes no errors and no blocking
// beyond a brief catalog lock", `severity` says what a reviewer should call
// an unsafe one ('unsafe': something fails or data is lost; 'warning': it
// works but blocks the table for as long as the table is large), and the
// field labels follow the definitions in README.md. `null` means the docs do
// not settle it (or it is moot, e.g. anything after a forward that fails).
import { libraryModels, migrationSource, shopModels } from './project.mjs'

// ---------------------------------------------------------------------------
// Documentation the labels rest on.
const DJ = 'https://docs.djangoproject.com/en/5.2/'
const PG = 'https://www.postgresql.org/docs/current/'
export const DOCS = {
  addField: `${DJ}ref/migration-operations/#addfield`,
  removeField: `${DJ}ref/migration-operations/#removefield`,
  alterField: `${DJ}ref/migration-operations/#alterfield`,
  renameField: `${DJ}ref/migration-operations/#renamefield`,
  createModel: `${DJ}ref/migration-operations/#createmodel`,
  deleteModel: `${DJ}ref/migration-operations/#deletemodel`,
  renameModel: `${DJ}ref/migration-operations/#renamemodel`,
  alterModelTable: `${DJ}ref/migration-operations/#altermodeltable`,
  alterModelOptions: `${DJ}ref/migration-operations/#altermodeloptions`,
  addIndex: `${DJ}ref/migration-operations/#addindex`,
  removeIndex: `${DJ}ref/migration-operations/#removeindex`,
  addConstraint: `${DJ}ref/migration-operations/#addconstraint`,
  alterUniqueTogether: `${DJ}ref/migration-operations/#alteruniquetogether`,
  runPython: `${DJ}ref/migration-operations/#runpython`,
  runSql: `${DJ}ref/migration-operations/#runsql`,
  separate: `${DJ}ref/migration-operations/#separatedatabaseandstate`,
  concurrentIndex: `${DJ}ref/contrib/postgres/operations/#concurrent-index-operations`,
  uniqueRecipe: `${DJ}howto/writing-migrations/#migrations-that-add-unique-fields`,
  nonAtomic: `${DJ}howto/writing-migrations/#non-atomic-migrations`,
  squashing: `${DJ}topics/migrations/#migration-squashing`,
  reversing: `${DJ}topics/migrations/#reversing-migrations`,
  djPostgres: `${DJ}topics/migrations/#postgresql`,
  sqlmigrate: `${DJ}ref/django-admin/#sqlmigrate`,
  fieldNull: `${DJ}ref/models/fields/#null`,
  fieldDefault: `${DJ}ref/models/fields/#default`,
  dbDefault: `${DJ}ref/models/fields/#db-default`,
  dbColumn: `${DJ}ref/models/fields/#db-column`,
  dbIndex: `${DJ}ref/models/fields/#db-index`,
  unique: `${DJ}ref/models/fields/#unique`,
  choices: `${DJ}ref/models/fields/#choices`,
  uuidField: `${DJ}ref/models/fields/#uuidfield`,
  integerField: `${DJ}ref/models/fields/#integerfield`,
  positiveIntegerField: `${DJ}ref/models/fields/#positiveintegerfield`,
  decimalField: `${DJ}ref/models/fields/#decimalfield`,
  foreignKey: `${DJ}ref/models/fields/#foreignkey`,
  manyToMany: `${DJ}ref/models/fields/#manytomanyfield`,
  dbTable: `${DJ}ref/models/options/#db-table`,
  uniqueConstraint: `${DJ}ref/models/constraints/#uniqueconstraint`,
  checkConstraint: `${DJ}ref/models/constraints/#checkconstraint`,
  querysetDelete: `${DJ}ref/models/querysets/#delete`,
  querysetUpdate: `${DJ}ref/models/querysets/#update`,
  fExpressions: `${DJ}ref/models/expressions/#f-expressions`,
  pgAlterTable: `${PG}sql-altertable.html`,
  pgAlterTableNotes: `${PG}sql-altertable.html#SQL-ALTERTABLE-NOTES`,
  pgAddColumn: `${PG}ddl-alter.html#DDL-ALTER-ADDING-A-COLUMN`,
  pgLocks: `${PG}explicit-locking.html#LOCKING-TABLES`,
  pgCreateIndex: `${PG}sql-createindex.html`,
  pgIndexConcurrently: `${PG}sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY`,
  pgDropIndex: `${PG}sql-dropindex.html`,
  pgChar: `${PG}datatype-character.html`,
  pgNumeric: `${PG}datatype-numeric.html`,
  pgInt: `${PG}datatype-numeric.html#DATATYPE-INT`,
  pgDecimal: `${PG}datatype-numeric.html#DATATYPE-NUMERIC-DECIMAL`,
  pgCheck: `${PG}ddl-constraints.html#DDL-CONSTRAINTS-CHECK-CONSTRAINTS`,
  pgUnique: `${PG}ddl-constraints.html#DDL-CONSTRAINTS-UNIQUE-CONSTRAINTS`,
  pgNotNull: `${PG}ddl-constraints.html#DDL-CONSTRAINTS-NOT-NULL`,
  pgDefault: `${PG}ddl-default.html`,
  pgTypeconvOper: `${PG}typeconv-oper.html`,
  pgCreateCast: `${PG}sql-createcast.html`,
  pgVolatility: `${PG}xfunc-volatility.html`,
  pgCreateView: `${PG}sql-createview.html`,
  pgTrim: `${PG}functions-string.html`,
  pgTransactions: `${PG}tutorial-transactions.html`,
  pg92: 'https://www.postgresql.org/docs/9.2/release-9-2.html',
  squawkChangingType: 'https://squawkhq.com/docs/changing-column-type',
  squawkRequiredField: 'https://squawkhq.com/docs/adding-required-field',
  squawkForeignKey: 'https://squawkhq.com/docs/adding-foreign-key-constraint',
  squawkConcurrentIndex: 'https://squawkhq.com/docs/require-concurrent-index-creation',
  squawkDropIndex: 'https://squawkhq.com/docs/require-concurrent-index-deletion',
  squawkRenamingColumn: 'https://squawkhq.com/docs/renaming-column',
  squawkRenamingTable: 'https://squawkhq.com/docs/renaming-table',
  squawkDropColumn: 'https://squawkhq.com/docs/ban-drop-column',
  squawkDropTable: 'https://squawkhq.com/docs/ban-drop-table',
  squawkNotValid: 'https://squawkhq.com/docs/constraint-missing-not-valid',
  squawkUnique: 'https://squawkhq.com/docs/disallowed-unique-constraint',
  squawkDropNotNull: 'https://squawkhq.com/docs/ban-drop-not-null',
  linter: 'https://github.com/3YOURMIND/django-migration-linter/tree/main/tests/test_project'
}
const D = DOCS

// ---------------------------------------------------------------------------
// Label shorthands. Every field is spelled out per migration; these only
// name the common lock modes as pg_locks prints them.
const AE = 'AccessExclusiveLock'
const SHARE = 'ShareLock'
const SUE = 'ShareUpdateExclusiveLock'
const SRE = 'ShareRowExclusiveLock'
const RE = 'RowExclusiveLock'
const NONE = 'none'

/** Labels of a migration whose forward fails: everything after it is moot. */
const failsToApply = (justification, extra = {}) => ({
  safe: false,
  severity: 'unsafe',
  applies: false,
  backwardCompatible: null,
  reversible: null,
  dataLoss: null,
  rewritesTable: null,
  justification,
  ...extra
})

// ---------------------------------------------------------------------------
// File builders.
const AFTER_0001 = [['shop', '0001_initial']]
const shopMigration = (name, spec) => ({ [`shop/migrations/${name}.py`]: migrationSource({ dependencies: AFTER_0001, ...spec }) })
const addField = (name, field, extra = '') =>
  `migrations.AddField(
    model_name='book',
    name='${name}',
    field=${field},${extra ? `\n    ${extra}` : ''}
)`
const alterField = (name, field, extra = '') =>
  `migrations.AlterField(
    model_name='book',
    name='${name}',
    field=${field},${extra ? `\n    ${extra}` : ''}
)`
const KIND_FIELD_CHOICES = "[('paper', 'Paperback'), ('hard', 'Hardcover'), ('ebook', 'E-book')]"

/** The common PR: shop/models.py plus one shop migration after 0001. */
function onePr(models, name, spec) {
  return { 'shop/models.py': shopModels(models), ...shopMigration(name, spec) }
}

// ---------------------------------------------------------------------------
export const CASES = [
  // ---------------------------------------------------------------- add-model
  {
    id: 'add-model',
    description: 'CreateModel of a new Review table with a foreign key to Book',
    rules: ['add-model'],
    pr: onePr(
      {
        extra: `class Review(models.Model):
    body = models.TextField()
    stars = models.PositiveSmallIntegerField(default=5)
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")`
      },
      '0002_review',
      {
        operations: [
          `migrations.CreateModel(
    name='Review',
    fields=[
        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
        ('body', models.TextField()),
        ('stars', models.PositiveSmallIntegerField(default=5)),
        ('book', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='shop.book')),
    ],
)`
        ]
      }
    ),
    labels: {
      'shop.0002_review': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        justification: `A new table: the old code never queries it, and nothing in shop_book changes (${D.createModel}). Reversing it is DeleteModel of a table only the new code wrote to (${D.deleteModel}); no base row is touched.`
      }
    }
  },
  {
    id: 'add-model-with-index',
    description: 'CreateModel plus AddIndex on the new model in the same migration (the index is built on an empty table)',
    rules: ['add-model', 'add-index'],
    pr: onePr(
      {
        extra: `class Coupon(models.Model):
    code = models.CharField(max_length=20)
    percent = models.IntegerField(default=10)

    class Meta:
        indexes = [models.Index(fields=["code"], name="coupon_code_idx")]`
      },
      '0002_coupon',
      {
        operations: [
          `migrations.CreateModel(
    name='Coupon',
    fields=[
        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
        ('code', models.CharField(max_length=20)),
        ('percent', models.IntegerField(default=10)),
    ],
    options={
        'indexes': [models.Index(fields=['code'], name='coupon_code_idx')],
    },
)`
        ]
      }
    ),
    labels: {
      'shop.0002_coupon': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: NONE },
        justification: `Creates a table and an index on it: CREATE INDEX locks only the table it indexes (${D.pgCreateIndex}), which is new and empty, so no existing table is locked or changed (${D.createModel}, ${D.addIndex}).`
      }
    }
  },

  // ---------------------------------------------------------------- AddField
  {
    id: 'add-field-nullable',
    description: 'AddField of a nullable CharField',
    rules: ['add-field-nullable'],
    pr: onePr({ book: { subtitle: 'models.CharField(max_length=200, null=True)' } }, '0002_book_subtitle', {
      operations: [addField('subtitle', 'models.CharField(max_length=200, null=True)')]
    }),
    labels: {
      'shop.0002_book_subtitle': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `ADD COLUMN without a default stores nothing per row and needs no rewrite; existing rows and the old code's INSERTs (which omit the column) get NULL (${D.pgAlterTableNotes}, ${D.pgAddColumn}). ALTER TABLE takes ACCESS EXCLUSIVE, held only for the catalog change (${D.pgAlterTable}). The reverse is RemoveField of a nullable field (${D.removeField}).`
      }
    }
  },
  {
    id: 'add-field-not-null-no-default',
    description: 'hand-written AddField of a NOT NULL CharField without any default',
    rules: ['add-field-not-null'],
    pr: onePr({ book: { isbn: 'models.CharField(max_length=13)' } }, '0002_book_isbn', {
      operations: [addField('isbn', 'models.CharField(max_length=13)')]
    }),
    labels: {
      'shop.0002_book_isbn': failsToApply(
        `ADD COLUMN without DEFAULT fills existing rows with NULL (${D.pgAddColumn}); with NOT NULL that fails on any table with rows (${D.pgNotNull}). Django sets no database default for it (${D.addField}: "Django never sets database defaults").`
      )
    }
  },
  {
    id: 'add-field-not-null-one-off-default',
    description: "AddField NOT NULL with makemigrations' one-off default (preserve_default=False)",
    rules: ['add-field-not-null'],
    source: D.squawkRequiredField,
    pr: onePr({ book: { stock: 'models.IntegerField()' } }, '0002_book_stock', {
      operations: [addField('stock', 'models.IntegerField(default=0)', 'preserve_default=False,')]
    }),
    labels: {
      'shop.0002_book_stock': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `The default fills existing rows and is then dropped: "Django never sets database defaults and always applies them in the Django ORM code" (${D.addField}). The old code's INSERT omits the column, so it gets NULL and violates NOT NULL (${D.pgDefault}, ${D.pgNotNull}). A constant default needs no rewrite since PostgreSQL 11 (${D.pgAlterTableNotes}). Reverse drops the column (${D.removeField}).`
      }
    }
  },
  {
    id: 'add-field-boolean-default',
    description: 'AddField BooleanField(default=False): NOT NULL with a Python default kept in the model',
    rules: ['add-field-not-null'],
    source: `${D.linter}/app_add_not_null_column_followed_by_default`,
    pr: onePr({ book: { is_published: 'models.BooleanField(default=False)' } }, '0002_book_is_published', {
      operations: [addField('is_published', 'models.BooleanField(default=False)')]
    }),
    labels: {
      'shop.0002_book_is_published': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `Same as a one-off default: the database default is only used to fill existing rows, "Django never sets database defaults" (${D.addField}), so the old code's INSERT (which omits the column) violates NOT NULL (${D.pgNotNull}). Constant default: no rewrite (${D.pgAlterTableNotes}).`
      }
    }
  },
  {
    id: 'add-field-db-default',
    description: 'AddField NOT NULL with db_default (Django 5.0+): the database fills the old code\'s INSERTs',
    rules: ['add-field-nullable'],
    pr: onePr({ book: { stock: 'models.IntegerField(db_default=0)' } }, '0002_book_stock', {
      operations: [addField('stock', 'models.IntegerField(db_default=0)')]
    }),
    labels: {
      'shop.0002_book_stock': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `db_default is "the database-computed default value for this field" (${D.dbDefault}): the column keeps DEFAULT 0, so INSERTs that omit it (the old code's) get 0 (${D.pgDefault}). A constant default needs no rewrite (${D.pgAlterTableNotes}). Reverse drops the column.`
      }
    }
  },
  {
    id: 'add-field-db-default-null',
    description: 'AddField IntegerField(db_default=None) with null=False: DEFAULT NULL on a NOT NULL column',
    rules: ['add-field-not-null'],
    source: `${D.linter}/app_add_not_null_column_with_null_db_default`,
    pr: onePr({ book: { rating: 'models.IntegerField(db_default=None)' } }, '0002_book_rating', {
      operations: [addField('rating', 'models.IntegerField(db_default=None)')]
    }),
    labels: {
      'shop.0002_book_rating': failsToApply(
        `db_default=None is a database default of NULL (${D.dbDefault}); ADD COLUMN ... DEFAULT NULL NOT NULL gives existing rows NULL (${D.pgAddColumn}) and so fails on a table with rows (${D.pgNotNull}). A db_default that is NULL does not make the column safe.`
      )
    }
  },
  {
    id: 'add-field-volatile-db-default',
    description: 'AddField UUIDField(db_default=RandomUUID()): a volatile database default',
    rules: ['add-field-nullable', 'add-field-volatile-default'],
    pr: onePr(
      { imports: ['from django.contrib.postgres.functions import RandomUUID'], book: { token: 'models.UUIDField(db_default=RandomUUID())' } },
      '0002_book_token',
      {
        imports: ['import django.contrib.postgres.functions'],
        operations: [addField('token', 'models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID())')]
      }
    ),
    labels: {
      'shop.0002_book_token': {
        safe: false,
        severity: 'warning',
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: true,
        locks: { shop_book: AE },
        justification: `"Adding a column with a volatile DEFAULT ... will require the entire table and its indexes to be rewritten" (${D.pgAlterTableNotes}); gen_random_uuid() returns a new value per call, i.e. volatile (${D.pgVolatility}). The rewrite holds ACCESS EXCLUSIVE for its whole duration. The database fills the old code's INSERTs (${D.dbDefault}).`
      }
    }
  },
  {
    id: 'add-field-unique-callable-default',
    description: 'AddField UUIDField(default=uuid.uuid4, unique=True) in one step',
    rules: ['add-unique', 'add-field-not-null'],
    pr: onePr({ book: { sku: 'models.UUIDField(default=uuid.uuid4, unique=True)' } }, '0002_book_sku', {
      operations: [addField('sku', 'models.UUIDField(default=uuid.uuid4, unique=True)')]
    }),
    labels: {
      'shop.0002_book_sku': failsToApply(
        `Django's own docs: "Applying a 'plain' migration that adds a unique non-nullable field to a table with existing rows will raise an error because the value used to populate existing rows is generated only once, thus breaking the unique constraint" (${D.uniqueRecipe}).`
      )
    }
  },
  {
    id: 'add-unique-field-docs-recipe',
    description: "Django's documented three-migration recipe for a unique UUID field: add nullable, fill in RunPython, AlterField unique NOT NULL",
    rules: ['add-field-nullable', 'add-unique', 'alter-field-not-null'],
    source: D.uniqueRecipe,
    pr: {
      'shop/models.py': shopModels({ book: { uuid: 'models.UUIDField(default=uuid.uuid4, unique=True)' } }),
      ...shopMigration('0002_book_uuid', { operations: [addField('uuid', 'models.UUIDField(default=uuid.uuid4, null=True)')] }),
      'shop/migrations/0003_populate_uuid_values.py': migrationSource({
        dependencies: [['shop', '0002_book_uuid']],
        preamble: `def gen_uuid(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    for row in Book.objects.all():
        row.uuid = uuid.uuid4()
        row.save(update_fields=["uuid"])`,
        operations: ['migrations.RunPython(gen_uuid, reverse_code=migrations.RunPython.noop)']
      }),
      'shop/migrations/0004_alter_book_uuid.py': migrationSource({
        dependencies: [['shop', '0003_populate_uuid_values']],
        operations: [alterField('uuid', 'models.UUIDField(default=uuid.uuid4, unique=True)')]
      })
    },
    labels: {
      'shop.0002_book_uuid': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `A nullable column; its default is evaluated once and is a constant, so no rewrite (${D.pgAlterTableNotes}); the old code's INSERTs omit it and get NULL. Step 1 of ${D.uniqueRecipe}.`
      },
      'shop.0003_populate_uuid_values': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: RE },
        justification: `Row-by-row UPDATEs (ROW EXCLUSIVE, which does not block reads or other writers' rows: ${D.pgLocks}) of a column the old code does not know; reverse_code=RunPython.noop makes it reversible (${D.runPython}).`
      },
      'shop.0004_alter_book_uuid': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `Every row got a distinct uuid4 in 0003, so the unique constraint and SET NOT NULL succeed. But the column is now NOT NULL with no database default ("Django never sets database defaults": ${D.alterField}); the base branch's code does not know the field and its INSERTs omit it, so they fail (${D.pgNotNull}). The recipe is correct for applying, not for zero downtime. Reverse drops NOT NULL and the constraint.`
      }
    }
  },
  {
    id: 'add-field-nullable-unique',
    description: 'AddField nullable CharField with unique=True',
    rules: ['add-unique'],
    pr: onePr({ book: { isbn: 'models.CharField(max_length=13, null=True, unique=True)' } }, '0002_book_isbn', {
      operations: [addField('isbn', 'models.CharField(max_length=13, null=True, unique=True)')]
    }),
    labels: {
      'shop.0002_book_isbn': {
        safe: false,
        severity: 'warning',
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `All existing rows are NULL and NULLs are not equal for a unique constraint (${D.pgUnique}), so it applies; the old code writes NULL. But ADD CONSTRAINT ... UNIQUE builds its index by scanning the whole table inside ALTER TABLE, under ACCESS EXCLUSIVE (${D.pgAlterTable}), blocking reads and writes for as long as the table is large (${D.squawkUnique}).`
      }
    }
  },
  {
    id: 'add-field-db-index',
    description: 'AddField EmailField(db_index=True, null=True): the index is built without CONCURRENTLY',
    rules: ['add-index', 'add-field-nullable'],
    source: `${D.linter}/app_create_index_exclusive`,
    pr: onePr({ book: { email: 'models.EmailField(db_index=True, max_length=254, null=True)' } }, '0002_book_email', {
      operations: [addField('email', 'models.EmailField(db_index=True, max_length=254, null=True)')]
    }),
    labels: {
      'shop.0002_book_email': {
        safe: false,
        severity: 'warning',
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `db_index creates an index (${D.dbIndex}) with plain CREATE INDEX, which scans the table and "locks out writes" until done (${D.pgCreateIndex}); here it runs in the same transaction as ADD COLUMN, so ACCESS EXCLUSIVE is held throughout (${D.pgLocks}). Use AddIndexConcurrently (${D.concurrentIndex}; ${D.squawkConcurrentIndex}).`
      }
    }
  },
  {
    id: 'add-many-to-many',
    description: 'AddField ManyToManyField: a new join table with foreign keys to Book and Author',
    rules: ['add-field-nullable', 'add-foreign-key'],
    source: `${D.linter}/app_add_manytomany_field`,
    pr: onePr({ book: { co_authors: 'models.ManyToManyField(Author, related_name="co_authored")' } }, '0002_book_co_authors', {
      operations: [addField('co_authors', "models.ManyToManyField(related_name='co_authored', to='shop.author')")]
    }),
    labels: {
      'shop.0002_book_co_authors': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        justification: `A ManyToManyField is an intermediary table (${D.manyToMany}); shop_book gets no column. The new table's foreign keys lock the referenced tables only briefly (the referencing table is empty, nothing to validate: ${D.pgAlterTable}). Reverse drops the join table.`
      }
    }
  },
  {
    id: 'add-foreign-key',
    description: 'AddField nullable ForeignKey to Author (constraint validated, index built without CONCURRENTLY)',
    rules: ['add-foreign-key', 'add-field-nullable'],
    source: D.squawkForeignKey,
    pr: onePr(
      { book: { editor: 'models.ForeignKey(Author, null=True, on_delete=models.SET_NULL, related_name="edited_books")' } },
      '0002_book_editor',
      {
        operations: [addField('editor', "models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='edited_books', to='shop.author')")]
      }
    ),
    labels: {
      'shop.0002_book_editor': {
        safe: false,
        severity: 'warning',
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE, shop_author: SRE },
        justification: `"Addition of a foreign key constraint requires a SHARE ROW EXCLUSIVE lock on the referenced table" (${D.pgAlterTable}); the FK's index (${D.foreignKey}: "A database index is automatically created") is a plain CREATE INDEX that scans shop_book (${D.pgCreateIndex}) while the ADD COLUMN's ACCESS EXCLUSIVE is still held (one transaction). Values are all NULL, so it applies and the old code is unaffected.`
      }
    }
  },

  // ---------------------------------------------------------------- removals
  {
    id: 'remove-field-nullable',
    description: 'RemoveField of a nullable column the old code still selects',
    rules: ['remove-field'],
    source: D.squawkDropColumn,
    pr: onePr({ book: { note: null } }, '0002_remove_book_note', {
      operations: ["migrations.RemoveField(\n    model_name='book',\n    name='note',\n)"]
    }),
    labels: {
      'shop.0002_remove_book_note': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: true,
        dataLoss: true,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `The old model still selects note, which no longer exists. RemoveField is reversible for a nullable field "apart from any data loss, which is irreversible" (${D.removeField}). DROP COLUMN does not rewrite (${D.pgAlterTableNotes}).`
      }
    }
  },
  {
    id: 'remove-field-not-null',
    description: 'RemoveField of a NOT NULL column without default: its reverse re-adds a NOT NULL column to a table with rows',
    rules: ['remove-field'],
    pr: onePr({ book: { title: null } }, '0002_remove_book_title', {
      operations: ["migrations.RemoveField(\n    model_name='book',\n    name='title',\n)"]
    }),
    labels: {
      'shop.0002_remove_book_title': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: false,
        dataLoss: true,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `"If the field is not nullable and does not have a default value, the operation is irreversible" (${D.removeField}): the reverse adds a NOT NULL column without default to a table with rows (${D.pgNotNull}). The old code selects title; its values are gone.`
      }
    }
  },
  {
    id: 'remove-field-with-default',
    description: 'RemoveField of a NOT NULL column that has a Python default (reversible, values lost)',
    rules: ['remove-field'],
    pr: onePr({ book: { pages: null } }, '0002_remove_book_pages', {
      operations: ["migrations.RemoveField(\n    model_name='book',\n    name='pages',\n)"]
    }),
    labels: {
      'shop.0002_remove_book_pages': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: true,
        dataLoss: true,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `Reversible because the field "has a default value that can be used to populate the recreated column", but "apart from any data loss" (${D.removeField}): after the round trip every row has pages=0. The old code selects pages.`
      }
    }
  },
  {
    id: 'remove-model',
    description: 'DeleteModel of a table the old code still uses (second app)',
    rules: ['remove-model'],
    source: D.squawkDropTable,
    pr: {
      'library/models.py': libraryModels({ deleteShelf: true }),
      'library/migrations/0002_delete_shelf.py': migrationSource({
        dependencies: [['library', '0001_initial']],
        operations: ["migrations.DeleteModel(\n    name='Shelf',\n)"]
      })
    },
    labels: {
      'library.0002_delete_shelf': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: true,
        dataLoss: true,
        rewritesTable: false,
        table: 'library_shelf',
        locks: { library_shelf: AE },
        justification: `DROP TABLE takes ACCESS EXCLUSIVE (${D.pgLocks}); the old code's queries on library_shelf fail; the reverse is CreateModel of an empty table (${D.deleteModel}), so the rows are lost.`
      }
    }
  },
  {
    id: 'separate-state-remove-nullable',
    description: 'SeparateDatabaseAndState: remove a nullable field from the state only, keep the column',
    rules: ['remove-field'],
    pr: onePr({ book: { note: null } }, '0002_remove_book_note_state', {
      operations: [
        `migrations.SeparateDatabaseAndState(
    state_operations=[
        migrations.RemoveField(
            model_name='book',
            name='note',
        ),
    ],
)`
      ]
    }),
    labels: {
      'shop.0002_remove_book_note_state': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: NONE },
        justification: `No database operation (${D.separate}); the column stays, the old code keeps using it, and the new code's INSERTs omit a nullable column (NULL: ${D.pgDefault}). The documented first step of removing a field.`
      }
    }
  },
  {
    id: 'separate-state-remove-not-null',
    description: 'SeparateDatabaseAndState: remove a NOT NULL field (no database default) from the state only',
    rules: ['remove-field', 'state-only-remove-not-null'],
    pr: onePr({ book: { pages: null } }, '0002_remove_book_pages_state', {
      operations: [
        `migrations.SeparateDatabaseAndState(
    state_operations=[
        migrations.RemoveField(
            model_name='book',
            name='pages',
        ),
    ],
)`
      ]
    }),
    labels: {
      'shop.0002_remove_book_pages_state': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: NONE },
        justification: `No database operation (${D.separate}), so pages stays NOT NULL without a database default ("Django never sets database defaults": ${D.addField}). The new code no longer knows pages, so its INSERTs omit it and fail the NOT NULL constraint (${D.pgNotNull}): the deploy breaks the new code. Make the column nullable (or give it a db_default) first.`
      }
    }
  },
  {
    id: 'separate-state-rename-without-db-column',
    description: 'SeparateDatabaseAndState: RenameField in the state only, without db_column (state and table disagree)',
    rules: ['rename-field', 'state-only-rename-field'],
    source: `${D.linter}/app_rename_column_custom`,
    pr: onePr({ rename: { note: 'remark' } }, '0002_rename_note_remark_state', {
      operations: [
        `migrations.SeparateDatabaseAndState(
    state_operations=[
        migrations.RenameField(
            model_name='book',
            old_name='note',
            new_name='remark',
        ),
    ],
)`
      ]
    }),
    labels: {
      'shop.0002_rename_note_remark_state': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: NONE },
        justification: `The table keeps column note, but without db_column the new field's column is its name, remark (${D.dbColumn}); "If the actual state of the database and Django's view of the state get out of sync, this can break the migration framework" (${D.separate}). Every query of the new code on Book fails (column remark does not exist); the old code is unaffected.`
      }
    }
  },

  // ---------------------------------------------------------------- renames
  {
    id: 'rename-field',
    description: 'RenameField renames the column',
    rules: ['rename-field'],
    source: D.squawkRenamingColumn,
    pr: onePr({ rename: { note: 'remark' } }, '0002_rename_note_book_remark', {
      operations: ["migrations.RenameField(\n    model_name='book',\n    old_name='note',\n    new_name='remark',\n)"]
    }),
    labels: {
      'shop.0002_rename_note_book_remark': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `RenameField changes the column name unless db_column is set (${D.renameField}); the old code selects note, which is gone. RENAME COLUMN is a catalog change (${D.pgAlterTable}).`
      }
    }
  },
  {
    id: 'rename-field-db-column',
    description: 'RenameField with db_column pinned to the old column (makemigrations output: AlterField + RenameField)',
    rules: ['rename-field'],
    pr: onePr({ book: { note: null, remark: 'models.CharField(max_length=50, null=True, db_column="note")' } }, '0002_rename_note_book_remark', {
      operations: [
        alterField('note', "models.CharField(db_column='note', max_length=50, null=True)"),
        "migrations.RenameField(\n    model_name='book',\n    old_name='note',\n    new_name='remark',\n)"
      ]
    }),
    labels: {
      'shop.0002_rename_note_book_remark': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: NONE },
        justification: `RenameField renames the column only "unless db_column is set" (${D.renameField}, ${D.dbColumn}); the column stays note, so no SQL runs (${D.sqlmigrate} prints "(no-op)" for both operations).`
      }
    }
  },
  {
    id: 'rename-model',
    description: 'RenameModel Author -> Writer renames the table',
    rules: ['rename-model'],
    source: D.squawkRenamingTable,
    pr: onePr(
      {
        author: 'class Writer(models.Model):\n    name = models.CharField(max_length=100)\n',
        book: { author: 'models.ForeignKey(Writer, on_delete=models.CASCADE)' }
      },
      '0002_rename_author_writer',
      { operations: ["migrations.RenameModel(\n    old_name='Author',\n    new_name='Writer',\n)"] }
    ),
    labels: {
      'shop.0002_rename_author_writer': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        justification: `The table name is derived from the app label and the model name (${D.dbTable}), so RenameModel renames shop_author to shop_writer (${D.renameModel}); the old code queries shop_author, which is gone.`
      }
    }
  },
  {
    id: 'rename-model-keep-table',
    description: 'RenameModel with Meta.db_table keeping the old table (makemigrations output: RenameModel + AlterModelTable)',
    rules: ['rename-model', 'rename-model-keep-table'],
    pr: onePr(
      {
        author: 'class Writer(models.Model):\n    name = models.CharField(max_length=100)\n\n    class Meta:\n        db_table = "shop_author"\n',
        book: { author: 'models.ForeignKey(Writer, on_delete=models.CASCADE)' }
      },
      '0002_rename_author_writer',
      {
        operations: [
          "migrations.RenameModel(\n    old_name='Author',\n    new_name='Writer',\n)",
          "migrations.AlterModelTable(\n    name='writer',\n    table='shop_author',\n)"
        ]
      }
    ),
    labels: {
      'shop.0002_rename_author_writer': {
        safe: false,
        severity: 'warning',
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `After the migration the table is shop_author again (${D.alterModelTable}), so the old code works. But it is not a no-op: ${D.sqlmigrate} shows RenameModel renaming the table to shop_writer, dropping and re-adding shop_book's foreign key (ADD CONSTRAINT ... FOREIGN KEY validates every row of shop_book: ${D.pgAlterTable}) and AlterModelTable renaming it back, in one transaction that holds ACCESS EXCLUSIVE on shop_book from the DROP CONSTRAINT on (${D.pgLocks}).`
      }
    }
  },

  // ---------------------------------------------------------------- type changes
  {
    id: 'int-to-bigint',
    description: 'AlterField IntegerField -> BigIntegerField',
    rules: ['alter-field-type'],
    source: D.squawkChangingType,
    pr: onePr({ book: { pages: 'models.BigIntegerField(default=0)' } }, '0002_alter_book_pages', {
      operations: [alterField('pages', 'models.BigIntegerField(default=0)')]
    }),
    labels: {
      'shop.0002_alter_book_pages': {
        safe: false,
        severity: 'warning',
        applies: true,
        backwardCompatible: true,
        reversible: false,
        dataLoss: false,
        rewritesTable: true,
        locks: { shop_book: AE },
        justification: `integer and bigint have different storage, so ALTER COLUMN TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE (${D.pgAlterTableNotes}; ${D.squawkChangingType}). Every integer fits a bigint (${D.pgInt}). The reverse casts back to integer and fails with "integer out of range" once the new code stored a value above 2147483647 (${D.pgInt}), which the new model allows (${D.integerField}).`
      }
    }
  },
  {
    id: 'varchar-widen',
    description: 'AlterField CharField max_length 100 -> 200',
    rules: ['alter-field-type'],
    pr: onePr({ book: { title: 'models.CharField(max_length=200)' } }, '0002_alter_book_title', {
      operations: [alterField('title', 'models.CharField(max_length=200)')]
    }),
    labels: {
      'shop.0002_alter_book_title': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: false,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `"Increasing the length limit for a varchar ... no longer requires a table rewrite" (${D.pg92}; ${D.pgAlterTableNotes}: binary coercible). The reverse shrinks the column back to 100 and fails ("value too long for type character varying(100)": ${D.pgChar}) once the new code stored a title of 101-200 characters.`
      }
    }
  },
  {
    id: 'varchar-shorten',
    description: 'AlterField CharField max_length 100 -> 50 on rows that may hold longer titles',
    rules: ['alter-field-type'],
    pr: onePr({ book: { title: 'models.CharField(max_length=50)' } }, '0002_alter_book_title', {
      operations: [alterField('title', 'models.CharField(max_length=50)')]
    }),
    labels: {
      'shop.0002_alter_book_title': failsToApply(
        `The base model allows 100 characters; "An attempt to store a longer string into a column of these types will result in an error" (${D.pgChar}), and Django's ALTER COLUMN TYPE has no USING cast here (${D.sqlmigrate}), so the conversion is an assignment and errors on any title longer than 50.`
      )
    }
  },
  {
    id: 'varchar-widen-then-lengthen',
    description: 'widen title to 200, then a RunPython that appends to every title: the reverse must shrink the column over longer values',
    rules: ['alter-field-type', 'run-python-irreversible'],
    pr: {
      'shop/models.py': shopModels({ book: { title: 'models.CharField(max_length=200)' } }),
      ...shopMigration('0002_alter_book_title', { operations: [alterField('title', 'models.CharField(max_length=200)')] }),
      'shop/migrations/0003_revised_titles.py': migrationSource({
        dependencies: [['shop', '0002_alter_book_title']],
        preamble: `def mark_revised(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    for book in Book.objects.all():
        book.title = book.title + " (revised edition)"
        book.save(update_fields=["title"])`,
        operations: ['migrations.RunPython(mark_revised, migrations.RunPython.noop)']
      })
    },
    labels: {
      'shop.0002_alter_book_title': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: false,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `Widening needs no rewrite (${D.pg92}). After 0003, titles of 83-100 characters are 101-118 long, so the reverse ALTER ... TYPE varchar(100) fails with "value too long" (${D.pgChar}): rolling back this PR fails, on the seeded rows already.`
      },
      'shop.0003_revised_titles': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: true,
        rewritesTable: false,
        locks: { shop_book: RE },
        justification: `Row UPDATEs (ROW EXCLUSIVE: ${D.pgLocks}) within the widened column; the old code reads and writes back longer strings (the database column is 200). Its reverse is RunPython.noop (${D.runPython}): it runs, but the titles keep the suffix, so the round trip does not restore them.`
      }
    }
  },
  {
    id: 'int-to-varchar',
    description: 'AlterField IntegerField -> CharField: the old code reads back strings and compares with integers',
    rules: ['alter-field-type'],
    pr: onePr({ book: { pages: 'models.CharField(max_length=20, default="0")' } }, '0002_alter_book_pages', {
      operations: [alterField('pages', "models.CharField(default='0', max_length=20)")]
    }),
    labels: {
      'shop.0002_alter_book_pages': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: false,
        dataLoss: false,
        rewritesTable: true,
        locks: { shop_book: AE },
        justification: `A type change with USING "pages"::varchar(20) (${D.sqlmigrate}) rewrites the table (${D.pgAlterTableNotes}). The old code's filters such as pages__gt=100 compare varchar with integer, for which there is no operator and no implicit cast ("operator does not exist": ${D.pgTypeconvOper}), and it reads strings where its IntegerField expects ints. The reverse casts varchar to integer and fails on any non-numeric string the new code stored (${D.pgInt}; ${D.alterField}: text to number is not possible in general).`
      }
    }
  },
  {
    id: 'decimal-scale-reduce',
    description: 'AlterField DecimalField decimal_places 2 -> 1: PostgreSQL rounds the existing values silently',
    rules: ['alter-field-type'],
    pr: onePr({ book: { price: 'models.DecimalField(max_digits=8, decimal_places=1, default=0)' } }, '0002_alter_book_price', {
      operations: [alterField('price', 'models.DecimalField(decimal_places=1, default=0, max_digits=8)')]
    }),
    labels: {
      'shop.0002_alter_book_price': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: null,
        reversible: false,
        dataLoss: true,
        rewritesTable: true,
        locks: { shop_book: AE },
        justification: `numeric(8,2) -> numeric(8,1): "if the scale of a value to be stored is greater than the declared scale of the column, the system will round the value" (${D.pgDecimal}), so 12.34 becomes 12.3 with no error: values are lost on the forward run. It is not binary coercible, so the table is rewritten (${D.pgAlterTableNotes}). 999999.99 rounds to 1000000.0, which does not fit numeric(8,2) again: the reverse fails with "numeric field overflow" on such rows. (The old code keeps running without errors but its cents are rounded: left unlabelled.)`
      }
    }
  },
  {
    id: 'decimal-precision-widen',
    description: 'AlterField DecimalField max_digits 8 -> 12 (same scale)',
    rules: ['alter-field-type'],
    pr: onePr({ book: { price: 'models.DecimalField(max_digits=12, decimal_places=2, default=0)' } }, '0002_alter_book_price', {
      operations: [alterField('price', 'models.DecimalField(decimal_places=2, default=0, max_digits=12)')]
    }),
    labels: {
      'shop.0002_alter_book_price': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: false,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `"increasing the allowable precision of a numeric column ... no longer requires a table rewrite" (${D.pg92}). The reverse narrows to numeric(8,2) and fails with "numeric field overflow" once the new code stored a price of 1000000 or more (${D.pgDecimal}).`
      }
    }
  },
  {
    id: 'int-to-positive',
    description: 'AlterField IntegerField -> PositiveIntegerField adds CHECK (pages >= 0) over rows that may be negative',
    rules: ['alter-field-type'],
    pr: onePr({ book: { pages: 'models.PositiveIntegerField(default=0)' } }, '0002_alter_book_pages', {
      operations: [alterField('pages', 'models.PositiveIntegerField(default=0)')]
    }),
    labels: {
      'shop.0002_alter_book_pages': failsToApply(
        `PositiveIntegerField "must be either positive or zero" (${D.positiveIntegerField}); on PostgreSQL Django adds CHECK ("pages" >= 0) (${D.sqlmigrate}), which validates existing rows (${D.pgCheck}, ${D.pgAlterTable}); the base IntegerField allowed negative values (${D.integerField}), so it fails on them.`
      )
    }
  },
  {
    id: 'alter-field-choices-only',
    description: 'AlterField that only adds a choice (no database change)',
    rules: ['alter-field-type'],
    pr: onePr(
      { kindChoices: '[("paper", "Paperback"), ("hard", "Hardcover"), ("ebook", "E-book"), ("audio", "Audiobook")]' },
      '0002_alter_book_kind',
      {
        operations: [
          alterField(
            'kind',
            "models.CharField(choices=[('paper', 'Paperback'), ('hard', 'Hardcover'), ('ebook', 'E-book'), ('audio', 'Audiobook')], default='paper', max_length=10)"
          )
        ]
      }
    ),
    labels: {
      'shop.0002_alter_book_kind': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: NONE },
        justification: `choices are validation only (${D.choices}); no SQL runs (${D.sqlmigrate}: "(no-op)").`
      }
    }
  },
  {
    id: 'drop-not-null',
    description: 'AlterField title NOT NULL -> null=True',
    rules: ['alter-field-not-null'],
    source: `${D.linter}/app_alter_column_drop_not_null`,
    pr: onePr({ book: { title: 'models.CharField(max_length=100, null=True)' } }, '0002_alter_book_title', {
      operations: [alterField('title', 'models.CharField(max_length=100, null=True)')]
    }),
    labels: {
      'shop.0002_alter_book_title': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: false,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `DROP NOT NULL is a catalog change (${D.pgAlterTable}); the old code writes non-NULL titles, still accepted. The reverse SET NOT NULL "may only be applied to a column provided none of the records in the table contain a NULL value" (${D.pgAlterTable}), so it fails once the new code stored a NULL title. (squawk flags dropping NOT NULL for clients that assume non-NULL: ${D.squawkDropNotNull}.)`
      }
    }
  },

  // ---------------------------------------------------------------- NOT NULL
  {
    id: 'alter-not-null-no-default',
    description: 'AlterField nullable -> NOT NULL without a default ("ignore for now" at the makemigrations prompt)',
    rules: ['alter-field-not-null'],
    pr: onePr({ book: { note: 'models.CharField(max_length=50)' } }, '0002_alter_book_note', {
      operations: [alterField('note', 'models.CharField(max_length=50)')]
    }),
    labels: {
      'shop.0002_alter_book_note': failsToApply(
        `The base field is null=True (${D.fieldNull}), so rows may hold NULL; SET NOT NULL "may only be applied to a column provided none of the records in the table contain a NULL value" (${D.pgAlterTable}).`
      )
    }
  },
  {
    id: 'alter-not-null-python-default',
    description: "AlterField nullable -> NOT NULL with a Python default: NULLs are filled, the old code's INSERT of NULL fails",
    rules: ['alter-field-not-null'],
    source: `${D.linter}/app_make_not_null_with_django_default`,
    pr: onePr({ book: { note: 'models.CharField(max_length=50, default="")' } }, '0002_alter_book_note', {
      operations: [alterField('note', "models.CharField(default='', max_length=50)")]
    }),
    labels: {
      'shop.0002_alter_book_note': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: true,
        dataLoss: true,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `Django fills the NULLs with the default, sets NOT NULL and drops the default again ("Django never sets database defaults": ${D.alterField}). The old model has null=True and no default, so it writes NULL for note, which now violates NOT NULL (${D.pgNotNull}). SET NOT NULL scans but does not rewrite (${D.pgAlterTable}). The reverse only drops NOT NULL: the NULLs turned into '' do not come back (NULL and '' are distinct values: ${D.fieldNull}).`
      }
    }
  },
  {
    id: 'alter-not-null-db-default',
    description: "AlterField nullable -> NOT NULL with db_default: the old code still writes an explicit NULL",
    rules: ['alter-field-not-null'],
    pr: onePr({ book: { note: 'models.CharField(max_length=50, db_default="")' } }, '0002_alter_book_note', {
      operations: [alterField('note', "models.CharField(db_default='', max_length=50)")]
    }),
    labels: {
      'shop.0002_alter_book_note': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: true,
        dataLoss: true,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `A column default applies only when the INSERT gives no value for the column (${D.pgDefault}); the old model (null=True, no default) names note in every INSERT with NULL, which NOT NULL rejects (${D.pgNotNull}) although a db_default exists (${D.dbDefault}). NULLs become '' and the reverse does not bring them back.`
      }
    }
  },

  // ---------------------------------------------------------------- indexes
  {
    id: 'add-index',
    description: 'AddIndex on title without CONCURRENTLY',
    rules: ['add-index'],
    source: D.squawkConcurrentIndex,
    pr: onePr(
      { bookMeta: ['indexes = [', '    models.Index(fields=["kind"], name="book_kind_idx"),', '    models.Index(fields=["title"], name="book_title_idx"),', ']'] },
      '0002_book_book_title_idx',
      { operations: ["migrations.AddIndex(\n    model_name='book',\n    index=models.Index(fields=['title'], name='book_title_idx'),\n)"] }
    ),
    labels: {
      'shop.0002_book_book_title_idx': {
        safe: false,
        severity: 'warning',
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: SHARE },
        justification: `Plain CREATE INDEX "locks out writes (but not reads) on the table until it's done" (${D.pgIndexConcurrently}); it takes SHARE (${D.pgLocks}). Use AddIndexConcurrently (${D.concurrentIndex}).`
      }
    }
  },
  {
    id: 'add-index-concurrently',
    description: 'AddIndexConcurrently in a non-atomic migration',
    rules: ['add-index', 'concurrent-in-atomic'],
    pr: onePr(
      { bookMeta: ['indexes = [', '    models.Index(fields=["kind"], name="book_kind_idx"),', '    models.Index(fields=["title"], name="book_title_idx"),', ']'] },
      '0002_book_book_title_idx',
      {
        atomic: false,
        imports: ['from django.contrib.postgres.operations import AddIndexConcurrently'],
        operations: ["AddIndexConcurrently(\n    model_name='book',\n    index=models.Index(fields=['title'], name='book_title_idx'),\n)"]
      }
    ),
    labels: {
      'shop.0002_book_book_title_idx': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: SUE },
        justification: `CREATE INDEX CONCURRENTLY builds "without taking any locks that prevent concurrent inserts, updates, or deletes" (${D.pgIndexConcurrently}); it takes SHARE UPDATE EXCLUSIVE (${D.pgLocks}). Supported in a migration with atomic = False (${D.concurrentIndex}); reversed with DROP INDEX CONCURRENTLY.`
      }
    }
  },
  {
    id: 'concurrent-in-atomic',
    description: 'AddIndexConcurrently in an atomic migration',
    rules: ['concurrent-in-atomic'],
    pr: onePr(
      { bookMeta: ['indexes = [', '    models.Index(fields=["kind"], name="book_kind_idx"),', '    models.Index(fields=["title"], name="book_title_idx"),', ']'] },
      '0002_book_book_title_idx',
      {
        imports: ['from django.contrib.postgres.operations import AddIndexConcurrently'],
        operations: ["AddIndexConcurrently(\n    model_name='book',\n    index=models.Index(fields=['title'], name='book_title_idx'),\n)"]
      }
    ),
    labels: {
      'shop.0002_book_book_title_idx': failsToApply(
        `Django's concurrent index operations are not supported inside a transaction and need a non-atomic migration (${D.concurrentIndex}; ${D.nonAtomic}); PostgreSQL refuses CREATE INDEX CONCURRENTLY in a transaction block (${D.pgIndexConcurrently}).`
      )
    }
  },
  {
    id: 'remove-index',
    description: 'RemoveIndex without CONCURRENTLY',
    rules: ['remove-index'],
    source: D.squawkDropIndex,
    pr: onePr({ bookMeta: [] }, '0002_remove_book_book_kind_idx', {
      operations: ["migrations.RemoveIndex(\n    model_name='book',\n    name='book_kind_idx',\n)"]
    }),
    labels: {
      'shop.0002_remove_book_book_kind_idx': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `"A normal DROP INDEX acquires an ACCESS EXCLUSIVE lock on the table" (${D.pgDropIndex}) but only for the catalog change, like ADD COLUMN; no data or query result changes. The reverse rebuilds the index (${D.removeIndex}). (squawk prefers CONCURRENTLY to avoid queueing behind long queries: ${D.squawkDropIndex}.)`
      }
    }
  },
  {
    id: 'remove-index-concurrently',
    description: 'RemoveIndexConcurrently in a non-atomic migration',
    rules: ['remove-index', 'concurrent-in-atomic'],
    pr: onePr({ bookMeta: [] }, '0002_remove_book_book_kind_idx', {
      atomic: false,
      imports: ['from django.contrib.postgres.operations import RemoveIndexConcurrently'],
      operations: ["RemoveIndexConcurrently(\n    model_name='book',\n    name='book_kind_idx',\n)"]
    }),
    labels: {
      'shop.0002_remove_book_book_kind_idx': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        justification: `DROP INDEX CONCURRENTLY drops "without locking out concurrent selects, inserts, updates, and deletes" (${D.pgDropIndex}); supported with atomic = False (${D.concurrentIndex}). The reverse is CREATE INDEX CONCURRENTLY.`
      }
    }
  },

  // ---------------------------------------------------------------- unique / check / FK constraints
  {
    id: 'add-unique-duplicates',
    description: 'AlterField title unique=True on a column the base code lets repeat',
    rules: ['add-unique'],
    source: D.squawkUnique,
    pr: onePr({ book: { title: 'models.CharField(max_length=100, unique=True)' } }, '0002_alter_book_title', {
      operations: [alterField('title', 'models.CharField(max_length=100, unique=True)')]
    }),
    labels: {
      'shop.0002_alter_book_title': failsToApply(
        `The base model lets titles repeat; adding a unique constraint checks the existing rows and fails on duplicates (${D.pgUnique}, ${D.pgAlterTable}; ${D.unique}).`
      )
    }
  },
  {
    id: 'add-unique-together-duplicates',
    description: 'AlterUniqueTogether (title, author) on rows that may repeat',
    rules: ['add-unique'],
    source: `${D.linter}/app_unique_together`,
    pr: onePr(
      { bookMeta: ['indexes = [models.Index(fields=["kind"], name="book_kind_idx")]', 'unique_together = [("title", "author")]'] },
      '0002_alter_book_unique_together',
      { operations: ["migrations.AlterUniqueTogether(\n    name='book',\n    unique_together={('title', 'author')},\n)"] }
    ),
    labels: {
      'shop.0002_alter_book_unique_together': failsToApply(
        `ADD CONSTRAINT ... UNIQUE (title, author_id) fails when two base rows share both values, which the base model allows (${D.pgUnique}; ${D.alterUniqueTogether}).`
      )
    }
  },
  {
    id: 'add-unique-constraint-uuid4',
    description: 'AddConstraint UniqueConstraint on code, a column the base code fills only with uuid4',
    rules: ['add-unique'],
    pr: onePr(
      { bookMeta: ['indexes = [models.Index(fields=["kind"], name="book_kind_idx")]', 'constraints = [models.UniqueConstraint(fields=["code"], name="book_code_uniq")]'] },
      '0002_book_book_code_uniq',
      { operations: ["migrations.AddConstraint(\n    model_name='book',\n    constraint=models.UniqueConstraint(fields=('code',), name='book_code_uniq'),\n)"] }
    ),
    labels: {
      'shop.0002_book_book_code_uniq': {
        safe: false,
        severity: 'warning',
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `code is editable=False with default=uuid.uuid4, the generator Django recommends for UUIDField (${D.uuidField}): the base code never repeats a value, so the constraint applies and the old code's INSERTs (fresh uuid4) pass (policy: generator-filled columns, README). But ALTER TABLE ADD CONSTRAINT UNIQUE builds the index under ACCESS EXCLUSIVE (${D.pgAlterTable}), blocking reads and writes for the whole build (${D.squawkUnique}).`
      }
    }
  },
  {
    id: 'add-check-constraint',
    description: 'AddConstraint CheckConstraint(pages >= 0) over rows that may be negative',
    rules: ['add-check-constraint'],
    source: D.squawkNotValid,
    pr: onePr(
      { bookMeta: ['indexes = [models.Index(fields=["kind"], name="book_kind_idx")]', 'constraints = [models.CheckConstraint(condition=models.Q(pages__gte=0), name="book_pages_gte_0")]'] },
      '0002_book_book_pages_gte_0',
      { operations: ["migrations.AddConstraint(\n    model_name='book',\n    constraint=models.CheckConstraint(condition=models.Q(('pages__gte', 0)), name='book_pages_gte_0'),\n)"] }
    ),
    labels: {
      'shop.0002_book_book_pages_gte_0': failsToApply(
        `ADD CONSTRAINT ... CHECK "will cause a scan of the table to verify that all existing rows in the table satisfy the new constraint" (${D.pgAlterTable}); the base IntegerField allows negative values (${D.integerField}), so it fails on them (${D.pgCheck}).`
      )
    }
  },
  {
    id: 'add-check-on-new-column',
    description: 'AddField nullable + AddConstraint CHECK on it in one migration: applies, but validates by scanning under ACCESS EXCLUSIVE',
    rules: ['add-check-constraint', 'add-field-nullable'],
    pr: onePr(
      {
        book: { discount: 'models.DecimalField(max_digits=5, decimal_places=2, null=True)' },
        bookMeta: ['indexes = [models.Index(fields=["kind"], name="book_kind_idx")]', 'constraints = [models.CheckConstraint(condition=models.Q(discount__gte=0), name="book_discount_gte_0")]']
      },
      '0002_book_discount_book_book_discount_gte_0',
      {
        operations: [
          addField('discount', 'models.DecimalField(decimal_places=2, max_digits=5, null=True)'),
          "migrations.AddConstraint(\n    model_name='book',\n    constraint=models.CheckConstraint(condition=models.Q(('discount__gte', 0)), name='book_discount_gte_0'),\n)"
        ]
      }
    ),
    labels: {
      'shop.0002_book_discount_book_book_discount_gte_0': {
        safe: false,
        severity: 'warning',
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `Every row is NULL and "a check constraint is satisfied if the check expression evaluates to true or the null value" (${D.pgCheck}), so it applies and the old code (which writes NULL) is fine. The validation still scans the whole table under ALTER TABLE's ACCESS EXCLUSIVE (${D.pgAlterTable}); NOT VALID + VALIDATE avoids that (${D.squawkNotValid}).`
      }
    }
  },

  // ---------------------------------------------------------------- data migrations
  {
    id: 'run-python-with-reverse',
    description: 'CreateModel, then a RunPython that inserts rows into it with a reverse that deletes them',
    rules: ['add-model', 'run-python-irreversible', 'run-python-opaque'],
    pr: {
      'shop/models.py': shopModels({
        extra: `class ShippingRate(models.Model):
    name = models.CharField(max_length=50)
    amount = models.DecimalField(max_digits=6, decimal_places=2)`
      }),
      ...shopMigration('0002_shippingrate', {
        operations: [
          `migrations.CreateModel(
    name='ShippingRate',
    fields=[
        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
        ('name', models.CharField(max_length=50)),
        ('amount', models.DecimalField(decimal_places=2, max_digits=6)),
    ],
)`
        ]
      }),
      'shop/migrations/0003_default_shipping_rates.py': migrationSource({
        dependencies: [['shop', '0002_shippingrate']],
        preamble: `def add_rates(apps, schema_editor):
    ShippingRate = apps.get_model("shop", "ShippingRate")
    ShippingRate.objects.bulk_create(
        [
            ShippingRate(name="standard", amount=Decimal("4.90")),
            ShippingRate(name="express", amount=Decimal("9.90")),
        ]
    )


def remove_rates(apps, schema_editor):
    ShippingRate = apps.get_model("shop", "ShippingRate")
    ShippingRate.objects.filter(name__in=["standard", "express"]).delete()`,
        imports: ['from decimal import Decimal'],
        operations: ['migrations.RunPython(add_rates, remove_rates)']
      })
    },
    labels: {
      'shop.0002_shippingrate': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        justification: `A new table (${D.createModel}); nothing existing changes.`
      },
      'shop.0003_default_shipping_rates': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: NONE },
        justification: `Inserts two rows into a table created by this PR; reverse_code deletes exactly them, so the migration is reversible (${D.runPython}, whose example is this pattern). No base row is touched.`
      }
    }
  },
  {
    id: 'run-python-no-reverse',
    description: 'RunPython without reverse_code that adds a row',
    rules: ['run-python-irreversible'],
    pr: onePr({}, '0002_anonymous_author', {
      preamble: `def add_anonymous_author(apps, schema_editor):
    Author = apps.get_model("shop", "Author")
    Author.objects.get_or_create(name="Anonymous")`,
      operations: ['migrations.RunPython(add_anonymous_author)']
    }),
    labels: {
      'shop.0002_anonymous_author': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: false,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: NONE },
        justification: `"If reverse_code is None (the default), the RunPython operation is irreversible" (${D.runPython}); going back raises IrreversibleError (${D.reversing}). It only adds an Author row: no schema change, nothing lost.`
      }
    }
  },
  {
    id: 'run-python-delete-kind',
    description: 'RunPython that deletes the books of one choices kind ("ebook"), reverse noop',
    rules: ['run-python-irreversible', 'run-python-opaque'],
    pr: onePr({}, '0002_delete_ebooks', {
      preamble: `def delete_ebooks(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    Book.objects.filter(kind="ebook").delete()`,
      operations: ['migrations.RunPython(delete_ebooks, migrations.RunPython.noop)']
    }),
    labels: {
      'shop.0002_delete_ebooks': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: true,
        rewritesTable: false,
        locks: { shop_book: RE },
        justification: `"ebook" is one of the base model's choices (${D.choices}), so a base table holds such rows; QuerySet.delete() removes them (${D.querysetDelete}) and the noop reverse (${D.runPython}) does not bring them back. DELETE takes ROW EXCLUSIVE (${D.pgLocks}); the old code keeps working.`
      }
    }
  },
  {
    id: 'run-python-overflow',
    description: 'RunPython pages = pages + 1 (reverse pages - 1) on rows that may hold the largest integer',
    rules: ['run-python-irreversible', 'run-python-opaque'],
    pr: onePr({}, '0002_bump_pages', {
      imports: ['from django.db.models import F'],
      preamble: `def bump_pages(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    Book.objects.update(pages=F("pages") + 1)


def unbump_pages(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    Book.objects.update(pages=F("pages") - 1)`,
      operations: ['migrations.RunPython(bump_pages, unbump_pages)']
    }),
    labels: {
      'shop.0002_bump_pages': failsToApply(
        `IntegerField holds values up to 2147483647 (${D.integerField}); F("pages") + 1 is computed by the database (${D.fExpressions}, ${D.querysetUpdate}) in integer arithmetic, which raises "integer out of range" past that (${D.pgInt}).`
      )
    }
  },
  {
    id: 'run-python-truncate-then-shorten',
    description: 'RunPython truncates titles to 50 characters, then AlterField shortens the column to 50 (the loss belongs to the RunPython)',
    rules: ['run-python-irreversible', 'alter-field-type'],
    pr: {
      'shop/models.py': shopModels({ book: { title: 'models.CharField(max_length=50)' } }),
      ...shopMigration('0002_truncate_titles', {
        preamble: `def truncate_titles(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    for book in Book.objects.all():
        if len(book.title) > 50:
            book.title = book.title[:50]
            book.save(update_fields=["title"])`,
        operations: ['migrations.RunPython(truncate_titles, migrations.RunPython.noop)']
      }),
      'shop/migrations/0003_alter_book_title.py': migrationSource({
        dependencies: [['shop', '0002_truncate_titles']],
        operations: [alterField('title', 'models.CharField(max_length=50)')]
      })
    },
    labels: {
      'shop.0002_truncate_titles': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: true,
        rewritesTable: false,
        locks: { shop_book: RE },
        justification: `Overwrites titles longer than 50 characters with their first 50; the noop reverse (${D.runPython}) does not restore them: this migration loses the data. Row UPDATEs take ROW EXCLUSIVE (${D.pgLocks}).`
      },
      'shop.0003_alter_book_title': {
        safe: false,
        severity: 'unsafe',
        applies: true,
        backwardCompatible: false,
        reversible: true,
        dataLoss: false,
        rewritesTable: true,
        locks: { shop_book: AE },
        justification: `After 0002 every title fits, so it applies and changes no value (the loss is 0002's). Shortening a varchar is not binary coercible (only "increasing the length limit" avoids the rewrite: ${D.pg92}, ${D.pgAlterTableNotes}). The old model still writes up to 100 characters, which now fail with "value too long" (${D.pgChar}). Widening back in the reverse always works.`
      }
    }
  },
  {
    id: 'run-python-lossy-reverse',
    description: "RunPython note NULL -> '' with a reverse '' -> NULL: rows that held '' before come back NULL",
    rules: ['run-python-irreversible', 'run-python-opaque'],
    pr: onePr({}, '0002_empty_notes', {
      preamble: `def fill_notes(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    Book.objects.filter(note__isnull=True).update(note="")


def clear_notes(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    Book.objects.filter(note="").update(note=None)`,
      operations: ['migrations.RunPython(fill_notes, clear_notes)']
    }),
    labels: {
      'shop.0002_empty_notes': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: true,
        rewritesTable: false,
        locks: { shop_book: RE },
        justification: `The base field (null=True CharField) holds both NULL and '' (${D.fieldNull}: "two possible values for 'no data'"); forward turns NULLs into '', the reverse turns every '' into NULL (${D.querysetUpdate}), so a row that held '' before ends up NULL: the round trip changes values although the migration reverses without error (${D.runPython}).`
      }
    }
  },
  {
    id: 'run-sql-with-reverse',
    description: 'RunSQL CREATE VIEW with reverse_sql DROP VIEW',
    rules: ['run-sql-irreversible'],
    pr: onePr({}, '0002_book_summary_view', {
      operations: [
        `migrations.RunSQL(
    sql='CREATE VIEW shop_book_summary AS SELECT id, title, pages FROM shop_book',
    reverse_sql='DROP VIEW shop_book_summary',
)`
      ]
    }),
    labels: {
      'shop.0002_book_summary_view': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        justification: `"The reverse_sql queries are executed when the migration is unapplied" (${D.runSql}); a view stores no data (${D.pgCreateView}).`
      }
    }
  },
  {
    id: 'run-sql-no-reverse',
    description: 'RunSQL that trims every title, without reverse_sql',
    rules: ['run-sql-irreversible'],
    pr: onePr({}, '0002_trim_titles', {
      operations: ["migrations.RunSQL(\n    'UPDATE shop_book SET title = btrim(title)',\n)"]
    }),
    labels: {
      'shop.0002_trim_titles': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: false,
        dataLoss: true,
        rewritesTable: false,
        locks: { shop_book: RE },
        justification: `"If reverse_sql is None (the default), the RunSQL operation is irreversible" (${D.runSql}). btrim removes leading and trailing spaces (${D.pgTrim}), which the base CharField allows, so those values change for good. UPDATE takes ROW EXCLUSIVE (${D.pgLocks}).`
      }
    }
  },
  {
    id: 'mixed-schema-and-data',
    description: 'AddField + RunPython filling it in the same (atomic) migration',
    rules: ['mixed-schema-and-data', 'add-field-nullable', 'run-python-irreversible'],
    source: `${D.linter}/app_mixed_runpython_operations`,
    pr: onePr({ book: { slug: 'models.SlugField(max_length=255, null=True, db_index=False)' } }, '0002_book_slug', {
      imports: ['from django.utils.text import slugify'],
      preamble: `def fill_slugs(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    for book in Book.objects.all():
        book.slug = slugify(book.title)
        book.save(update_fields=["slug"])`,
      operations: [
        addField('slug', 'models.SlugField(db_index=False, max_length=255, null=True)'),
        'migrations.RunPython(fill_slugs, migrations.RunPython.noop)'
      ]
    }),
    labels: {
      'shop.0002_book_slug': {
        safe: false,
        severity: 'warning',
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `Django runs the whole migration in one transaction on PostgreSQL and advises against combining schema changes and RunPython (${D.runPython}); "Once acquired, a lock is normally held until the end of the transaction" (${D.pgLocks}), so ADD COLUMN's ACCESS EXCLUSIVE blocks every read and write of shop_book while the RunPython updates each row. Alone, both parts would be safe.`
      }
    }
  },

  // ---------------------------------------------------------------- model options
  {
    id: 'alter-model-options',
    description: 'AlterModelOptions (ordering): state only',
    rules: [],
    pr: onePr(
      { bookMeta: ['ordering = ["title"]', 'indexes = [models.Index(fields=["kind"], name="book_kind_idx")]'] },
      '0002_alter_book_options',
      { operations: ["migrations.AlterModelOptions(\n    name='book',\n    options={'ordering': ['title']},\n)"] }
    ),
    labels: {
      'shop.0002_alter_book_options': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: NONE },
        justification: `AlterModelOptions "Does not affect the database" (${D.alterModelOptions}).`
      }
    }
  },

  // ---------------------------------------------------------------- squash
  {
    id: 'squash-replaced-applied',
    description: 'a squashed migration added while the migrations it replaces are applied',
    rules: ['add-field-nullable'],
    base: {
      'shop/models.py': shopModels({ book: { subtitle: 'models.CharField(max_length=200, null=True)', isbn: 'models.CharField(max_length=13, null=True)' } }),
      ...shopMigration('0002_book_subtitle', { operations: [addField('subtitle', 'models.CharField(max_length=200, null=True)')] }),
      'shop/migrations/0003_book_isbn.py': migrationSource({
        dependencies: [['shop', '0002_book_subtitle']],
        operations: [addField('isbn', 'models.CharField(max_length=13, null=True)')]
      })
    },
    pr: {
      'shop/migrations/0002_book_subtitle_squashed_0003_book_isbn.py': migrationSource({
        replaces: [
          ['shop', '0002_book_subtitle'],
          ['shop', '0003_book_isbn']
        ],
        dependencies: AFTER_0001,
        operations: [addField('subtitle', 'models.CharField(max_length=200, null=True)'), addField('isbn', 'models.CharField(max_length=13, null=True)')]
      })
    },
    labels: {
      'shop.0002_book_subtitle_squashed_0003_book_isbn': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: null,
        rewritesTable: false,
        locks: { shop_book: NONE },
        justification: `Squashed migrations "can coexist with the old migration files, and Django will intelligently switch between them": where the replaced ones are applied, the squash is marked applied and runs nothing (${D.squashing}). Deploying it changes no table. Migrating back past it reverses the replaced migrations (reversible: nullable AddFields), which drops base columns — a property of the base history, not of this PR, so dataLoss is left unlabelled.`
      }
    }
  },

  // ---------------------------------------------------------------- multi-migration PR
  {
    id: 'multi-app-first-fails',
    description: 'shop 0002 fails on data (NOT NULL over NULLs); shop 0003 and library 0002 are independent of that failure',
    rules: ['alter-field-not-null', 'add-field-nullable'],
    pr: {
      'shop/models.py': shopModels({ book: { note: 'models.CharField(max_length=50)', subtitle: 'models.CharField(max_length=200, null=True)' } }),
      'library/models.py': libraryModels({ shelf: { location: 'models.CharField(max_length=100, null=True)' } }),
      ...shopMigration('0002_alter_book_note', { operations: [alterField('note', 'models.CharField(max_length=50)')] }),
      'shop/migrations/0003_book_subtitle.py': migrationSource({
        dependencies: [['shop', '0002_alter_book_note']],
        operations: [addField('subtitle', 'models.CharField(max_length=200, null=True)')]
      }),
      'library/migrations/0002_shelf_location.py': migrationSource({
        dependencies: [['library', '0001_initial']],
        operations: ["migrations.AddField(\n    model_name='shelf',\n    name='location',\n    field=models.CharField(max_length=100, null=True),\n)"]
      })
    },
    labels: {
      'shop.0002_alter_book_note': failsToApply(
        `SET NOT NULL on a column the base model allows NULL in (${D.fieldNull}) fails when a row holds NULL (${D.pgAlterTable}).`
      ),
      'shop.0003_book_subtitle': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        locks: { shop_book: AE },
        justification: `Its own operation is a nullable AddField on another column (${D.pgAddColumn}, ${D.removeField}): once 0002 is fixed it applies, breaks nothing and reverses. Its answers do not depend on 0002's data problem.`
      },
      'library.0002_shelf_location': {
        safe: true,
        applies: true,
        backwardCompatible: true,
        reversible: true,
        dataLoss: false,
        rewritesTable: false,
        table: 'library_shelf',
        locks: { library_shelf: AE },
        justification: `A nullable AddField in another app that depends only on library.0001 (${D.pgAddColumn}): it applies and reverses whatever happens to shop.0002.`
      }
    }
  }
]


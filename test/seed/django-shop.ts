// A shop app whose schema Django's own `makemigrations` and `migrate` create on
// the test server, for the tests that read, seed and compare a Django schema:
// identity ids, varchar(n), foreign keys DEFERRABLE INITIALLY DEFERRED with
// their indexes, CHECKs from PositiveIntegerField and from Meta.constraints,
// hashed constraint names, a many-to-many through table, a one-to-one, two
// self-references, an expression unique index and a partial unique index.
import { execFile } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import type { PostgresServer } from '../../src/postgres/types.js'
import { newestDjango } from '../support/python-envs.js'

const run = promisify(execFile)

export const SHOP_MODELS = `
import django
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Upper

models.CharField.register_lookup(Length)


def check(q, name):
    # Django 5.1 renamed check= to condition= (and 6.0 removed check=).
    if django.VERSION >= (5, 1):
        return models.CheckConstraint(condition=q, name=name)
    return models.CheckConstraint(check=q, name=name)


class Country(models.Model):
    id = models.AutoField(primary_key=True)
    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=60)


class Author(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField(unique=True)
    bio = models.TextField(null=True)
    born = models.DateField(null=True)
    country = models.ForeignKey(Country, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(Upper("name"), name="shop_author_name_upper_uniq")]


class Genre(models.Model):
    name = models.CharField(max_length=40)
    parent = models.ForeignKey("self", null=True, on_delete=models.SET_NULL)


class Book(models.Model):
    title = models.CharField(max_length=200, db_index=True)
    subtitle = models.CharField(max_length=50, null=True)
    pages = models.PositiveIntegerField()
    rating = models.PositiveSmallIntegerField(null=True)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    weight = models.FloatField(null=True)
    in_print = models.BooleanField()
    isbn = models.CharField(max_length=13, unique=True)
    published = models.DateTimeField(null=True)
    released_on = models.DateField(null=True)
    starts_at = models.TimeField(null=True)
    reading_time = models.DurationField(null=True)
    uid = models.UUIDField(unique=True)
    metadata = models.JSONField(null=True)
    tags = ArrayField(models.CharField(max_length=20), null=True)
    chapters = ArrayField(models.IntegerField(), null=True)
    cover = models.BinaryField(null=True)
    server_ip = models.GenericIPAddressField(null=True)
    sales = models.BigIntegerField()
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    genre = models.ForeignKey(Genre, null=True, on_delete=models.SET_NULL)
    series = models.ForeignKey("self", null=True, on_delete=models.SET_NULL)
    readers = models.ManyToManyField(Author, related_name="read_books")


class Profile(models.Model):
    nickname = models.CharField(max_length=30)
    author = models.OneToOneField(Author, on_delete=models.CASCADE)


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    reviewer = models.CharField(max_length=30)
    score = models.SmallIntegerField()
    featured = models.BooleanField()
    body = models.TextField()

    class Meta:
        unique_together = [("book", "reviewer")]
        constraints = [
            check(Q(score__gte=1, score__lte=5), "score_between_1_and_5"),
            check(~Q(body=""), "body_not_empty"),
            models.UniqueConstraint(fields=["book"], condition=Q(featured=True), name="one_featured_review_per_book"),
        ]


class Sale(models.Model):
    starts = models.DateField()
    ends = models.DateField()
    percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            check(Q(ends__gt=F("starts")), "sale_ends_after_start"),
            check(Q(percent__gt=0, percent__lte=100), "sale_percent_range"),
        ]


class Coupon(models.Model):
    code = models.CharField(max_length=10)
    note = models.TextField(null=True)

    class Meta:
        # A check whose expression (LENGTH) the seeder cannot read.
        constraints = [check(Q(code__length__lte=3), "coupon_code_short")]


class Note(models.Model):
    title = models.CharField(max_length=100, db_index=True)
    note = models.TextField(null=True)
    pages = models.IntegerField()
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
`

/** The tables Django creates for SHOP_MODELS (all but django_migrations), sorted. */
export const SHOP_TABLES = [
  'shop_author',
  'shop_book',
  'shop_book_readers',
  'shop_country',
  'shop_coupon',
  'shop_genre',
  'shop_note',
  'shop_profile',
  'shop_review',
  'shop_sale'
]

const SETTINGS = (server: PostgresServer, database: string): string => {
  const { host, port, user, password, database: name } = server.connection(database)
  return [
    'SECRET_KEY = "test"',
    'INSTALLED_APPS = ["django.contrib.postgres", "shop"]',
    `DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": ${JSON.stringify(name)}, "HOST": ${JSON.stringify(host)}, "PORT": ${port}, "USER": ${JSON.stringify(user)}, "PASSWORD": ${JSON.stringify(password ?? '')}}}`,
    'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"',
    'USE_TZ = True',
    ''
  ].join('\n')
}

// One migrated database per server; every caller gets its own copy.
const migrated = new WeakMap<PostgresServer, Promise<string>>()

async function migrateShop(server: PostgresServer): Promise<string> {
  const database = await server.createDatabase({ label: 'django_shop' })
  const project = mkdtempSync(join(tmpdir(), 'dmr-django-shop-'))
  try {
    const files: Record<string, string> = {
      'project/__init__.py': '',
      'project/settings.py': SETTINGS(server, database),
      'shop/__init__.py': '',
      'shop/models.py': SHOP_MODELS,
      'shop/migrations/__init__.py': ''
    }
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(project, path)), { recursive: true })
      writeFileSync(join(project, path), text)
    }
    const env = { ...process.env, DJANGO_SETTINGS_MODULE: 'project.settings', PYTHONPATH: project }
    const django = (...args: string[]) => run(newestDjango().python, ['-m', 'django', ...args], { cwd: project, env })
    await django('makemigrations', 'shop', '--verbosity', '0')
    await django('migrate', '--verbosity', '0')
    return database
  } finally {
    rmSync(project, { recursive: true, force: true })
  }
}

/**
 * A new database on `server` with the shop schema exactly as Django's migrate
 * created it (Django migrates once per server; each call copies that database).
 */
export async function djangoShopDatabase(server: PostgresServer, label: string): Promise<string> {
  let template = migrated.get(server)
  if (template === undefined) {
    template = migrateShop(server)
    migrated.set(server, template)
  }
  return server.createDatabase({ template: await template, label })
}

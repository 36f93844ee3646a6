"""The tracer's handling of SQL without a database: statement objects of any
shape, statement classification, lock naming, parameter shortening."""
import unittest

from dmr_helper.tests.support import needs_zdm  # configures Django first

from django.db.backends.ddl_references import Columns, Statement, Table

from dmr_helper import tracing
from dmr_helper.tracing import _named, _short_params, sql_text, statement_texts


def quote(name):
    return '"%s"' % name


class NotAString:
    def __str__(self):
        return 42


class Exploding:
    def __str__(self):
        raise AttributeError("'Thing' object has no attribute 'rstrip'")


class HoldsSql:
    """Like a backend's lock-annotated statement: the text in .sql, a __str__ that cannot be trusted."""

    def __init__(self, sql):
        self.sql = sql

    def __str__(self):
        return self


class StatementTextsTest(unittest.TestCase):
    def test_strings_and_bytes(self):
        self.assertEqual(statement_texts("SELECT 1"), ["SELECT 1"])
        self.assertEqual(statement_texts(b"SELECT '\xc3\xa9'"), ["SELECT 'é'"])
        self.assertEqual(statement_texts(None), [])

    def test_django_statement_renders_its_parts(self):
        statement = Statement(
            "CREATE INDEX %(name)s ON %(table)s (%(columns)s)",
            name=quote("book_title_idx"),
            table=Table("shop_book", quote),
            columns=Columns("shop_book", ["title"], quote),
        )
        self.assertEqual(statement_texts(statement), ['CREATE INDEX "book_title_idx" ON "shop_book" ("title")'])
        self.assertEqual(sql_text(statement), str(statement))

    def test_lists_and_objects_holding_their_text(self):
        statement = Statement([HoldsSql("ALTER TABLE %(table)s ADD x int"), "ANALYZE %(table)s"], table=Table("t", quote))
        self.assertEqual(statement_texts(statement), ['ALTER TABLE "t" ADD x int', 'ANALYZE "t"'])
        self.assertEqual(sql_text(statement), 'ALTER TABLE "t" ADD x int;\nANALYZE "t"')

    def test_objects_whose_str_fails_never_raise(self):
        self.assertEqual(statement_texts(NotAString()), [])
        self.assertEqual(statement_texts(Exploding()), [])
        self.assertEqual(sql_text(NotAString()), "<NotAString object>")
        self.assertEqual(sql_text(Statement(NotAString(), table="t")), "<Statement object>")

    def test_a_template_that_does_not_take_its_parts_is_kept_as_written(self):
        self.assertEqual(statement_texts(Statement("SELECT %(missing)s", table="t")), ["SELECT %(missing)s"])

    def test_cycles_end(self):
        loop = []
        loop.append(loop)
        self.assertEqual(statement_texts(loop), [])


@needs_zdm
class ZeroDowntimeObjectsTest(unittest.TestCase):
    """The objects django-pg-zero-downtime-migrations queues in deferred_sql,
    on which str() raises (what the review reported as the migration failing)."""

    def setUp(self):
        from django_zero_downtime_migrations.backends.postgres.schema import DatabaseSchemaEditor

        self.editor = DatabaseSchemaEditor

    def test_a_foreign_key_is_two_statements_not_valid_then_validate(self):
        statement = Statement(
            self.editor.sql_create_fk,
            table=Table("shop_review", quote),
            name=quote("shop_review_book_id_fk"),
            column=Columns("shop_review", ["book_id"], quote),
            to_table=Table("shop_book", quote),
            to_column=Columns("shop_book", ["id"], quote),
            deferrable=" DEFERRABLE INITIALLY DEFERRED",
            on_delete_db="",
        )
        with self.assertRaisesRegex(TypeError, "__str__ returned non-string"):
            str(statement)
        self.assertEqual(
            statement_texts(statement),
            [
                'ALTER TABLE "shop_review" ADD CONSTRAINT "shop_review_book_id_fk" FOREIGN KEY ("book_id") '
                'REFERENCES "shop_book" ("id") DEFERRABLE INITIALLY DEFERRED NOT VALID',
                'ALTER TABLE "shop_review" VALIDATE CONSTRAINT "shop_review_book_id_fk"',
            ],
        )

    def test_a_not_null_is_four_statements(self):
        sql = self.editor._sql_column_not_null % {"table": '"shop_book"', "column": '"note"', "name": '"shop_book_note_notnull"'}
        with self.assertRaisesRegex(AttributeError, "rstrip"):
            str(sql)
        texts = statement_texts(sql)
        self.assertEqual(len(texts), 4)
        self.assertTrue(texts[0].endswith("CHECK (\"note\" IS NOT NULL) NOT VALID"), texts[0])
        self.assertEqual(texts[2], 'ALTER TABLE "shop_book" ALTER COLUMN "note" SET NOT NULL')

    def test_an_index_is_built_concurrently(self):
        statement = Statement(
            self.editor.sql_create_index,
            table=Table("shop_book", quote),
            name=quote("book_title_idx"),
            using="",
            columns=Columns("shop_book", ["title"], quote),
            extra="",
            condition="",
            include="",
        )
        self.assertTrue(statement_texts(statement)[0].startswith('CREATE INDEX CONCURRENTLY "book_title_idx" ON "shop_book"'))


class ClassificationTest(unittest.TestCase):
    def test_noise_is_catalog_reads_and_the_recorder(self):
        for sql in [
            "SELECT c.relname FROM pg_catalog.pg_class c",
            "SELECT 1 FROM information_schema.tables",
            "SELECT setting || unit FROM pg_settings WHERE name = 'lock_timeout'",
            'INSERT INTO "django_migrations" ("app", "name", "applied") VALUES (%s, %s, %s)',
        ]:
            self.assertTrue(tracing._NOISE.search(sql), sql)
        for sql in ['ALTER TABLE "shop_book" ADD COLUMN "isbn" varchar(13) NULL', 'SELECT "shop_book"."id" FROM "shop_book"']:
            self.assertFalse(tracing._NOISE.search(sql), sql)

    def test_statements_that_cannot_run_in_a_transaction(self):
        for sql in ['CREATE INDEX CONCURRENTLY "i" ON "t" ("c")', 'REINDEX INDEX CONCURRENTLY "i"', 'DROP INDEX CONCURRENTLY IF EXISTS "i"', "  vacuum analyze t", "ALTER SYSTEM SET x = 1", "CREATE DATABASE d"]:
            self.assertTrue(tracing._NO_TRANSACTION.search(sql), sql)
        for sql in ['CREATE INDEX "i" ON "t" ("c")', "ALTER TABLE t VALIDATE CONSTRAINT c", "SELECT 'vacuum'"]:
            self.assertFalse(tracing._NO_TRANSACTION.search(sql), sql)

    def test_read_only_statements(self):
        for sql in ["SELECT 1", "  select 1", "SET lock_timeout TO '2s'", "SHOW lock_timeout", "RESET ALL", "SAVEPOINT s1", "RELEASE SAVEPOINT s1"]:
            self.assertTrue(tracing._READ_ONLY.match(sql), sql)
        for sql in ["UPDATE t SET x = 1", "INSERT INTO t SELECT 1", "WITH x AS (DELETE FROM t RETURNING 1) SELECT 1", "SELECTED"]:
            self.assertFalse(tracing._READ_ONLY.match(sql), sql)


class NamedTest(unittest.TestCase):
    def test_names_a_dropped_relation_from_before_and_leaves_out_transient_ones(self):
        known = {16384: ("shop_book", 16384), 16390: ("shop_book_pkey", 16390)}
        locks = [("16384", "AccessExclusiveLock"), ("99999", "AccessExclusiveLock"), ("shop_author", "ShareLock")]
        self.assertEqual(_named(locks, known), [("shop_author", "ShareLock"), ("shop_book", "AccessExclusiveLock")])


class ShortParamsTest(unittest.TestCase):
    def test_shortens_long_values_and_keeps_eight(self):
        shown = _short_params(["x" * 200] + list(range(20)))
        self.assertEqual(len(shown), 8)
        self.assertEqual(shown[0], "'%s… (202 chars)" % ("x" * 59))
        self.assertEqual(shown[1:3], ["0", "1"])

    def test_named_parameters(self):
        self.assertEqual(_short_params({"a": None, "b": 1.5}), ["None", "1.5"])

    def test_values_whose_repr_fails_and_non_sequences(self):
        class Opaque:
            def __repr__(self):
                raise ValueError("no")

        self.assertEqual(_short_params([Opaque(), 1]), ["<Opaque>", "1"])
        self.assertIsNone(_short_params(42))


if __name__ == "__main__":
    unittest.main()

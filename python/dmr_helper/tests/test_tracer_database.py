"""The tracer on a real Postgres: migrations built in the test, applied the way
MigrationExecutor applies one (a schema editor, atomic or not, around
Migration.apply), with the tracer installed as run_one installs it."""
import time
import unittest

from dmr_helper.tests.support import needs_database, needs_zdm  # configures Django first

from django.db import connection, migrations, models
from django.db.migrations.state import ProjectState

from dmr_helper import database
from dmr_helper.tracing import StatementTracer, sql_text, watch_operations

APP = "dmrtest"


def migration(operations, atomic=True):
    built = migrations.Migration("0001_test", APP)
    built.operations = operations
    built.atomic = atomic
    return built


def run(built, editor_class=None):
    """Applies `built` as run_one does: (tracer, the exception it raised or None)."""
    tracer = StatementTracer(connection)
    undo = watch_operations(built, tracer)
    error = None
    try:
        with connection.execute_wrapper(tracer):
            if editor_class is None:
                editor = connection.schema_editor(atomic=built.atomic)
            else:
                editor = editor_class(connection, atomic=built.atomic)
            with editor:
                built.apply(ProjectState(), editor)
    except Exception as exc:  # noqa: BLE001 - the test looks at it
        error = exc
    finally:
        undo()
        tracer.finish()
    return tracer, error


def author_and_book():
    return [
        migrations.CreateModel("Author", [("id", models.BigAutoField(primary_key=True)), ("name", models.CharField(max_length=50))]),
        migrations.CreateModel(
            "Book",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("title", models.CharField(max_length=50)),
                ("author", models.ForeignKey("%s.Author" % APP, on_delete=models.CASCADE)),
            ],
        ),
    ]


def locks_of(statement):
    return {(lock["relation"], lock["mode"]) for lock in statement["locks"]}


def find(tracer, fragment):
    found = [statement for statement in tracer.statements if fragment in statement["sql"]]
    assert found, "no statement with %r in %s" % (fragment, [s["sql"] for s in tracer.statements])
    return found[0]


class DatabaseCase(unittest.TestCase):
    """A table dmrtest_base to migrate; every dmrtest* table dropped after."""

    def setUp(self):
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE dmrtest_base (id int PRIMARY KEY)")

    def tearDown(self):
        connection.close()
        raw = database.new_raw_connection(connection)
        try:
            tables = [row[0] for row in database.raw_query(raw, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'dmrtest%%'")]
            for table in tables:
                database.raw_query(raw, 'DROP TABLE IF EXISTS "%s" CASCADE' % table)
        finally:
            raw.close()


@needs_database
class TracerTest(DatabaseCase):
    def test_atomic_statements_are_credited_with_the_locks_they_acquired(self):
        tracer, error = run(
            migration(
                [
                    migrations.RunSQL("ALTER TABLE dmrtest_base ADD COLUMN x int"),
                    migrations.RunSQL("ALTER TABLE dmrtest_base ADD COLUMN y int"),
                    migrations.RunSQL("CREATE TABLE dmrtest_new (id int)"),
                ]
            )
        )
        self.assertIsNone(error)
        add_x, add_y, create = tracer.statements
        self.assertIn(("dmrtest_base", "AccessExclusiveLock"), locks_of(add_x))
        # Already held since the first ALTER: not acquired again.
        self.assertNotIn(("dmrtest_base", "AccessExclusiveLock"), locks_of(add_y))
        self.assertEqual({relation for relation, _ in locks_of(create)}, {"dmrtest_new"})
        self.assertEqual([s["operationIndex"] for s in tracer.statements], [0, 1, 2])
        self.assertTrue(all(s["inTransaction"] for s in tracer.statements))
        # One transaction: every lock held until its COMMIT.
        self.assertIsNotNone(tracer.commit_ms)
        self.assertEqual({s["heldUntilMs"] for s in tracer.statements}, {tracer.commit_ms})
        for before, after in zip(tracer.statements, tracer.statements[1:]):
            self.assertLessEqual(before["startMs"], before["endMs"])
            self.assertLessEqual(before["endMs"], after["startMs"])
        self.assertLessEqual(create["endMs"], tracer.commit_ms)
        self.assertLessEqual(tracer.commit_ms, tracer.end_ms)

    def test_non_sql_work_between_statements_keeps_the_locks_held(self):
        tracer, error = run(
            migration(
                [
                    migrations.RunSQL("ALTER TABLE dmrtest_base ADD COLUMN x int"),
                    migrations.RunPython(lambda apps, schema_editor: time.sleep(0.2)),
                    migrations.RunSQL("SELECT 1"),
                ]
            )
        )
        self.assertIsNone(error)
        alter, select = tracer.statements
        self.assertGreaterEqual(select["startMs"] - alter["endMs"], 195)
        self.assertEqual(alter["heldUntilMs"], tracer.commit_ms)
        self.assertGreaterEqual(tracer.commit_ms - alter["endMs"], 195)

    def test_outside_a_transaction_each_statement_holds_its_locks_while_it_runs(self):
        tracer, error = run(
            migration(
                [
                    migrations.RunSQL("ALTER TABLE dmrtest_base ADD COLUMN x int"),
                    migrations.RunSQL("ALTER TABLE dmrtest_base ADD COLUMN y int"),
                    migrations.RunSQL('CREATE INDEX CONCURRENTLY dmrtest_base_x ON dmrtest_base (x)'),
                ],
                atomic=False,
            )
        )
        self.assertIsNone(error)
        add_x, add_y, index = tracer.statements
        self.assertIn(("dmrtest_base", "AccessExclusiveLock"), locks_of(add_x))
        self.assertIn(("dmrtest_base", "AccessExclusiveLock"), locks_of(add_y))
        self.assertIn(("dmrtest_base", "ShareUpdateExclusiveLock"), locks_of(index))
        for statement in tracer.statements:
            self.assertFalse(statement["inTransaction"])
            self.assertEqual(statement["heldUntilMs"], statement["endMs"])
        self.assertIsNone(tracer.commit_ms)

    def test_a_transaction_one_operation_opens_in_a_non_atomic_migration(self):
        def alter_then_wait(apps, schema_editor):
            schema_editor.execute("ALTER TABLE dmrtest_base ADD COLUMN x int")
            time.sleep(0.1)

        tracer, error = run(
            migration(
                [migrations.RunPython(alter_then_wait, atomic=True), migrations.RunSQL("ALTER TABLE dmrtest_base ADD COLUMN y int")],
                atomic=False,
            )
        )
        self.assertIsNone(error)
        inside, outside = tracer.statements
        self.assertTrue(inside["inTransaction"])
        self.assertIn(("dmrtest_base", "AccessExclusiveLock"), locks_of(inside))
        # Held until that operation's own COMMIT, after its sleep, before the next statement.
        self.assertGreaterEqual(inside["heldUntilMs"] - inside["endMs"], 95)
        self.assertLessEqual(inside["heldUntilMs"], outside["startMs"])
        self.assertFalse(outside["inTransaction"])
        self.assertIsNone(tracer.commit_ms, "the migration itself ran outside a transaction")

    def test_a_failure_rolls_back_and_the_locks_go_with_the_rollback(self):
        tracer, error = run(
            migration(
                [
                    migrations.RunSQL("ALTER TABLE dmrtest_base ADD COLUMN x int"),
                    migrations.RunSQL("ALTER TABLE dmrtest_missing ADD COLUMN x int"),
                ]
            )
        )
        self.assertIsNotNone(error)
        alter, failed = tracer.statements
        self.assertEqual(tracer.error["sqlstate"], "42P01")
        self.assertEqual(tracer.error["operationIndex"], 1)
        self.assertEqual(failed["error"]["statement"], "ALTER TABLE dmrtest_missing ADD COLUMN x int")
        self.assertEqual(failed["locks"], [])
        self.assertIsNotNone(tracer.commit_ms, "the ROLLBACK ends the transaction")
        self.assertEqual(alter["heldUntilMs"], tracer.commit_ms)
        self.assertEqual(failed["heldUntilMs"], tracer.commit_ms)

    def test_deferred_sql_belongs_to_the_operation_that_queued_it_even_after_a_rename(self):
        # The foreign key of Book is deferred to the end; AlterModelTable rewrites
        # the queued statement's table name, so its text no longer matches the
        # text it had when it was queued.
        tracer, error = run(migration(author_and_book() + [migrations.AlterModelTable("Book", "dmrtest_volume")]))
        self.assertIsNone(error)
        foreign_key = find(tracer, "FOREIGN KEY")
        self.assertIn('"dmrtest_volume"', foreign_key["sql"])
        self.assertEqual(foreign_key["operationIndex"], 1)
        self.assertEqual(find(tracer, 'ALTER TABLE "dmrtest_book" RENAME TO "dmrtest_volume"')["operationIndex"], 2)

    def test_a_composable_statement_is_recorded_as_the_text_it_renders_to(self):
        try:
            from psycopg import sql
        except ImportError:
            from psycopg2 import sql
        connection.ensure_connection()
        composed = sql.SQL("ALTER TABLE {} ADD COLUMN x int").format(sql.Identifier("dmrtest_base"))
        self.assertEqual(sql_text(composed, connection.connection), 'ALTER TABLE "dmrtest_base" ADD COLUMN x int')


@needs_database
@needs_zdm
class ZeroDowntimeBackendTest(DatabaseCase):
    """The same tracer with django-pg-zero-downtime-migrations' schema editor:
    its SQL objects, its CONCURRENTLY and NOT VALID rewrites, no transaction."""

    def setUp(self):
        super().setUp()
        from django_zero_downtime_migrations.backends.postgres.schema import DatabaseSchemaEditor

        self.editor = DatabaseSchemaEditor
        self.combined_alters = connection.features.supports_combined_alters

    def tearDown(self):
        # Its schema editor turns this off on the connection's features for good.
        connection.features.supports_combined_alters = self.combined_alters
        super().tearDown()

    def test_deferred_objects_run_as_the_statements_the_backend_makes(self):
        operations = author_and_book() + [migrations.AddIndex("Author", models.Index(fields=["name"], name="dmrtest_author_name"))]
        tracer, error = run(migration(operations), editor_class=self.editor)
        self.assertIsNone(error, tracer.statements)
        self.assertIsNone(tracer.error)
        self.assertIsNone(tracer.commit_ms, "the backend's schema editor never opens a transaction")
        self.assertTrue(all(not s["inTransaction"] for s in tracer.statements))
        not_valid = find(tracer, "FOREIGN KEY")
        self.assertTrue(not_valid["sql"].endswith("NOT VALID"), not_valid["sql"])
        self.assertEqual(not_valid["operationIndex"], 1)
        self.assertEqual(find(tracer, "VALIDATE CONSTRAINT")["operationIndex"], 1)
        fk_index = find(tracer, 'ON "dmrtest_book" ("author_id")')
        self.assertTrue(fk_index["sql"].startswith("CREATE INDEX CONCURRENTLY"), fk_index["sql"])
        self.assertEqual(fk_index["operationIndex"], 1)
        self.assertIn(("dmrtest_book", "ShareUpdateExclusiveLock"), locks_of(fk_index))
        name_index = find(tracer, '"dmrtest_author_name"')
        self.assertTrue(name_index["sql"].startswith("CREATE INDEX CONCURRENTLY"), name_index["sql"])
        self.assertEqual(name_index["operationIndex"], 2)
        self.assertEqual([s["sql"] for s in tracer.statements if "pg_settings" in s["sql"]], [])

    def test_deferred_sql_belongs_to_the_operation_that_queued_it_even_after_a_rename(self):
        tracer, error = run(migration(author_and_book() + [migrations.AlterModelTable("Book", "dmrtest_volume")]), editor_class=self.editor)
        self.assertIsNone(error)
        self.assertEqual(find(tracer, "FOREIGN KEY")["operationIndex"], 1)
        self.assertEqual(find(tracer, "VALIDATE CONSTRAINT")["operationIndex"], 1)


if __name__ == "__main__":
    unittest.main()

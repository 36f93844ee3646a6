"""Model changes that no migration covers: what `makemigrations --check`
would find, without writing anything or touching a database. Each change says
whether it would alter the database (a column, a table, an index) or only
Django's state (choices, help_text, verbose_name, managers)."""
import os

from django.apps import apps
from django.db import connection
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
from django.db.migrations.state import ProjectState

STATE_ONLY = {"AlterModelOptions", "AlterModelManagers", "AlterModelTableComment"}
# Field attributes that never reach the database (Django < 4.1 has no Field.non_db_attrs).
NON_DB_ATTRS = {"blank", "choices", "db_column", "editable", "error_messages", "help_text", "limit_choices_to", "on_delete", "related_name", "related_query_name", "validators", "verbose_name"}


def _alters_database(operation, app, from_state):
    name = type(operation).__name__
    if name in STATE_ONLY:
        return False
    if name != "AlterField":
        return True
    try:
        # Bound fields (rendered models): the schema editor reads attributes only a model gives them.
        old = from_state.apps.get_model(app, operation.model_name)._meta.get_field(operation.name)
        new = apps.get_model(app, operation.model_name)._meta.get_field(operation.name)
    except (LookupError, KeyError, AttributeError):
        return True
    editor = connection.schema_editor()
    if hasattr(editor, "_field_should_be_altered") and hasattr(old, "non_db_attrs"):
        try:
            return editor._field_should_be_altered(old, new)
        except Exception:  # noqa: BLE001 - when in doubt, it changes the database
            return True
    _, old_path, old_args, old_kwargs = old.deconstruct()
    _, new_path, new_args, new_kwargs = new.deconstruct()
    for kwargs in (old_kwargs, new_kwargs):
        for attr in NON_DB_ATTRS:
            kwargs.pop(attr, None)
    return (old_path, old_args, old_kwargs) != (new_path, new_args, new_kwargs)


def missing_migrations(project_dir):
    """Changes per app, for the apps whose code lives under project_dir."""
    project_dir = os.path.realpath(project_dir)
    own = [
        config.label
        for config in apps.get_app_configs()
        if os.path.realpath(config.path).startswith(project_dir + os.sep)
    ]
    loader = MigrationLoader(None, ignore_no_migrations=True)
    from_state = loader.project_state()
    questioner = NonInteractiveMigrationQuestioner(specified_apps=set(own), dry_run=True)
    autodetector = MigrationAutodetector(from_state, ProjectState.from_apps(apps), questioner)
    changes = autodetector.changes(graph=loader.graph, trim_to_apps=set(own) or None, convert_apps=None, migration_name=None)
    result = []
    for app, migrations in sorted(changes.items()):
        if app not in own:
            continue
        operations = [operation for migration in migrations for operation in migration.operations]
        result.append(
            {
                "app": app,
                "operations": [operation.describe() for operation in operations],
                "databaseOperations": [operation.describe() for operation in operations if _alters_database(operation, app, from_state)],
            }
        )
    return result

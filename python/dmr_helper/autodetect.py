"""Model changes that no migration covers: what `makemigrations --check`
would find, without writing anything."""
import os

from django.apps import apps
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
from django.db.migrations.state import ProjectState


def missing_migrations(project_dir):
    """Changes per app, for the apps whose code lives under project_dir."""
    project_dir = os.path.realpath(project_dir)
    own = [
        config.label
        for config in apps.get_app_configs()
        if os.path.realpath(config.path).startswith(project_dir + os.sep)
    ]
    loader = MigrationLoader(None, ignore_no_migrations=True)
    questioner = NonInteractiveMigrationQuestioner(specified_apps=set(own), dry_run=True)
    autodetector = MigrationAutodetector(loader.project_state(), ProjectState.from_apps(apps), questioner)
    changes = autodetector.changes(graph=loader.graph, trim_to_apps=set(own) or None, convert_apps=None, migration_name=None)
    return [
        {"app": app, "operations": [operation.describe() for migration in migrations for operation in migration.operations]}
        for app, migrations in sorted(changes.items())
        if app in own
    ]

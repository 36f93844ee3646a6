"""Which migrations exist, as Django's own loader sees them: MIGRATION_MODULES,
AppConfig.label, sourceless modules and symlinks included. The static review
finds migrations by file name; this is the judge it is compared with.

No database is needed: MigrationLoader(None) reads the modules and builds the
graph as `makemigrations` does."""
import os
import sys

from django.apps import apps
from django.db.migrations.loader import MigrationLoader

from .errors import describe


def _migration_source(migration, module_file):
    """The text Django imported: the file itself, or, for a sourceless module,
    the migration written back out by Django's MigrationWriter."""
    if module_file and module_file.endswith(".py"):
        try:
            with open(module_file, encoding="utf-8") as handle:
                return handle.read(), None
        except OSError as error:
            return None, "the file could not be read: %s" % error
    try:
        from django.db.migrations.writer import MigrationWriter

        return MigrationWriter(migration).as_string(), None
    except Exception as error:  # noqa: BLE001 - an operation Django cannot serialize
        return None, "Django could not write this sourceless migration back out: %s" % describe(error)["message"]


def _inside(path, folder):
    return path == folder or path.startswith(folder + os.sep)


def disk_migrations(project_dir):
    project_dir = os.path.realpath(project_dir)
    loader = MigrationLoader(None, ignore_no_migrations=True, load=False)
    result = {"apps": [], "migrations": [], "leaves": [], "conflicts": {}, "replacements": {}, "graphError": None}
    try:
        loader.load_disk()
    except Exception as error:  # noqa: BLE001 - a module that does not import is the finding
        result["graphError"] = describe(error)
        return result
    for config in apps.get_app_configs():
        module_name, explicit = loader.migrations_module(config.label)
        result["apps"].append(
            {
                "label": config.label,
                "path": os.path.relpath(os.path.realpath(config.path), project_dir),
                "inProject": _inside(os.path.realpath(config.path), project_dir),
                "migrationsModule": module_name,
                "explicit": bool(explicit),
                "migrated": config.label in loader.migrated_apps,
            }
        )
    for (app_label, name), migration in sorted(loader.disk_migrations.items()):
        module = sys.modules.get(type(migration).__module__)
        module_file = getattr(module, "__file__", None)
        entry = {"app": app_label, "name": name, "module": type(migration).__module__}
        if module_file:
            absolute = os.path.abspath(module_file)
            real = os.path.realpath(module_file)
            entry["file"] = os.path.relpath(absolute, project_dir)
            entry["inProject"] = _inside(absolute, project_dir)
            entry["symlink"] = absolute != real and os.path.islink(absolute)
            entry["targetInProject"] = _inside(real, project_dir)
            entry["sourceless"] = not module_file.endswith(".py")
        source, reason = _migration_source(migration, module_file)
        entry["source"] = source
        if reason:
            entry["sourceUnavailable"] = reason
        entry["dependencies"] = [list(dependency) for dependency in migration.dependencies]
        entry["replaces"] = [list(key) for key in migration.replaces]
        result["migrations"].append(entry)
    try:
        loader.build_graph()
    except Exception as error:  # noqa: BLE001 - the graph does not load: that is the answer
        result["graphError"] = describe(error)
        return result
    result["leaves"] = ["%s.%s" % key for key in loader.graph.leaf_nodes()]
    result["conflicts"] = {app: sorted(names) for app, names in loader.detect_conflicts().items()}
    result["replacements"] = {
        "%s.%s" % key: ["%s.%s" % replaced for replaced in migration.replaces] for key, migration in loader.replacements.items()
    }
    return result

"""Entry point: `python -m dmr_helper`, with DJANGO_SETTINGS_MODULE pointing at
dmr_helper.settings_shim and DMR_USER_SETTINGS at the project's settings."""
import os
import sys
import traceback

from .errors import HelperError, describe
from .protocol import Channel


def start():
    """Imports Django and the project; errors name the input to set."""
    try:
        import django
    except ImportError as error:
        raise HelperError(
            "django-missing",
            "Django is not importable by %s (%s)" % (sys.executable, error),
        )
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        text = str(error)
        if "psycopg" in text:
            raise HelperError("driver-missing", "no PostgreSQL driver for Django in %s: %s" % (sys.executable, text))
        raise HelperError("settings", "the settings '%s' are not usable: %s" % (os.environ.get("DMR_USER_SETTINGS"), text))
    except Exception as error:  # noqa: BLE001 - any import error in the user's settings
        raise HelperError(
            "settings",
            "importing the settings '%s' failed: %s: %s"
            % (os.environ.get("DMR_USER_SETTINGS"), type(error).__name__, error),
        )
    from . import database

    database.install_timeouts()
    import platform

    from django.db import connection

    return {
        "django": django.get_version(),
        "python": platform.python_version(),
        "executable": sys.executable,
        "vendor": connection.vendor,
        "engine": connection.settings_dict["ENGINE"],
    }


def handle(method, params):
    from . import autodetect, database, migrations, probes

    if method == "leaves":
        return migrations.leaves()
    if method == "migrateToLeaves":
        return migrations.migrate_to_leaves()
    if method == "applied":
        return migrations.applied()
    if method == "apply":
        return migrations.run_one(params["app"], params["name"], backwards=False)
    if method == "unapply":
        return migrations.run_one(params["app"], params["name"], backwards=True)
    if method == "useDatabase":
        database.use_database(params["database"])
        return {"database": params["database"]}
    if method == "models":
        return probes.describe_models()
    if method == "probe":
        tables = params.get("tables")
        return probes.probe(set(tables) if tables is not None else None)
    if method == "missingMigrations":
        return autodetect.missing_migrations(params["projectDir"])
    if method == "closeConnections":
        from django.db import connections

        connections.close_all()
        return {}
    raise HelperError("protocol", "unknown method %r" % method)


def main():
    channel = Channel()
    try:
        info = start()
    except HelperError as error:
        channel.send({"id": 0, "error": {"kind": error.kind, "message": str(error)}})
        return 1
    channel.send({"id": 0, "result": info})
    for request in channel.requests():
        request_id = request.get("id")
        if request.get("method") == "shutdown":
            channel.send({"id": request_id, "result": {}})
            break
        try:
            result = handle(request.get("method"), request.get("params") or {})
            channel.send({"id": request_id, "result": result})
        except HelperError as error:
            channel.send({"id": request_id, "error": {"kind": error.kind, "message": str(error)}})
        except Exception as error:  # noqa: BLE001 - report, keep serving
            channel.send(
                {
                    "id": request_id,
                    "error": dict(describe(error), kind="exception", traceback=traceback.format_exc()[-4000:]),
                }
            )
    from django.db import connections

    connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())

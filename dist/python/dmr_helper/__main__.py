"""Entry point: `python -m dmr_helper`, with DJANGO_SETTINGS_MODULE pointing at
dmr_helper.settings_shim and DMR_USER_SETTINGS at the project's settings.

The requests it answers and its error kinds are listed once, in protocol.json,
which the TypeScript bridge reads too."""
import os
import sys
import traceback

from .errors import HelperError, describe
from .protocol import Channel, PROTOCOL


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
            missing_module=getattr(error, "name", None) if isinstance(error, ImportError) else None,
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


def _handlers():
    from . import autodetect, database, loader_view, migrations, probes

    def use_database(params):
        database.use_database(params["database"])
        return {"database": params["database"]}

    def close_connections(params):
        from django.db import connections

        connections.close_all()
        return {}

    tables = lambda params: set(params["tables"]) if params.get("tables") is not None else None  # noqa: E731
    return {
        "connect": lambda params: database.connect(params["database"]),
        "useDatabase": use_database,
        "closeConnections": close_connections,
        "diskMigrations": lambda params: loader_view.disk_migrations(params["projectDir"]),
        "missingMigrations": lambda params: autodetect.missing_migrations(params["projectDir"]),
        "plan": lambda params: migrations.plan(),
        "migrateToLeaves": lambda params: migrations.migrate_to_leaves(),
        "applied": lambda params: migrations.applied(),
        "apply": lambda params: migrations.run_one(params["app"], params["name"], backwards=False),
        "unapply": lambda params: migrations.run_one(params["app"], params["name"], backwards=True),
        "models": lambda params: probes.describe_models(),
        "probe": lambda params: probes.probe(tables(params)),
        "roundTrip": lambda params: probes.round_trip(tables(params)),
        "writeRows": lambda params: probes.write_rows(tables(params)),
    }


def main():
    channel = Channel()
    try:
        info = start()
    except HelperError as error:
        channel.send({"id": 0, "error": error.as_message()})
        return 1
    channel.send({"id": 0, "result": info})
    handlers = _handlers()
    missing = set(PROTOCOL["methods"]) - set(handlers) - {"shutdown"}
    if missing:
        raise RuntimeError("protocol.json lists methods the helper does not answer: %s" % sorted(missing))
    for request in channel.requests():
        request_id = request.get("id")
        method = request.get("method")
        if method == "shutdown":
            channel.send({"id": request_id, "result": {}})
            break
        try:
            handler = handlers.get(method)
            if handler is None:
                raise HelperError("protocol", "unknown method %r" % method)
            channel.send({"id": request_id, "result": handler(request.get("params") or {})})
        except HelperError as error:
            channel.send({"id": request_id, "error": error.as_message()})
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

"""Queries on the raw DB-API connection (never through Django's cursor, which
would re-enter the statement tracer), timeouts, and switching databases."""
import os

from django.db import connections
from django.db.backends.signals import connection_created

LOCK_TIMEOUT_MS = int(os.environ.get("DMR_LOCK_TIMEOUT_MS", "2000"))
STATEMENT_TIMEOUT_MS = int(os.environ.get("DMR_STATEMENT_TIMEOUT_MS", "60000"))

# Our own relations (pg_catalog, pg_toast) and the migration recorder are not
# what a migration locks on purpose.
OWN_LOCKS_SQL = """
SELECT DISTINCT COALESCE(c.relname, l.relation::text) AS relation, l.mode
FROM pg_locks l
LEFT JOIN pg_class c ON c.oid = l.relation
LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.pid = %s AND l.locktype = 'relation' AND l.granted
  AND (n.nspname IS NULL OR (n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'))
"""

FILENODES_SQL = """
SELECT c.oid, c.relname, c.relfilenode
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
  AND c.relkind IN ('r', 'i', 'm', 'p', 'I')
"""


def apply_timeouts(sender, connection, **kwargs):
    # Every statement of every connection, RunSQL and RunPython included: a
    # migration that waits on a lock or runs too long fails instead of hanging.
    with connection.connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = %s" % int(LOCK_TIMEOUT_MS))
        cursor.execute("SET statement_timeout = %s" % int(STATEMENT_TIMEOUT_MS))


def install_timeouts():
    connection_created.connect(apply_timeouts)


def raw_query(raw_connection, sql, params=()):
    cursor = raw_connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []
    finally:
        cursor.close()


def backend_pid(raw_connection):
    return raw_query(raw_connection, "SELECT pg_backend_pid()")[0][0]


def own_locks(raw_connection, pid):
    return sorted({(row[0], row[1]) for row in raw_query(raw_connection, OWN_LOCKS_SQL, (pid,))})


def filenodes(raw_connection):
    return {row[0]: (row[1], row[2]) for row in raw_query(raw_connection, FILENODES_SQL)}


def use_database(name):
    """Points every alias at another database of the same server."""
    for alias in connections:
        connection = connections[alias]
        connection.close()
        connection.settings_dict["NAME"] = name


def connect(params):
    """Points every alias at a database of another server (the process may have
    started before the server: the loader and the autodetector need none)."""
    for alias in connections:
        connection = connections[alias]
        connection.close()
        connection.settings_dict.update(
            {
                "NAME": params["database"],
                "USER": params["user"],
                "PASSWORD": params.get("password") or "",
                "HOST": params["host"],
                "PORT": str(params["port"]),
            }
        )
    return {"database": params["database"]}


def new_raw_connection(connection):
    """A second, independent driver connection (for sampling locks from outside)."""
    raw = connection.get_new_connection(connection.get_connection_params())
    raw.autocommit = True
    return raw

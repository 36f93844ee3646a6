"""Driving MigrationExecutor directly: Django starts once per process. One
migration at a time runs on the graph and project states project_states keeps
between requests; the rest builds a fresh executor (its view of applied
migrations is a snapshot of django_migrations)."""
import time

from django.db import connection
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.executor import MigrationExecutor

from . import project_states
from .errors import HelperError, describe
from .tracing import StatementTracer, watch_operations


def _executor():
    return MigrationExecutor(connection)


def migrate_to_leaves():
    """Migrates the current database to every leaf of this code's graph."""
    executor = _executor()
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    started = time.perf_counter()
    try:
        executor.migrate(targets, plan=plan)
    except Exception as error:  # noqa: BLE001 - any failure of the base's own migrations
        described = describe(error)
        raise HelperError(
            "migrate",
            "migrating a fresh database to the base branch's leaves failed: %s: %s" % (described["exception"], described["message"]),
            exception=described["exception"],
        )
    return {"applied": ["%s.%s" % (m.app_label, m.name) for m, _ in plan], "ms": round((time.perf_counter() - started) * 1000, 1)}


def applied():
    return sorted("%s.%s" % key for key in _executor().loader.applied_migrations)


def _key(key):
    return "%s.%s" % key


def plan():
    """What `migrate` would run now on this database, in Django's order, and
    how Django treats each squash (used, replaced, recorded as applied)."""
    executor = _executor()
    loader = executor.loader
    steps = executor.migration_plan(loader.graph.leaf_nodes())
    return {
        "plan": [_key((migration.app_label, migration.name)) for migration, backwards in steps if not backwards],
        "applied": sorted(_key(key) for key in loader.applied_migrations),
        "replacements": {
            _key(key): {
                "replaces": [_key(replaced) for replaced in migration.replaces],
                "applied": key in loader.applied_migrations,
                "inGraph": key in loader.graph.nodes,
            }
            for key, migration in loader.replacements.items()
        },
    }


def run_one(app, name, backwards=False):
    """Applies (or unapplies) exactly one migration, recording every statement."""
    kept = project_states.session()
    executor = kept.executor if kept is not None else _executor()
    key = (app, name)
    migration = executor.loader.graph.nodes.get(key)
    if migration is None:
        replacing = [_key(squash) for squash, m in executor.loader.replacements.items() if key in m.replaces]
        if key in executor.loader.replacements:
            raise HelperError(
                "unknown-migration",
                "%s.%s is a squash Django does not use on this database: some of the migrations it replaces are applied and some are not, so Django runs those instead" % key,
            )
        if replacing:
            raise HelperError("unknown-migration", "%s.%s is replaced by %s, which Django runs instead" % (key + (", ".join(replacing),)))
        raise HelperError("unknown-migration", "%s.%s is not in this code's migration graph" % key)
    is_applied = key in executor.loader.applied_migrations
    if backwards and not is_applied:
        raise HelperError("state", "%s.%s is not applied, so it cannot be reversed" % key)
    if not backwards and is_applied:
        raise HelperError("state", "%s.%s is already applied" % key)

    tracer = StatementTracer(connection)
    undo = watch_operations(migration, tracer, backwards=backwards)
    error = None
    started = time.perf_counter()
    try:
        with connection.execute_wrapper(tracer):
            _run(executor, kept, key, migration, backwards)
    except IrreversibleError as exc:
        index = next((i for i, op in enumerate(migration.operations) if not op.reversible), None)
        error = describe(exc, operation_index=index)
    except Exception as exc:  # noqa: BLE001 - the failure is the evidence
        error = tracer.error or describe(exc)
        if error.get("operationIndex") is None:
            error["operationIndex"] = tracer.failed_operation
        if tracer.error is not None and type(exc).__name__ != tracer.error["exception"]:
            # The SQL error surfaced as another class (Django wraps it); keep Django's.
            error = dict(error, exception=type(exc).__name__)
    finally:
        undo()
        tracer.finish()
    return {
        "statements": tracer.statements,
        "droppedStatements": tracer.dropped,
        "error": error,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "commitMs": tracer.commit_ms,
        "endMs": tracer.end_ms,
        "atomic": bool(migration.atomic),
        "operations": [type(op).__name__ for op in migration.operations],
    }


def _run(executor, kept, key, migration, backwards):
    """What executor.migrate does for a plan of this one migration, from the kept state when there is one."""
    if kept is None:
        executor.migrate([key], plan=[(migration, backwards)])
    elif not backwards:
        executor.migrate([key], plan=[(migration, False)], state=kept.state(kept.applied_in_graph()))
    else:
        # Django's backward run computes the state before the migration afresh; the kept one is the same fold.
        executor.recorder.ensure_schema()
        executor.unapply_migration(kept.state(kept.before(key)), migration)
        executor.check_replacements()

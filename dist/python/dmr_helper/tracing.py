"""Per-statement evidence while a migration runs: the SQL, its duration, the
locks held after it, the tables and indexes it rewrote, the operation it came
from, and the error it raised.

Inside a transaction (an atomic migration) locks accumulate until COMMIT, so
reading pg_locks of our own backend after each statement shows them. Outside
one (atomic = False) a statement holds its locks only while it runs: plain
statements are then run inside a short explicit transaction to read their
locks; statements that cannot run in a transaction (CREATE INDEX
CONCURRENTLY) are watched from a second connection while they run.
"""
import re
import threading
import time

from . import database
from .errors import describe

MAX_STATEMENTS = 200

# Catalog reads Django makes while migrating (introspection, the recorder's
# queries) are not the migration's statements.
_NOISE = re.compile(r"\b(pg_catalog|information_schema|pg_constraint|pg_class|pg_attribute|pg_index|pg_namespace)\b|\bdjango_migrations\b", re.I)
_NO_TRANSACTION = re.compile(r"\bCONCURRENTLY\b|^\s*VACUUM\b|^\s*ALTER\s+SYSTEM\b|^\s*(CREATE|DROP)\s+DATABASE\b", re.I)
_READ_ONLY = re.compile(r"^\s*(SELECT|SHOW|SET|RESET|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)\b", re.I)


class LockSampler(threading.Thread):
    """Watches another backend's relation locks while one statement runs.

    It holds an open snapshot at first: CREATE INDEX CONCURRENTLY waits for
    older snapshots to end, so it is seen holding its lock instead of being
    missed between two samples. The snapshot is released as soon as a lock
    is seen, or after a short while.
    """

    def __init__(self, connection, pid):
        super().__init__(daemon=True)
        self.raw = database.new_raw_connection(connection)
        self.pid = pid
        self.locks = set()
        self._stop_event = threading.Event()
        self._ready = threading.Event()

    def run(self):
        cursor = self.raw.cursor()
        holding = True
        try:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT 1")
            cursor.fetchall()
            self._ready.set()
            started = time.monotonic()
            while True:
                cursor.execute(database.OWN_LOCKS_SQL, (self.pid,))
                found = {(row[0], row[1]) for row in cursor.fetchall()}
                self.locks |= found
                if holding and (found or time.monotonic() - started > 0.2):
                    cursor.execute("COMMIT")
                    holding = False
                if self._stop_event.is_set():
                    break
                time.sleep(0.002)
        finally:
            self._ready.set()
            try:
                if holding:
                    cursor.execute("COMMIT")
                cursor.close()
                self.raw.close()
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass

    def start_and_wait(self):
        self.start()
        self._ready.wait(5)

    def finish(self):
        self._stop_event.set()
        self.join(5)
        return sorted(self.locks)


class StatementTracer:
    """A Django execute_wrapper that records every statement of one migration."""

    def __init__(self, connection):
        self.connection = connection
        self.statements = []
        self.dropped = 0
        self.operation_index = None
        # Deferred SQL (indexes, foreign keys) runs when the schema editor
        # closes; remember which operation queued each statement.
        self.deferred_owner = {}
        self.error = None
        # The operation that raised, SQL or not (RunPython code fails without SQL).
        self.failed_operation = None
        self._pid = None

    def pid(self, raw):
        if self._pid is None:
            self._pid = database.backend_pid(raw)
        return self._pid

    def __call__(self, execute, sql, params, many, context):
        sql_text = sql if isinstance(sql, str) else str(sql)
        read_only = bool(_READ_ONLY.match(sql_text))
        index = self.operation_index
        if index is None:
            index = self.deferred_owner.get(sql_text.strip())
        # Django's own catalog reads and recorder writes are not the migration's statements.
        if _NOISE.search(sql_text) and (read_only or index is None):
            return execute(sql, params, many, context)
        connection = context["connection"]
        raw = connection.connection
        in_transaction = connection.in_atomic_block
        before = None if read_only else database.filenodes(raw)
        sampler = None
        wrapped = False
        if not in_transaction and not read_only:
            if _NO_TRANSACTION.search(sql_text):
                sampler = LockSampler(connection, self.pid(raw))
                sampler.start_and_wait()
            else:
                database.raw_query(raw, "BEGIN")
                wrapped = True
        started = time.perf_counter()
        try:
            result = execute(sql, params, many, context)
        except Exception as error:
            elapsed = (time.perf_counter() - started) * 1000
            if wrapped:
                database.raw_query(raw, "ROLLBACK")
            if sampler is not None:
                sampler.finish()
            failure = describe(error, statement=sql_text, operation_index=index)
            if params:
                failure["params"] = _short_params(params)
            self.error = self.error or failure
            self._record(sql_text, elapsed, [], [], index, failure)
            raise
        elapsed = (time.perf_counter() - started) * 1000
        if sampler is not None:
            locks = sampler.finish()
        elif read_only and in_transaction:
            locks = database.own_locks(raw, self.pid(raw))
        elif read_only:
            locks = []
        else:
            locks = database.own_locks(raw, self.pid(raw))
        rewrites = []
        if before is not None:
            after = database.filenodes(raw)
            rewrites = sorted({name for oid, (name, node) in after.items() if oid in before and before[oid][1] != node})
            locks = _named(locks, before)
        if wrapped:
            database.raw_query(raw, "COMMIT")
        self._record(sql_text, elapsed, locks, rewrites, index, None)
        return result

    def _record(self, sql, ms, locks, rewrites, index, error):
        if len(self.statements) >= MAX_STATEMENTS:
            self.dropped += 1
            return
        entry = {
            "sql": sql.strip()[:4000],
            "ms": round(ms, 3),
            "locks": [{"relation": relation, "mode": mode} for relation, mode in locks],
            "rewrite": rewrites,
            "operationIndex": index,
        }
        if error is not None:
            entry["error"] = error
        self.statements.append(entry)


def _short_params(params):
    """The failing statement's parameters, shortened: proof, not a data dump."""
    try:
        values = list(params.values()) if isinstance(params, dict) else list(params)
    except TypeError:
        return None
    shown = []
    for value in values[:8]:
        text = repr(value)
        shown.append(text if len(text) <= 80 else "%s… (%d chars)" % (text[:60], len(text)))
    return shown


def _named(locks, known):
    """A relation dropped by the statement prints as its OID: name it from
    before the statement, or leave it out (a transient object of a rewrite)."""
    named = set()
    for relation, mode in locks:
        if relation.isdigit():
            entry = known.get(int(relation))
            if entry is None:
                continue
            relation = entry[0]
        named.add((relation, mode))
    return sorted(named)


def watch_operations(migration, tracer, backwards=False):
    """Makes each operation tell the tracer its index while it runs.

    Returns a function that undoes it. Operation objects are shared by every
    Migration instance of a module, so the wrappers must come off again.
    """
    restore = []
    method_name = "database_backwards" if backwards else "database_forwards"
    for index, operation in enumerate(migration.operations):
        original = getattr(operation, method_name)

        def wrapped(app_label, schema_editor, from_state, to_state, _original=original, _index=index):
            queued = len(schema_editor.deferred_sql)
            tracer.operation_index = _index
            try:
                return _original(app_label, schema_editor, from_state, to_state)
            except BaseException:
                if tracer.failed_operation is None:
                    tracer.failed_operation = _index
                raise
            finally:
                tracer.operation_index = None
                for statement in schema_editor.deferred_sql[queued:]:
                    tracer.deferred_owner.setdefault(str(statement).strip(), _index)

        setattr(operation, method_name, wrapped)
        restore.append((operation, method_name))

    def undo():
        for operation, name in restore:
            try:
                delattr(operation, name)
            except AttributeError:
                pass

    return undo

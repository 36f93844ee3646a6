"""Per-statement evidence while a migration runs: the SQL the cursor ran, when
it started and ended, the locks it took, the tables and indexes it rewrote,
the operation it came from, and the error it raised.

Inside a transaction (an atomic migration) locks accumulate until COMMIT or
ROLLBACK: pg_locks of our own backend is read before and after each statement,
and the statement is credited with the relation+mode pairs that are new; they
are held until the transaction ends (`heldUntilMs`). Outside one (atomic =
False, or a backend whose schema editor never opens one) a statement holds its
locks only while it runs: plain statements are then run inside a short
explicit transaction to read their locks; statements that cannot run in a
transaction (CREATE INDEX CONCURRENTLY) are watched from a second connection
while they run.

Times are milliseconds since the tracer was made (just before the migration
starts): the gaps between one statement's end and the next one's start are
the migration's non-SQL work (RunPython code, Django's own bookkeeping).

Statements need not be strings: Django's cursor gets what the schema editor
or the project's code passes, and custom backends (django-pg-zero-downtime-
migrations, PostGIS) queue objects of their own in `deferred_sql`. Nothing
here calls str() on them without a fallback.
"""
import re
import threading
import time

from . import database
from .errors import describe

MAX_STATEMENTS = 200

# Catalog reads Django makes while migrating (introspection, the recorder's
# queries) are not the migration's statements.
# (pg_settings: a backend reading its current timeouts before setting its own.)
_NOISE = re.compile(r"\b(pg_catalog|information_schema|pg_constraint|pg_class|pg_attribute|pg_index|pg_namespace|pg_settings)\b|\bdjango_migrations\b", re.I)
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


def statement_texts(sql, connection=None, _depth=0):
    """The SQL texts a statement object stands for, in the order they run.

    A str is itself. Django's ddl_references.Statement renders its template
    with its parts. A custom backend may make the statement or its template a
    list of statements (django-pg-zero-downtime-migrations' MultiStatementSQL,
    which its schema editor runs one by one) or an object holding the text in
    `.sql` (its PGLock). psycopg's sql.Composable renders against the
    connection. Anything else: its str(), when that is a str. Never raises.
    """
    if _depth > 10 or sql is None:
        return []
    if isinstance(sql, str):
        return [sql]
    if isinstance(sql, (bytes, bytearray, memoryview)):
        return [bytes(sql).decode("utf-8", "replace")]
    template = getattr(sql, "template", None)
    parts = getattr(sql, "parts", None)
    if template is not None and isinstance(parts, dict):
        rendered = []
        for text in statement_texts(template, connection, _depth + 1):
            try:
                rendered.append(text % parts)
            except Exception:  # noqa: BLE001 - a template that does not take these parts
                rendered.append(text)
        return rendered
    if isinstance(sql, (list, tuple)):
        return [text for item in sql for text in statement_texts(item, connection, _depth + 1)]
    as_string = getattr(sql, "as_string", None)
    if callable(as_string):
        for context in (connection, None):
            try:
                text = as_string(context)
            except Exception:  # noqa: BLE001 - psycopg 2 needs a connection, psycopg 3 may not
                continue
            return statement_texts(text, connection, _depth + 1)
    inner = getattr(sql, "sql", None)
    if inner is not None and inner is not sql:
        return statement_texts(inner, connection, _depth + 1)
    try:
        text = str(sql)
    except Exception:  # noqa: BLE001 - a __str__ that returns a non-string or raises
        return []
    return [text] if isinstance(text, str) else []


def sql_text(sql, connection=None):
    """The text of one statement as the cursor got it (see statement_texts)."""
    texts = statement_texts(sql, connection)
    if not texts:
        return "<%s object>" % type(sql).__name__
    return texts[0] if len(texts) == 1 else ";\n".join(text.rstrip().rstrip(";") for text in texts)


def _ms(seconds):
    return round(seconds * 1000, 3)


class StatementTracer:
    """A Django execute_wrapper that records every statement of one migration."""

    def __init__(self, connection):
        self.connection = connection
        self.statements = []
        self.dropped = 0
        self.operation_index = None
        # Deferred SQL (indexes, foreign keys) runs when the schema editor
        # closes: which operation queued each statement, by the object queued
        # (watch_operations also sees the schema editor run it) and by its text.
        self.deferred_objects = {}
        self.deferred_owner = {}
        self.error = None
        # The operation that raised, SQL or not (RunPython code fails without SQL).
        self.failed_operation = None
        # Whether the migration's operations ran inside a transaction (None: no
        # operation ran yet), when it ended (ms), and the statements recorded in
        # the transaction open now, whose locks it holds until it ends.
        self.in_migration_transaction = None
        self.commit_ms = None
        self.end_ms = None
        self._open = []
        self._pid = None
        self._t0 = time.perf_counter()

    def now(self):
        return _ms(time.perf_counter() - self._t0)

    def pid(self, raw):
        if self._pid is None:
            self._pid = database.backend_pid(raw)
        return self._pid

    def owner_of(self, sql):
        entry = self.deferred_objects.get(id(sql))
        if entry is not None and entry[0] is sql:
            return entry[1]
        return None

    def operation_started(self, schema_editor):
        """Whether the schema editor opened a transaction for the whole migration
        (atomic, on a backend that can roll back DDL and does not opt out)."""
        if self.in_migration_transaction is None:
            opened = getattr(schema_editor, "atomic_migration", None)
            if opened is None:
                opened = schema_editor.connection.in_atomic_block
            self.in_migration_transaction = bool(opened) and schema_editor.connection.in_atomic_block

    def transaction_ended(self):
        """Django committed or rolled back a transaction: its locks are gone."""
        at = self.now()
        for entry in self._open:
            entry["heldUntilMs"] = at
        self._open = []
        if self.in_migration_transaction and self.commit_ms is None:
            self.commit_ms = at

    def finish(self):
        """The migration is over: statements still open held their locks until now."""
        self.end_ms = self.now()
        for entry in self._open:
            entry["heldUntilMs"] = self.end_ms
        self._open = []

    def __call__(self, execute, sql, params, many, context):
        connection = context["connection"]
        raw = connection.connection
        text = sql_text(sql, raw)
        read_only = bool(_READ_ONLY.match(text))
        index = self.operation_index
        if index is None:
            index = self.deferred_owner.get(text.strip())
        # Django's own catalog reads and recorder writes are not the migration's statements.
        if _NOISE.search(text) and (read_only or index is None):
            return execute(sql, params, many, context)
        if len(self.statements) >= MAX_STATEMENTS:
            return self._unrecorded(execute, sql, params, many, context, text, index)
        in_transaction = connection.in_atomic_block
        before = None if read_only else database.filenodes(raw)
        held_before = database.own_locks(raw, self.pid(raw)) if in_transaction else None
        sampler = None
        wrapped = False
        if not in_transaction and not read_only:
            if _NO_TRANSACTION.search(text):
                sampler = LockSampler(connection, self.pid(raw))
                sampler.start_and_wait()
            else:
                database.raw_query(raw, "BEGIN")
                wrapped = True
        started = time.perf_counter()
        try:
            result = execute(sql, params, many, context)
        except Exception as error:
            ended = time.perf_counter()
            if wrapped:
                database.raw_query(raw, "ROLLBACK")
            if sampler is not None:
                sampler.finish()
            failure = describe(error, statement=text, operation_index=index)
            if params:
                failure["params"] = _short_params(params)
            self.error = self.error or failure
            self._record(text, started, ended, [], [], index, in_transaction, failure)
            raise
        ended = time.perf_counter()
        if sampler is not None:
            locks = sampler.finish()
        elif in_transaction:
            # Only what this statement added to what the transaction held already.
            held = database.own_locks(raw, self.pid(raw))
            if before is not None:
                held, held_before = _named(held, before), _named(held_before, before)
            locks = sorted(set(held) - set(held_before))
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
        self._record(text, started, ended, locks, rewrites, index, in_transaction, None)
        return result

    def _unrecorded(self, execute, sql, params, many, context, text, index):
        """Past MAX_STATEMENTS: counted, not measured; a failure is still the evidence."""
        self.dropped += 1
        try:
            return execute(sql, params, many, context)
        except Exception as error:
            if self.error is None:
                self.error = describe(error, statement=text, operation_index=index)
                if params:
                    self.error["params"] = _short_params(params)
            raise

    def _record(self, sql, started, ended, locks, rewrites, index, in_transaction, error):
        if len(self.statements) >= MAX_STATEMENTS:
            self.dropped += 1
            return
        end_ms = _ms(ended - self._t0)
        entry = {
            "sql": sql.strip()[:4000],
            "ms": _ms(ended - started),
            "startMs": _ms(started - self._t0),
            "endMs": end_ms,
            "heldUntilMs": end_ms,
            "inTransaction": bool(in_transaction),
            "locks": [{"relation": relation, "mode": mode} for relation, mode in locks],
            "rewrite": rewrites,
            "operationIndex": index,
        }
        if error is not None:
            entry["error"] = error
        if in_transaction:
            self._open.append(entry)
        self.statements.append(entry)


def _short_params(params):
    """The failing statement's parameters, shortened: proof, not a data dump."""
    try:
        values = list(params.values()) if isinstance(params, dict) else list(params)
    except TypeError:
        return None
    shown = []
    for value in values[:8]:
        try:
            text = repr(value)
        except Exception:  # noqa: BLE001 - a value whose repr fails still takes a place
            text = "<%s>" % type(value).__name__
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
    """Makes each operation tell the tracer its index while it runs, the
    schema editor tell it which operation queued each deferred statement it
    runs, and Django's commit and rollback tell it when a transaction ends.

    Returns a function that undoes it. Operation objects are shared by every
    Migration instance of a module, so the wrappers must come off again.
    """
    restore = []
    method_name = "database_backwards" if backwards else "database_forwards"
    for index, operation in enumerate(migration.operations):
        original = getattr(operation, method_name)

        def wrapped(app_label, schema_editor, from_state, to_state, _original=original, _index=index):
            _watch_schema_editor(schema_editor, tracer)
            tracer.operation_started(schema_editor)
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
                for statement in list(schema_editor.deferred_sql)[queued:]:
                    tracer.deferred_objects.setdefault(id(statement), (statement, _index))
                    for text in statement_texts(statement):
                        tracer.deferred_owner.setdefault(text.strip(), _index)

        setattr(operation, method_name, wrapped)
        restore.append((operation, method_name))
    restore.extend(_watch_transactions(tracer.connection, tracer))

    def undo():
        for target, name in restore:
            try:
                delattr(target, name)
            except AttributeError:
                pass

    return undo


def _watch_schema_editor(schema_editor, tracer):
    """Deferred statements run when the schema editor closes, after every
    operation: its execute() says which operation queued the object it runs.
    (The schema editor lives for one migration; the wrapper goes with it.)"""
    if "execute" in vars(schema_editor):
        return
    original = schema_editor.execute

    def execute(sql, *args, **kwargs):
        owner = tracer.owner_of(sql) if tracer.operation_index is None else None
        if owner is None:
            return original(sql, *args, **kwargs)
        tracer.operation_index = owner
        try:
            return original(sql, *args, **kwargs)
        finally:
            tracer.operation_index = None

    schema_editor.execute = execute


def _watch_transactions(connection, tracer):
    """Django ends a transaction (the migration's atomic block, or one the
    project's code opens) through the connection's commit() or rollback()."""
    installed = []
    for name in ("commit", "rollback"):
        original = getattr(connection, name)

        def ended(*args, _original=original, **kwargs):
            try:
                return _original(*args, **kwargs)
            finally:
                tracer.transaction_ended()

        setattr(connection, name, ended)
        installed.append((connection, name))
    return installed

"""The code under test against a schema: for each concrete model of the
running code, SELECT every field it knows, INSERT a row giving only the
fields it knows (Python defaults, and values as large as the model allows),
and UPDATE a row. All inside a transaction that is rolled back.

A failure here is evidence only when the same probe passes on the schema this
code was written for; the caller runs that control probe too.
"""
import datetime
import decimal
import random
import uuid

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from .errors import describe

INT_LIMITS = {
    "SmallIntegerField": 32767,
    "PositiveSmallIntegerField": 32767,
    "IntegerField": 2147483647,
    "PositiveIntegerField": 2147483647,
    "BigIntegerField": 9223372036854775807,
    "PositiveBigIntegerField": 9223372036854775807,
    "SmallAutoField": 32767,
    "AutoField": 2147483647,
    "BigAutoField": 9223372036854775807,
}

TEXT_TYPES = {"CharField", "SlugField", "EmailField", "URLField", "FilePathField", "FileField", "ImageField", "TextField"}


class SkipProbe(Exception):
    """This probe cannot be run meaningfully (no row to point a foreign key at, an unknown field type)."""


def probed_models(only_tables=None):
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        if only_tables is not None and meta.db_table not in only_tables:
            continue
        yield model


def describe_models():
    return [
        {
            "model": model._meta.label,
            "table": model._meta.db_table,
            "columns": [field.column for field in model._meta.local_concrete_fields],
            "app": model._meta.app_label,
            "fields": [hint for hint in (_field_hint(field) for field in model._meta.local_concrete_fields) if hint],
        }
        for model in probed_models()
    ]


# Values the seeder can write as text in Postgres' input format.
_PLAIN = (str, int, float, decimal.Decimal, uuid.UUID, datetime.date, datetime.time, datetime.timedelta)
DEFAULT_SAMPLES = 6


def _as_text(field, value):
    """A Python value of `field` as Postgres input text, or None when it is not a plain value."""
    try:
        prepared = field.get_db_prep_save(value, connection)
    except Exception:  # noqa: BLE001 - a value the field refuses: no hint
        return None
    if isinstance(prepared, bool):
        return "true" if prepared else "false"
    if isinstance(prepared, _PLAIN):
        return str(prepared)
    return None


def _field_hint(field):
    """What the code knows about a column's values: its choices, and what its
    default gives (a callable such as uuid4 gives distinct values)."""
    if field.primary_key or getattr(field, "generated", False):
        return None
    hint = {"name": field.name, "column": field.column, "internalType": field.get_internal_type()}
    if field.choices:
        values = [_as_text(field, value) for value, _ in field.flatchoices if value not in (None, "")]
        if values and None not in values:
            hint["choices"] = values
    if field.has_default():
        samples = []
        try:
            for _ in range(DEFAULT_SAMPLES if callable(field.default) else 1):
                samples.append(_as_text(field, field.get_default()))
        except Exception:  # noqa: BLE001 - a default that needs a request or a database
            samples = [None]
        if samples and None not in samples:
            hint["defaults"] = samples
            hint["defaultDistinct"] = callable(field.default) and len(set(samples)) == len(samples)
    return hint if len(hint) > 3 else None


def probe(only_tables=None):
    results = []
    for model in probed_models(only_tables):
        try:
            results.append(probe_model(model))
        except Exception as error:  # noqa: BLE001 - one model's trouble never ends the probe of the others
            reason = "the probe itself failed: %s: %s" % (type(error).__name__, describe(error)["message"])
            results.append(
                {
                    "model": model._meta.label,
                    "table": model._meta.db_table,
                    "select": {"ok": None, "reason": reason},
                    "insert": {"ok": None, "reason": reason},
                    "update": {"ok": None, "reason": reason},
                }
            )
    return results


def probe_model(model):
    meta = model._meta
    rng = random.Random(meta.label)
    result = {"model": meta.label, "table": meta.db_table}
    manager = model._base_manager.using(connection.alias)
    with transaction.atomic():
        rows = []
        result["select"], rows = _attempt(lambda: list(manager.all()[:3]))
        # Two INSERTs: values as large as the model allows, and as small (NULL
        # wherever the model allows NULL) -- old code writes both kinds.
        outcome, inserted = _attempt(lambda: _insert(model, rng))
        if outcome["ok"] is not False:
            minimal, _ = _attempt(lambda: _insert(model, rng, minimal=True))
            if minimal["ok"] is False:
                outcome = dict(minimal, message="with NULL in every nullable field: %s" % minimal["message"])
        result["insert"] = outcome
        target = rows[0] if rows else inserted
        if target is None:
            result["update"] = {"ok": None, "reason": "no row to update"}
        else:
            result["update"], _ = _attempt(lambda: _update(manager, model, target))
        transaction.set_rollback(True)
    return result


def _attempt(action):
    try:
        with transaction.atomic():
            value = action()
        return {"ok": True}, value
    except SkipProbe as skip:
        return {"ok": None, "reason": str(skip)}, None
    except DatabaseError as error:
        failure = describe(error)
        return {"ok": False, "message": failure["message"], "sqlstate": failure["sqlstate"], "exception": failure["exception"]}, None
    except Exception as error:  # noqa: BLE001 - the project's own code refused a value (a field's from_db_value, a validator)
        failure = describe(error)
        return {"ok": False, "message": failure["message"], "sqlstate": None, "exception": failure["exception"], "codeError": True}, None


def write_rows(only_tables=None):
    """Writes (and keeps) two rows per model, one with values as large as the
    model allows, one with NULL wherever it allows NULL: what this code may
    have written by the time someone rolls back."""
    results = []
    for model in probed_models(only_tables):
        rng = random.Random("written:" + model._meta.label)
        for minimal in (False, True):
            outcome, _ = _attempt(lambda: _insert(model, rng, minimal=minimal, limits=True))
            results.append(dict(outcome, model=model._meta.label, table=model._meta.db_table))
    return results


def round_trip(only_tables=None):
    """The code writes a value to every field of a new row and reads the row
    back: a value that comes back different (another type, truncated, shifted)
    means this code no longer understands the column. Rolled back."""
    results = []
    for model in probed_models(only_tables):
        meta = model._meta
        entry = {"model": meta.label, "table": meta.db_table, "ok": None, "mismatches": []}
        try:
            with transaction.atomic():
                outcome, written = _attempt(lambda: _insert(model, random.Random("round-trip:" + meta.label), keep_values=True))
                if outcome["ok"] is not True:
                    entry["reason"] = outcome.get("reason") or "the row could not be written: %s" % outcome.get("message")
                else:
                    instance, values = written
                    fields = [field for field in meta.local_concrete_fields if field.attname in values]
                    read = model._base_manager.using(connection.alias).filter(pk=instance.pk).values_list(*[f.attname for f in fields]).get()
                    for field, value in zip(fields, read):
                        if not _same(values[field.attname], value):
                            entry["mismatches"].append(
                                {"field": field.name, "column": field.column, "wrote": _show(values[field.attname]), "read": _show(value)}
                            )
                    entry["ok"] = not entry["mismatches"]
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 - reading back failed: say so, go on
            entry["ok"] = None
            entry["reason"] = "reading the row back failed: %s: %s" % (type(error).__name__, describe(error)["message"])
        results.append(entry)
    return results


def _normal(value):
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _same(wrote, read):
    wrote, read = _normal(wrote), _normal(read)
    if type(wrote) is not type(read):
        return False
    if isinstance(wrote, datetime.datetime) and (wrote.tzinfo is None) != (read.tzinfo is None):
        return False
    return wrote == read


def _show(value):
    text = repr(_normal(value))
    return text if len(text) <= 80 else "%s… (%d chars)" % (text[:60], len(text))


def _insert(model, rng, minimal=False, keep_values=False, limits=False):
    meta = model._meta
    if meta.parents:
        raise SkipProbe("multi-table inheritance: the parent row is probed on its own")
    values = {}
    for field in meta.local_concrete_fields:
        if getattr(field, "generated", False):
            continue
        if field.primary_key and field.get_internal_type() in INT_LIMITS:
            continue  # the sequence gives it
        if getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED and not field.has_default():
            continue  # Django writes DEFAULT for it
        if minimal and field.null and not field.has_default():
            values[field.attname] = None
        else:
            values[field.attname] = value_for(model, field, rng, limits=limits)
    _avoid_repeats(model, values)
    instance = model(**values)
    fields = [f for f in meta.local_concrete_fields if f.attname in values]
    # _insert is what Model.save uses underneath; it skips signals and user save() code.
    returning = meta.db_returning_fields
    rows = model._base_manager._insert([instance], fields=fields, returning_fields=returning, using=connection.alias)
    if rows and returning:
        for value, field in zip(rows[0], returning):
            setattr(instance, field.attname, value)
    return (instance, values) if keep_values else instance


def _update(manager, model, target):
    values = {}
    for field in model._meta.local_concrete_fields:
        if field.primary_key or getattr(field, "generated", False):
            continue
        values[field.attname] = getattr(target, field.attname)
    if not values:
        raise SkipProbe("no column besides the primary key")
    manager.filter(pk=target.pk).update(**values)


def value_for(model, field, rng, limits=False):
    """A value for `field`: its default, or (`limits`, or no default) as large as the field allows."""
    if field.has_default() and not (limits and not field.is_relation and not field.choices):
        return field.get_default()
    if field.is_relation:
        return _related_value(model, field)
    if field.choices:
        flat = [value for value, _ in field.flatchoices if value not in (None, "")]
        if flat:
            return flat[0]
    internal = field.get_internal_type()
    unique = field.unique
    if internal in TEXT_TYPES:
        length = field.max_length or (1000 if internal == "TextField" else 255)
        if unique:
            return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(length))
        return "x" * length
    if internal in INT_LIMITS:
        limit = INT_LIMITS[internal]
        return rng.randint(1, limit) if unique else limit
    if internal == "DecimalField":
        whole = (field.max_digits or 10) - (field.decimal_places or 0)
        text = ("9" * whole or "0") + ("." + "9" * field.decimal_places if field.decimal_places else "")
        return decimal.Decimal(text) if not unique else decimal.Decimal(rng.randint(1, 10 ** max(1, whole) - 1))
    if internal == "FloatField":
        return rng.random() * 1e300 if unique else 1.5e300
    if internal in ("BooleanField", "NullBooleanField"):
        return True
    if internal == "DateTimeField":
        now = timezone.now() if settings.USE_TZ else datetime.datetime.now()
        return now + datetime.timedelta(seconds=rng.randint(0, 10**6)) if unique else now
    if internal == "DateField":
        return datetime.date.today() + datetime.timedelta(days=rng.randint(0, 10**5) if unique else 0)
    if internal == "TimeField":
        return datetime.time(23, 59, rng.randint(0, 59) if unique else 59)
    if internal == "DurationField":
        return datetime.timedelta(days=1, seconds=rng.randint(0, 86399) if unique else 0)
    if internal == "UUIDField":
        return uuid.UUID(int=rng.getrandbits(128))
    if internal == "JSONField":
        return {"probe": "x" * 100, "list": [1, 2, 3]}
    if internal == "BinaryField":
        return bytes(rng.getrandbits(8) for _ in range(field.max_length or 16))
    if internal in ("GenericIPAddressField", "IPAddressField"):
        return "192.0.2.%d" % rng.randint(1, 254)
    if internal == "ArrayField":
        return [value_for(model, field.base_field, rng)]
    if internal == "HStoreField":
        return {"probe": "x"}
    if field.null:
        return None
    raise SkipProbe("cannot make a value for %s.%s (%s)" % (model._meta.label, field.name, internal))


# Rows made for a probe to point at nest at most this deep (a profile's user's group...).
_MAX_MADE_DEPTH = 2
_made_depth = 0


def _related_value(model, field):
    target_model = field.remote_field.model
    target_field = field.target_field
    candidates = target_model._base_manager.using(connection.alias).values_list(target_field.attname, flat=True)
    if field.unique:
        taken = model._base_manager.using(connection.alias).values_list(field.attname, flat=True)
        candidates = candidates.exclude(**{"%s__in" % target_field.attname: taken})
    value = candidates.order_by(target_field.attname).first()
    if value is not None:
        return value
    if field.null:
        return None
    # Every row is taken (a one-to-one whose seeded rows all have their partner): make one for the
    # probe, in a savepoint of its own, so that its trouble is not the probed table's.
    return _made_target(target_model, target_field, field)


def _made_target(target_model, target_field, field):
    global _made_depth
    missing = "no row in %s to point %s at" % (target_model._meta.db_table, field.name)
    if _made_depth >= _MAX_MADE_DEPTH:
        raise SkipProbe(missing)
    _made_depth += 1
    try:
        with transaction.atomic():
            made = _insert(target_model, random.Random("probe-target:" + target_model._meta.label), minimal=True)
        return getattr(made, target_field.attname)
    except SkipProbe:
        raise
    except Exception as error:  # noqa: BLE001 - the row to point at could not be made: no answer, not a failure
        raise SkipProbe("%s, and one could not be made (%s)" % (missing, describe(error)["message"].splitlines()[0]))
    finally:
        _made_depth -= 1


def _unique_sets(meta):
    """Field sets that must be unique together: unique_together and unconditional UniqueConstraints."""
    sets = [tuple(names) for names in meta.unique_together]
    for constraint in getattr(meta, "total_unique_constraints", []):
        if constraint.fields:
            sets.append(tuple(constraint.fields))
    return sets


def _avoid_repeats(model, values):
    """Moves foreign keys to other rows when the values repeat a row on a unique set (a many-to-many
    table's pair): the probe asks whether the code can write, not whether the seeder left room."""
    meta = model._meta
    manager = model._base_manager.using(connection.alias)
    for names in _unique_sets(meta):
        fields = [meta.get_field(name) for name in names]
        if any(f.attname not in values for f in fields):
            continue
        lookup = {f.attname: values[f.attname] for f in fields}
        if not manager.filter(**lookup).exists():
            continue
        for field in [f for f in fields if f.is_relation][::-1]:
            target = field.target_field.attname
            others = field.remote_field.model._base_manager.using(connection.alias).values_list(target, flat=True).order_by(target)[:200]
            for candidate in others:
                lookup[field.attname] = candidate
                if not manager.filter(**lookup).exists():
                    values[field.attname] = candidate
                    break
            else:
                lookup[field.attname] = values[field.attname]
                continue
            break

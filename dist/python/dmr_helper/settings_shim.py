"""DJANGO_SETTINGS_MODULE for the rehearsal: the project's settings, with
every database pointed at the throwaway one the tool created.

The project's engine is kept when it is a PostgreSQL backend (a custom backend
such as django-pg-zero-downtime-migrations changes the SQL, and that is what
production runs); other engines (sqlite for development) become Django's
PostgreSQL backend.
"""
import importlib
import json
import os

_user = importlib.import_module(os.environ["DMR_USER_SETTINGS"])
globals().update({name: value for name, value in vars(_user).items() if name.isupper()})

_target = json.loads(os.environ["DMR_DATABASE"])


def _database(original):
    engine = (original or {}).get("ENGINE", "")
    if "postg" not in engine.lower():
        engine = "django.db.backends.postgresql"
    return {
        "ENGINE": engine,
        "NAME": _target["database"],
        "USER": _target["user"],
        "PASSWORD": _target.get("password") or "",
        "HOST": _target["host"],
        "PORT": str(_target["port"]),
        "CONN_MAX_AGE": 0,
        "ATOMIC_REQUESTS": False,
        "OPTIONS": {},
        "TEST": {},
    }


_original = getattr(_user, "DATABASES", {}) or {}
DATABASES = {alias: _database(config) for alias, config in _original.items()} or {}
DATABASES["default"] = _database(_original.get("default"))

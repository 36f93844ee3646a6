"""Django configured for the helper's unit tests: no project, one database
(DMR_TEST_DATABASE, JSON connection parameters as the bridge passes them in
DMR_DATABASE), or none."""
import importlib.util
import json
import os
import unittest

import django
from django.conf import settings

DATABASE = json.loads(os.environ["DMR_TEST_DATABASE"]) if os.environ.get("DMR_TEST_DATABASE") else None
HAVE_ZDM = importlib.util.find_spec("django_zero_downtime_migrations") is not None


def setup_django():
    if settings.configured:
        return
    target = DATABASE or {"database": "unused", "user": "unused", "host": "localhost", "port": 5432}
    settings.configure(
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": target["database"],
                "USER": target["user"],
                "PASSWORD": target.get("password") or "",
                "HOST": target["host"],
                "PORT": str(target["port"]),
                "CONN_MAX_AGE": 0,
            }
        },
        INSTALLED_APPS=[],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    django.setup()


setup_django()

needs_database = unittest.skipIf(DATABASE is None, "needs DMR_TEST_DATABASE (a throwaway Postgres database)")
needs_zdm = unittest.skipUnless(HAVE_ZDM, "needs django-pg-zero-downtime-migrations (the 5.2-zdm virtualenv)")

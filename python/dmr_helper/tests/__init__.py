"""Unit tests of the helper's modules, run with the standard library's unittest
in a Django virtualenv (test/django/helper-unit.test.ts runs them in every one):

    PYTHONPATH=python DMR_TEST_DATABASE='{"host": ..., "port": ..., "user": ...,
        "database": ...}' .cache/venvs/django-5.2/bin/python -m unittest discover
        -s python/dmr_helper/tests -t python

Without DMR_TEST_DATABASE (the connection parameters of a throwaway database)
the tests that need Postgres are skipped. Not shipped: scripts/build.mjs leaves
this folder out of dist/python.
"""

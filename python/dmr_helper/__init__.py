"""The Python side of django-migration-review.

One process per code version (the base branch, the merge result), started by
the TypeScript bridge (src/django/bridge.ts). It speaks JSON lines: a request
per line on stdin, a response per line on a private copy of stdout. Everything
the user's code prints goes to stderr instead, so it cannot break the protocol.
"""

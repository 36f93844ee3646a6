"""Django's migration graph and the project states it folds, kept between
requests.

A rehearsal asks for one migration at a time (apply, unapply on a copy,
apply again), and Django's executor would build its loader over every
migration of the project and fold and render a project state of every model
for each of those requests: on a project of a thousand migrations that is
most of the time a request takes. Both are functions of what is kept here:

- the graph depends on the database only through the squashes: which of
  them replace their migrations is decided by how many of those are applied
  (all, none, some). While that split is unchanged the graph is the same, and
  only the loader's applied set is read again (one query);
- a project state is the fold, in the order of Django's full plan, of a set
  of applied migrations (Django's `_create_project_state` for a forward run,
  its `_migrate_all_backwards` for the state before a migration it unapplies).
  So a state is kept per set, and the state of a set plus one migration that
  comes after all of them in that plan is derived as Django derives it in
  `_migrate_all_backwards`: `mutate_state(preserve=True)` on the rendered state.

Every state handed to Django is a clone: Django mutates what it is given.
DMR_STATE_CACHE=0 turns this off (every request builds afresh, as Django's
`migrate` does), which the tests use to hold the two equal.
"""
import os
from collections import OrderedDict

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState

ENABLED = os.environ.get("DMR_STATE_CACHE", "1") != "0"
# A rendered state of a big project is a few megabytes; a PR's chain of
# migrations needs a handful at a time (forward, then its rollback).
MAX_STATES = 48


def _split(replacements, applied):
    """Per squash: are all, some or none of the migrations it replaces applied."""
    split = []
    for key in sorted(replacements):
        statuses = [target in applied for target in replacements[key].replaces]
        split.append((key, "all" if all(statuses) else "some" if any(statuses) else "none"))
    return tuple(split)


class Session:
    """One executor, its loader's graph, and the states folded from it."""

    def __init__(self):
        self.executor = MigrationExecutor(connection)
        loader = self.executor.loader
        self.split = _split(loader.replacements, loader.applied_migrations)
        self.full_plan = [migration for migration, _ in self.executor.migration_plan(loader.graph.leaf_nodes(), clean_start=True)]
        self.order = {(migration.app_label, migration.name): index for index, migration in enumerate(self.full_plan)}
        self.states = OrderedDict()

    def refresh(self, raw_applied):
        """Reads the applied set again, with the squash adjustments Django's build_graph makes."""
        loader = self.executor.loader
        applied = dict(raw_applied)
        for key, migration in loader.replacements.items():
            if all(target in applied for target in migration.replaces):
                applied[key] = migration
            else:
                applied.pop(key, None)
        loader.applied_migrations = applied

    def applied_in_graph(self):
        nodes = self.executor.loader.graph.nodes
        return frozenset(key for key in self.executor.loader.applied_migrations if key in nodes)

    def before(self, key):
        """What Django's backward run folds for the state before `key`: the applied migrations ahead of it in the plan."""
        position = self.order[key]
        return frozenset(applied for applied in self.applied_in_graph() if self.order[applied] < position)

    def state(self, keys):
        """A clone of the rendered state of the applied set `keys`."""
        return self._state(keys).clone()

    def _state(self, keys):
        known = self.states.get(keys)
        if known is not None:
            self.states.move_to_end(keys)
            return known
        derived = self._derive(keys)
        if derived is None:
            derived = ProjectState(real_apps=self.executor.loader.unmigrated_apps)
            for migration in self.full_plan:
                if (migration.app_label, migration.name) in keys:
                    migration.mutate_state(derived, preserve=False)
        derived.apps  # noqa: B018 - render now, as Django's executor does before it runs a migration
        self.states[keys] = derived
        while len(self.states) > MAX_STATES:
            self.states.popitem(last=False)
        return derived

    def _derive(self, keys):
        for known_keys in reversed(self.states):
            extra = keys - known_keys
            if len(extra) != 1 or not known_keys <= keys:
                continue
            (key,) = extra
            position = self.order[key]
            if all(self.order[other] < position for other in known_keys):
                return self.executor.loader.graph.nodes[key].mutate_state(self.states[known_keys], preserve=True)
        return None


_session = None


def session():
    """The kept session, its applied set read from the current database; rebuilt when the squash split changed."""
    global _session
    if not ENABLED:
        return None
    if _session is not None:
        raw = MigrationRecorder(connection).applied_migrations()
        if _split(_session.executor.loader.replacements, raw) == _session.split:
            _session.refresh(raw)
            return _session
    _session = Session()
    return _session

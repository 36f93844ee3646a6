"""Prints, as JSON, what Django's own MigrationLoader makes of a project.

Run from the project folder with DJANGO_SETTINGS_MODULE set. The output is
the ground truth our TypeScript graph is compared with: nodes, edges between
the project's own apps, leaves per app, conflicts, or the error Django raises.
"""
import json
import sys

import django
from django.conf import settings


def main():
    django.setup()
    from django.db.migrations.loader import MigrationLoader

    own = {label.split(".")[-1] for label in settings.INSTALLED_APPS if not label.startswith("django.")}
    try:
        loader = MigrationLoader(None, ignore_no_migrations=False)
    except Exception as error:  # noqa: BLE001 - the error is the answer
        node = getattr(error, "node", None)
        sys.stdout.write(json.dumps({
            "error": {
                "type": type(error).__name__,
                "message": str(error),
                "node": "%s.%s" % node if isinstance(node, tuple) else None,
                "file": getattr(error, "filename", None),
                "line": getattr(error, "lineno", None),
            }
        }))
        return
    graph = loader.graph
    nodes = sorted("%s.%s" % key for key in graph.nodes if key[0] in own)
    edges = sorted(
        ["%s.%s" % parent.key, "%s.%s" % key]
        for key, node in graph.node_map.items()
        if key[0] in own
        for parent in node.parents
        if parent.key[0] in own
    )
    leaves = {}
    for app, name in graph.leaf_nodes():
        if app in own:
            leaves.setdefault(app, []).append("%s.%s" % (app, name))
    sys.stdout.write(json.dumps({
        "django": django.get_version(),
        "nodes": nodes,
        "edges": edges,
        "leaves": leaves,
        "conflicts": {app: sorted(names) for app, names in loader.detect_conflicts().items() if app in own},
    }))


if __name__ == "__main__":
    main()

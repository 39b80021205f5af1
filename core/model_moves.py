"""Moving models between apps without touching their tables.

A moved model keeps its `db_table`; the new app's first migration creates it in the
migration state only, and the old app's next migration deletes it from the state
only. `MoveContentTypes` carries the content types along, so that permissions,
group grants and admin history follow the model to its new app.
"""

from django.db import migrations


def MoveContentTypes(old_app: str, new_app: str, models: list[str]) -> migrations.RunPython:
    """A migration operation relabelling the content types of `models` (lower-case names)."""

    def relabel(source: str, target: str):
        def run(apps, schema_editor) -> None:
            content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
            for model in models:
                if content_types.filter(app_label=target, model=model).exists():
                    continue  # already made under the new label (e.g. a run interrupted before)
                content_types.filter(app_label=source, model=model).update(app_label=target)

        return run

    return migrations.RunPython(relabel(old_app, new_app), relabel(new_app, old_app))

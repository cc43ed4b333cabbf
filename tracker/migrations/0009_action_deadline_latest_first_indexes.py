"""The action list latest-deadline-first, undated last, read off an index on PostgreSQL.

Soonest first (deadline ASC NULLS LAST) is the order of the existing (deadline, id)
indexes; latest first with undated last is no index's order read either way. SQLite
cannot index NULLS LAST (it sorts those pages; the embedded default is small), so
the indexes are PostgreSQL's alone and not in the model's state.
"""

from django.db import migrations

INDEXES = {
    "action_deadline_desc_idx": "(deadline DESC NULLS LAST, id)",
    "action_status_deadline_desc_idx": "(status, deadline DESC NULLS LAST, id)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX {name} ON tracker_action {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("tracker", "0008_force_evidence_quota")]

    operations = [migrations.RunPython(create, drop)]

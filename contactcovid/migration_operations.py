"""Index operations for tables of tens of millions of rows (issue 14).

`AddIndexConcurrently` builds an index without blocking writes on PostgreSQL (`CREATE INDEX
CONCURRENTLY`, outside a transaction: the migration says `atomic = False`); on SQLite (the
demo, a test run) it is a plain `CREATE INDEX`, which Django's own operation refuses to do.
"""

from django.contrib.postgres.operations import AddIndexConcurrently as _PostgresConcurrently
from django.db.migrations.operations import AddIndex


class AddIndexConcurrently(_PostgresConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)

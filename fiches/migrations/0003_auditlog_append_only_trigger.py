from django.db import migrations

# On PostgreSQL, the database itself refuses to change or delete an audit entry, whatever the
# code path (raw SQL, a shell, a future bug). TRUNCATE is left to the test runner's flush.
CREATE = """
CREATE OR REPLACE FUNCTION fiches_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Le journal d''audit est en ajout seul (% refusé)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER fiches_auditlog_append_only
    BEFORE UPDATE OR DELETE ON fiches_auditlog
    FOR EACH ROW EXECUTE FUNCTION fiches_auditlog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS fiches_auditlog_append_only ON fiches_auditlog;
DROP FUNCTION IF EXISTS fiches_auditlog_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("fiches", "0002_auditlog")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]

"""The big tables' new indexes, built without blocking writes on PostgreSQL (issue 14): the
indicators' rollup and the admin's lists read fiches by creation time, status changes by
status and time, the journal by action."""

from django.db import migrations, models

from contactcovid.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("fiches", "0011_indicateurs"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="fiche",
            index=models.Index(fields=["created_at", "id"], name="fiche_created"),
        ),
        AddIndexConcurrently(
            model_name="statuschange",
            index=models.Index(fields=["to_statut", "at"], name="statuschange_vers_le"),
        ),
        AddIndexConcurrently(
            model_name="auditlog",
            index=models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
        ),
    ]

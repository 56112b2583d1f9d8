import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from fiches.audit import MASK, AuditLog, AuditLogIsAppendOnly, audit_log


def test_an_entry_records_who_with_which_role_what_on_which_object_and_from_where(
    rf, medecin, pharmacien
):
    request = rf.get("/", REMOTE_ADDR="192.0.2.7")

    entry = audit_log(
        actor=pharmacien, action="fiche.lookup", obj=medecin, data={"found": True}, request=request
    )

    entry.refresh_from_db()
    assert entry.actor == pharmacien
    assert entry.actor_role == "Pharmacien"
    assert entry.action == "fiche.lookup"
    assert entry.object_id == medecin.pk
    assert entry.data == {"found": True}
    assert entry.ip == "192.0.2.7"
    assert list(AuditLog.objects.for_object(medecin)) == [entry]


def test_secrets_never_reach_the_log(medecin):
    entry = audit_log(
        actor=medecin,
        action="account.password_changed",
        data={"password": "Secret-2020!", "nested": {"reset_token": "abc"}, "nom": "Dupont"},
    )

    entry.refresh_from_db()
    assert entry.data == {"password": MASK, "nested": {"reset_token": MASK}, "nom": "Dupont"}


def test_an_entry_cannot_be_changed_or_deleted_through_the_orm(medecin):
    entry = audit_log(actor=medecin, action="fiche.viewed")

    entry.action = "autre"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditLog.objects.filter(pk=entry.pk).update(action="autre")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.get(pk=entry.pk).action == "fiche.viewed"


def test_postgresql_itself_refuses_to_change_or_delete_an_entry(medecin):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL, production's database")
    entry = audit_log(actor=medecin, action="fiche.viewed")

    for sql in (
        "UPDATE fiches_auditlog SET action = 'x' WHERE id = %s",
        "DELETE FROM fiches_auditlog WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="ajout seul"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])

    assert AuditLog.objects.filter(pk=entry.pk, action="fiche.viewed").exists()


def test_admin_lists_the_log_filtered_by_object_without_any_delete(client, administrateur):
    entry = audit_log(actor=administrateur, action="fiche.viewed", obj=administrateur)
    audit_log(actor=administrateur, action="fiche.viewed")
    client.force_login(administrateur)
    url = reverse("admin:fiches_auditlog_changelist")

    response = client.get(url, {"object_id": entry.object_id})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert "delete_selected" not in response.content.decode()
    change = client.get(reverse("admin:fiches_auditlog_change", args=[entry.pk]))
    assert change.status_code == 200
    assert "Supprimer" not in change.content.decode()
    delete = client.post(reverse("admin:fiches_auditlog_delete", args=[entry.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert AuditLog.objects.filter(pk=entry.pk).exists()

"""Privacy by design (issue 12): what a browser, a proxy or a log may keep of health data."""

import pytest
from django.urls import reverse

from fiches.tests.factories import FicheFactory
from tracing.tests.fixtures import ars_idf, conseiller93, contact93, patient93  # noqa: F401


def _no_store(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    return {"no-store", "private"} <= cache_control


def test_signed_in_pages_pdfs_and_csv_are_never_cached(client, medecin, agent_ars, request):
    fiche = FicheFactory(declarant=medecin)
    client.force_login(medecin)
    for url in ("/", reverse("tracing:fiche", args=[fiche.pk]),
                reverse("tracing:formulaire_contact", args=[fiche.pk])):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), (url, response["Cache-Control"])
    client.force_login(request.getfixturevalue("ars_idf"))
    export = client.get(reverse("tracing:ars_export"))
    assert export["Content-Type"].startswith("text/csv") and _no_store(export)


@pytest.mark.parametrize("url", ["/compte/connexion/", "/healthz", "/page-inconnue/"])
def test_public_pages_are_not_cached_either(client, db, url):
    assert _no_store(client.get(url))


# --- Audit rows are complete (issue 12, 3) -------------------------------------------------------


def test_every_audit_row_of_a_doctors_day_has_actor_role_and_ip(client, medecin, mailoutbox):
    from fiches.audit import AuditLog

    client.force_login(medecin)
    ip = {"REMOTE_ADDR": "203.0.113.7"}
    client.post(reverse("tracing:patient_zero_create"),
                {"nir": "1 85 05 78 006 084 91", "nom": "Shneidez", "prenom": "Kevan",
                 "email": "kevan@exemple.fr", "information_patient": "on",
                 "collectivite": "non", "argument_diagnostic": "rt_pcr", "action": "valider"},
                **ip)  # fmt: skip
    fiche = medecin.fiches_suivies.get()
    client.post(reverse("tracing:contact_create", args=[fiche.pk]),
                {"nom": "Caron", "prenom": "Jean", "code_postal": "75011",
                 "collectivite": "non"}, **ip)  # fmt: skip
    client.post(reverse("tracing:formulaire_contact_envoyer", args=[fiche.pk]), **ip)
    contact = fiche.contacts.get()
    client.post(reverse("tracing:fiche_cloturer", args=[contact.pk]),
                {"motif": "autre", "precision": "Erreur de saisie",
                 "version": contact.version}, **ip)  # fmt: skip
    client.get("/", **ip)
    client.get(reverse("tracing:fiche", args=[fiche.pk]), **ip)

    rows = AuditLog.objects.filter(actor=medecin)
    actions = set(rows.values_list("action", flat=True))
    assert {"fiche.created", "fiche.status_changed", "fiche.form_sent", "fiches.listed",
            "fiche.viewed"} <= actions  # fmt: skip
    assert set(rows.values_list("ip", flat=True)) == {"203.0.113.7"}
    assert set(rows.values_list("actor_role", flat=True)) == {"Médecin"}
    listed = [row.data["fiches"] for row in rows.filter(action="fiches.listed")]
    assert [contact.pk, fiche.pk] in listed  # the doctor's list, newest first
    assert [contact.pk] in listed  # the fiche page's list of its contacts


def test_the_call_queue_and_the_ars_list_are_audited_as_reads(client, request):
    from fiches.audit import AuditLog

    contact = request.getfixturevalue("contact93")
    conseiller = request.getfixturevalue("conseiller93")
    client.force_login(conseiller)
    client.get(reverse("tracing:plateforme_file"))
    assert (
        contact.pk in AuditLog.objects.get(actor=conseiller, action="fiches.listed").data["fiches"]
    )
    ars = request.getfixturevalue("ars_idf")
    client.force_login(ars)
    client.get(reverse("tracing:ars_collectivites"))
    assert (
        contact.origine_id in AuditLog.objects.get(actor=ars, action="fiches.listed").data["fiches"]
    )


def test_an_entry_written_outside_a_request_has_no_ip(medecin):
    from fiches import services

    fiche = services.fiche_create(user=medecin, data={"nom": "X", "prenom": "Y"}, brouillon=True)

    from fiches.audit import AuditLog

    assert AuditLog.objects.filter(object_id=fiche.pk).values_list("ip", flat=True)[0] is None


# --- The application's database role cannot rewrite the audit (issue 12, 4) ----------------------


@pytest.mark.django_db(transaction=True)
def test_the_app_role_cannot_rewrite_the_audit_log_or_the_security_events(medecin):
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("database roles and privileges are PostgreSQL's (production's database)")
    import psycopg

    from fiches.audit import audit_log

    role = "contactcovid_app_test"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if not cursor.fetchone():
            cursor.execute(f"CREATE ROLE {role} LOGIN")
    call_command("grant_app_role", role, stdout=None)
    audit_log(actor=medecin, action="test.entry")
    settings = connection.settings_dict
    app = psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
                          dbname=settings["NAME"], user=role, autocommit=True)  # fmt: skip
    refused = [
        "UPDATE fiches_auditlog SET action = 'falsified'",
        "DELETE FROM fiches_auditlog",
        "TRUNCATE fiches_auditlog",
        "ALTER TABLE fiches_auditlog DISABLE TRIGGER fiches_auditlog_append_only",
        "ALTER TABLE fiches_auditlog DISABLE TRIGGER ALL",
        "DROP TABLE fiches_auditlog",
        "UPDATE accounts_securityevent SET action = 'falsified'",
        "UPDATE accounts_securityevent SET ip = NULL, detail = ''",
        "DELETE FROM accounts_securityevent",
        "TRUNCATE accounts_securityevent",
        "TRUNCATE fiches_fiche CASCADE",
    ]
    try:
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
        # What the application needs still works.
        assert app.execute("SELECT count(*) FROM fiches_auditlog").fetchone()[0] >= 1
        app.execute("INSERT INTO fiches_auditlog (created_at, actor_role, action, data) "
                    "VALUES (now(), '', 'test.app', '{}')")  # fmt: skip
        app.execute("UPDATE django_session SET expire_date = expire_date")
        app.execute("UPDATE accounts_securityevent SET ip = NULL")  # the retention purge's
    finally:
        app.close()

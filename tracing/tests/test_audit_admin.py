"""The audit of the doctor's screens and the services, and Django admin for issue 5's models."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from fiches import services
from fiches.audit import AuditLog
from fiches.models import Fiche
from fiches.statuses import Statut
from fiches.tests.factories import FicheFactory

pytestmark = pytest.mark.django_db

ADMIN_MODELS = ["fiches/appel", "fiches/prelevement", "fiches/delivrancemasques",
                "tracing/affectation", "tracing/cluster", "tracing/throttlewindow"]  # fmt: skip


def test_doctor_viewing_a_fiche_is_audited(client, medecin):
    fiche = FicheFactory(declarant=medecin)
    client.force_login(medecin)

    client.get(reverse("tracing:fiche", args=[fiche.pk]))

    entry = AuditLog.objects.for_object(fiche).get(action="fiche.viewed")
    assert (entry.actor, entry.actor_role) == (medecin, "Médecin")


def test_creation_change_and_status_change_are_audited_by_the_services(medecin):
    fiche = services.fiche_create(
        user=medecin,
        data={"nom": "Durand", "prenom": "Alice", "nir": "269054958815780",
              "information_patient": True, "code_postal": "75011"},
    )  # fmt: skip
    fiche = services.fiche_update(
        fiche=fiche, user=medecin, data={"telephone": "+33612345678"}, version=fiche.version
    )
    services.status_change(fiche=fiche, user=medecin, to=Statut.CLOTURE, motif="Négatif")

    actions = list(
        AuditLog.objects.for_object(fiche).order_by("id").values_list("action", flat=True)
    )

    assert actions == ["fiche.created", "fiche.updated", "fiche.status_changed"]
    # The reason (free text, possibly an identity) stays in the history, not in the audit.
    assert AuditLog.objects.get(action="fiche.status_changed").data == {
        "de": "en_attente", "vers": "cloture"
    }  # fmt: skip


def test_admin_offers_who_viewed_this_fiche(client, administrateur, medecin):
    fiche = FicheFactory(declarant=medecin)
    client.force_login(medecin)
    client.get(reverse("tracing:fiche", args=[fiche.pk]))
    client.force_login(administrateur)

    html = client.get(reverse("admin:fiches_fiche_change", args=[fiche.pk])).content.decode()

    content_type = ContentType.objects.get_for_model(Fiche)
    link = f"?content_type={content_type.pk}&amp;object_id={fiche.pk}"
    assert "Qui a consulté cette fiche" in html and link in html
    changelist = client.get(
        reverse("admin:fiches_auditlog_changelist"),
        {"content_type": content_type.pk, "object_id": fiche.pk},
    )
    assert changelist.status_code == 200
    assert "fiche.viewed" in changelist.content.decode()


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_lists_issue_5_models_without_deletion(client, administrateur, model):
    client.force_login(administrateur)
    app, name = model.split("/")
    response = client.get(reverse(f"admin:{app}_{name}_changelist"))
    assert response.status_code == 200
    assert "delete_selected" not in response.content.decode()


def test_admin_is_for_administrators_only(client, pharmacien):
    client.force_login(pharmacien)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_admin_reads_a_fiche_but_cannot_change_it_outside_the_services(
    client, administrateur, medecin
):
    fiche = FicheFactory(declarant=medecin, nom="Avant")
    client.force_login(administrateur)
    url = reverse("admin:fiches_fiche_change", args=[fiche.pk])

    page = client.get(url)
    client.post(url, {"nom": "Après", "prenom": fiche.prenom})

    assert page.status_code == 200
    assert "Avant" in page.content.decode()
    fiche.refresh_from_db()
    assert fiche.nom == "Avant"


# --- Admins' reads are audited (issue 12) -------------------------------------------------------


def test_an_admin_opening_a_fiche_is_in_who_viewed_this_fiche(client, administrateur, medecin):
    fiche = FicheFactory(declarant=medecin)
    client.force_login(administrateur)

    response = client.get(reverse("admin:fiches_fiche_change", args=[fiche.pk]))

    assert response.status_code == 200
    entry = AuditLog.objects.for_object(fiche).get(action="admin.viewed")
    assert entry.actor == administrateur and entry.ip == "127.0.0.1"


def test_an_admin_list_or_nir_search_is_audited_with_its_query_and_count(
    client, administrateur, medecin
):
    fiche = FicheFactory(declarant=medecin)
    FicheFactory.create_batch(2, declarant=medecin)
    client.force_login(administrateur)

    client.get(reverse("admin:fiches_fiche_changelist"))
    client.get(reverse("admin:fiches_fiche_changelist"), {"q": fiche.nir})

    listed, searched = AuditLog.objects.filter(action="admin.listed").order_by("id")
    assert listed.data["modele"] == "fiches.fiche" and listed.data["nombre"] == 3
    assert searched.data["recherche"] == "NIR (15 caractères)"  # never the NIR itself
    assert fiche.nir not in str(searched.data)
    assert searched.data["objets"] == [fiche.pk] and searched.data["nombre"] == 1


@pytest.mark.parametrize(
    "url_name",
    ["admin:fiches_beneficiaire_changelist", "admin:fiches_appel_changelist",
     "admin:fiches_prelevement_changelist", "admin:fiches_delivrancemasques_changelist",
     "admin:tracing_cluster_changelist"],
)  # fmt: skip
def test_every_admin_list_of_health_data_is_audited(client, administrateur, url_name):
    client.force_login(administrateur)

    assert client.get(reverse(url_name)).status_code == 200

    assert AuditLog.objects.filter(action="admin.listed", actor=administrateur).count() == 1


def test_an_admin_list_costs_one_insert_more_not_a_query_per_row(
    client, administrateur, medecin, django_assert_max_num_queries
):
    FicheFactory.create_batch(5, declarant=medecin)
    client.force_login(administrateur)
    url = reverse("admin:fiches_fiche_changelist")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    FicheFactory.create_batch(30, declarant=medecin)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)

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
    assert AuditLog.objects.get(action="fiche.status_changed").data == {
        "de": "en_attente", "vers": "cloture", "motif": "Négatif"
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

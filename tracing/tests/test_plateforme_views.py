"""The conseiller plateforme's screens: queue, fiche, calls, phone, closing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fiches.audit import AuditLog
from fiches.models import Fiche
from fiches.models_tracing import Appel
from fiches.statuses import Statut
from fiches.tests.factories import ContactFactory
from tracing.tests.fixtures import NIR_LUCAS  # noqa: F401

pytestmark = pytest.mark.django_db


def version(fiche):
    """The version the fiche's page shows now (what its forms send back)."""
    fiche.refresh_from_db(fields=["version"])
    return fiche.version


def _queue(client):
    """The queue itself (without the planned recalls listed below it)."""
    html = client.get(reverse("tracing:plateforme_file")).content.decode()
    return html.split('id="titre-rappels"')[0]


def test_queue_shows_due_recalls_first_then_to_contact_then_to_find_oldest_first(
    client, conseiller93, patient93
):
    now = timezone.now()
    a_trouver = ContactFactory(
        origine=patient93,
        departement="93",
        prenom="Atrouver",
        statut=Statut.CONTACT_A_TROUVER,
        statut_depuis=now - timedelta(days=5),
    )
    a_contacter_recent = ContactFactory(
        origine=patient93,
        departement="93",
        prenom="Recent",
        statut=Statut.A_CONTACTER,
        statut_depuis=now,
    )
    a_contacter_ancien = ContactFactory(
        origine=patient93,
        departement="93",
        prenom="Ancien",
        statut=Statut.A_CONTACTER,
        statut_depuis=now - timedelta(days=1),
    )
    rappel_du = ContactFactory(
        origine=patient93,
        departement="93",
        prenom="Rappeldu",
        statut=Statut.PATIENT_A_RAPPELER,
        rappel_le=now - timedelta(hours=1),
    )
    ContactFactory(
        origine=patient93,
        departement="93",
        prenom="Rappelplustard",
        statut=Statut.PATIENT_A_RAPPELER,
        rappel_le=now + timedelta(hours=3),
    )
    ContactFactory(
        origine=patient93, departement="75", prenom="Parisien", statut=Statut.A_CONTACTER
    )
    client.force_login(conseiller93)

    html = _queue(client)

    order = [html.index(f.prenom) for f in (rappel_du, a_contacter_ancien, a_contacter_recent,
                                              a_trouver)]  # fmt: skip
    assert order == sorted(order)
    assert "Rappelplustard" not in html
    assert "Parisien" not in html


def test_due_recalls_come_earliest_recall_first(client, conseiller93, patient93):
    now = timezone.now()
    ContactFactory(
        origine=patient93,
        departement="93",
        prenom="Rappeltard",
        statut=Statut.PATIENT_A_RAPPELER,
        rappel_le=now - timedelta(minutes=5),
        statut_depuis=now - timedelta(days=3),
    )
    ContactFactory(origine=patient93, departement="93", prenom="Rappeltot",
                   statut=Statut.PATIENT_A_RAPPELER, rappel_le=now - timedelta(hours=2),
                   statut_depuis=now - timedelta(days=1))  # fmt: skip
    client.force_login(conseiller93)

    html = _queue(client)

    assert html.index("Rappeltot") < html.index("Rappeltard")


def test_queue_filters_by_statut_and_runs_in_constant_queries(
    client, conseiller93, patient93, django_assert_max_num_queries
):
    for i in range(30):
        ContactFactory(
            origine=patient93,
            departement="93",
            prenom=f"Personne{i}",
            statut=Statut.A_CONTACTER if i % 2 else Statut.CONTACT_A_TROUVER,
        )
    client.force_login(conseiller93)
    _queue(client)  # stamp the session's activity first

    with django_assert_max_num_queries(8):
        response = client.get(reverse("tracing:plateforme_file"), {"statut": "a_contacter"})

    html = response.content.decode()
    assert "Contact à trouver</td>" not in html
    assert html.count("À contacter</td>") == 15


def test_no_answer_sets_a_recall_and_the_contact_leaves_the_queue_until_due(
    client, conseiller93, contact93
):
    client.force_login(conseiller93)
    demain = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        reverse("tracing:plateforme_appel", args=[contact93.pk]),
        {"issue": "pas_de_reponse", "rappel_le": demain, "version": version(contact93)},
    )

    assert response.status_code == 302
    contact93.refresh_from_db()
    assert contact93.statut == Statut.PATIENT_A_RAPPELER
    assert "Lucas PETIT" not in _queue(client)
    contact93.rappel_le = timezone.now() - timedelta(minutes=1)
    contact93.save(update_fields=["rappel_le"])  # time passes
    assert "Lucas PETIT" in _queue(client)


def test_reached_call_with_instructions_shows_the_quatorzaine_end_and_both_calls(
    client, conseiller93, contact93
):
    client.force_login(conseiller93)
    demain = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("tracing:plateforme_appel", args=[contact93.pk])
    client.post(
        url, {"issue": "pas_de_reponse", "rappel_le": demain, "version": version(contact93)}
    )
    dernier_contact = timezone.localdate() - timedelta(days=3)

    response = client.post(url, {
        "issue": "joint", "consigne_masque": "on", "consigne_isolement": "on",
        "date_dernier_contact": dernier_contact.isoformat(), "note": "Très coopératif",
        "version": version(contact93),
    })  # fmt: skip

    assert response.status_code == 302
    html = client.get(reverse("tracing:plateforme_fiche", args=[contact93.pk])).content.decode()
    fin = (dernier_contact + timedelta(days=14)).strftime("%d/%m/%Y")
    assert f"Fin de la quatorzaine : {fin}" in html
    assert html.count("<li>", html.index('data-testid="appels"')) >= 2
    assert "Pas de réponse (à rappeler)" in html and "Personne jointe" in html
    contact93.refresh_from_db()
    assert contact93.statut == Statut.APPEL_REALISE
    assert Appel.objects.filter(fiche=contact93).count() == 2
    assert AuditLog.objects.for_object(contact93).filter(action="fiche.call_recorded").count() == 2


def test_isolation_without_last_contact_date_is_refused_in_french(client, conseiller93, contact93):
    client.force_login(conseiller93)

    response = client.post(
        reverse("tracing:plateforme_appel", args=[contact93.pk]),
        {"issue": "joint", "consigne_isolement": "on", "version": version(contact93)},
    )

    assert response.status_code == 400
    assert "Indiquez la date du dernier contact" in response.content.decode()
    contact93.refresh_from_db()
    assert contact93.statut == Statut.A_CONTACTER


def test_wrong_number_makes_the_contact_non_avere(client, conseiller93, contact93):
    client.force_login(conseiller93)
    client.post(
        reverse("tracing:plateforme_appel", args=[contact93.pk]),
        {"issue": "faux_numero", "version": version(contact93)},
    )
    contact93.refresh_from_db()
    assert contact93.statut == Statut.CONTACT_NON_AVERE


def test_completing_the_phone_moves_contact_a_trouver_to_a_contacter(
    client, conseiller93, patient93
):
    contact = ContactFactory(origine=patient93, departement="93", telephone="")
    client.force_login(conseiller93)

    client.post(reverse("tracing:plateforme_telephone", args=[contact.pk]),
                {"telephone": "06 12 34 56 78", "version": version(contact)})  # fmt: skip

    contact.refresh_from_db()
    assert contact.telephone == "+33612345678"
    assert contact.statut == Statut.A_CONTACTER


def test_closing_needs_a_reason_and_records_it(client, conseiller93, contact93):
    client.force_login(conseiller93)
    url = reverse("tracing:plateforme_cloturer", args=[contact93.pk])

    assert client.post(url, {"motif": "", "version": version(contact93)}).status_code == 400
    client.post(url, {"motif": "Suivi terminé", "version": version(contact93)})

    contact93.refresh_from_db()
    assert contact93.statut == Statut.CLOTURE
    assert contact93.historique.last().motif == "Suivi terminé"


def test_consent_of_the_patient_zero_is_shown_at_a_glance(client, conseiller93, contact93):
    client.force_login(conseiller93)
    url = reverse("tracing:plateforme_fiche", args=[contact93.pk])

    assert "Identité communicable" in client.get(url).content.decode()

    origine = contact93.origine
    origine.accord_identite = "non"
    origine.save(update_fields=["accord_identite"])
    html = client.get(url).content.decode()
    assert "Ne pas communiquer l'identité du patient zéro" in html
    assert "Benali".upper() not in html


def test_viewing_a_fiche_is_audited(client, conseiller93, contact93):
    client.force_login(conseiller93)
    client.get(reverse("tracing:plateforme_fiche", args=[contact93.pk]))
    entry = AuditLog.objects.for_object(contact93).get(action="fiche.viewed")
    assert entry.actor == conseiller93
    assert entry.actor_role == "Conseiller plateforme"
    assert entry.ip == "127.0.0.1"


def test_fiche_outside_the_caisse_departements_is_a_404(client, conseiller93, contact75):
    client.force_login(conseiller93)
    assert client.get(reverse("tracing:plateforme_fiche", args=[contact75.pk])).status_code == 404
    response = client.post(reverse("tracing:plateforme_appel", args=[contact75.pk]),
                           {"issue": "joint"})  # fmt: skip
    assert response.status_code == 404


def test_conseiller_adds_a_contact_with_a_phone_it_is_to_contact_and_keeps_the_doctor(
    client, conseiller93, patient93
):
    client.force_login(conseiller93)

    response = client.post(reverse("tracing:plateforme_contact_create", args=[patient93.pk]), {
        "nom": "Girard", "prenom": "Emma", "code_postal": "93200", "telephone": "06 11 22 33 44",
        "collectivite": "non",
        "action": "valider",
    })  # fmt: skip

    assert response.status_code == 302
    contact = patient93.contacts.get(prenom="Emma")
    assert contact.statut == Statut.A_CONTACTER
    assert contact.medecin == patient93.medecin
    assert contact.declarant == conseiller93


def test_enriching_a_contact_with_its_phone_moves_it_to_a_contacter(
    client, conseiller93, patient93
):
    contact = ContactFactory(origine=patient93, departement="93", code_postal="93100",
                             telephone="", nom="Girard", prenom="Emma")  # fmt: skip
    client.force_login(conseiller93)
    url = reverse("tracing:plateforme_completer", args=[contact.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {
        "nom": "Girard", "prenom": "Emma", "code_postal": "93100", "telephone": "06 11 22 33 44",
        "commune": "Montreuil", "version": contact.version, "action": "valider",
        "collectivite": "non",
    })  # fmt: skip

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.commune, contact.statut) == ("Montreuil", Statut.A_CONTACTER)
    assert AuditLog.objects.for_object(contact).filter(action="fiche.updated").exists()


def test_a_nir_typed_on_a_patient_zeros_form_is_throttled_and_audited_for_the_conseiller(
    client, conseiller93, patient93, settings
):
    # Both windows at 1: the two posts may straddle a minute's boundary, not the day's too.
    settings.LOOKUP_THROTTLE_PER_MINUTE = 1
    settings.LOOKUP_THROTTLE_PER_DAY = 1
    client.force_login(conseiller93)
    url = reverse("tracing:plateforme_completer", args=[patient93.pk])
    stale = {"nir": "1 85 05 78 006 084 91", "nom": "Benali", "prenom": "Nadia",
             "information_patient": "on", "collectivite": "non", "version": 999}  # fmt: skip

    client.post(url, stale)
    refused = client.post(url, {**stale, "nir": "2 69 05 49 588 157 80"})  # a second NIR

    assert refused.status_code == 429
    assert "Trop de recherches de NIR en une minute ou dans la journée" in refused.content.decode()
    actions = list(AuditLog.objects.filter(actor=conseiller93).values_list("action", flat=True))
    assert "beneficiaire.lookup" in actions
    assert "beneficiaire.lookup_refused" in actions


NEW_PZ_93 = {"nir": "2 69 05 49 588 157 80", "nom": "Dupont", "prenom": "Martine",
             "code_postal": "93100", "commune": "Montreuil", "information_patient": "on",
             "collectivite": "non", "action": "valider"}  # fmt: skip


def test_conseiller_initiates_a_patient_zero_of_its_departements(client, conseiller93):
    client.force_login(conseiller93)
    url = reverse("tracing:plateforme_patient_zero_create")
    assert "NOUVEAU PATIENT +" in client.get(reverse("tracing:plateforme_file")).content.decode()

    response = client.post(url, NEW_PZ_93)

    fiche = Fiche.objects.get(nom="Dupont")
    assert response.url == reverse("tracing:plateforme_fiche", args=[fiche.pk])
    assert (fiche.is_patient_zero, fiche.departement, fiche.statut) == (
        True, "93", Statut.EN_ATTENTE
    )  # fmt: skip
    assert fiche.declarant == conseiller93 and fiche.medecin is None
    assert client.get(response.url).status_code == 200
    assert AuditLog.objects.for_object(fiche).filter(action="fiche.created").exists()


def test_conseiller_cannot_create_a_patient_zero_outside_its_departements(client, conseiller93):
    client.force_login(conseiller93)

    response = client.post(
        reverse("tracing:plateforme_patient_zero_create"), {**NEW_PZ_93, "code_postal": "69003"}
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "Indiquez un code postal d&#x27;un département de votre caisse (93)" in content
    assert 'value="Dupont"' in content
    assert not Fiche.objects.filter(nom="Dupont").exists()

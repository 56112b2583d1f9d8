"""Laboratories and pharmacies: exact lookup only, throttled, audited; each sees only what the
décret allows, and records samples, results and mask deliveries."""

from types import SimpleNamespace

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from fiches.audit import AuditLog
from fiches.identity import format_nir
from fiches.models import Nature
from fiches.models_tracing import DelivranceMasques
from fiches.statuses import Statut
from fiches.tests.factories import ContactFactory
from tracing.tests.fixtures import NIR_LUCAS

pytestmark = pytest.mark.django_db

PAR_NOM = {"nom": "petit", "prenom": "LUCAS", "date_naissance": "2010-03-14"}


def _search(client, url_name, data):
    return client.post(reverse(url_name), data)


@pytest.mark.parametrize(
    "url_name", ["tracing:laboratoire_recherche", "tracing:pharmacie_recherche"]
)
@pytest.mark.parametrize("role", ["biologiste", "pharmacien"])
def test_exact_lookup_by_nir_or_by_name_first_name_and_birth_date(
    client, request, role, url_name, contact93
):
    user = request.getfixturevalue(role)
    if (role == "biologiste") != url_name.startswith("tracing:laboratoire"):
        client.force_login(user)
        assert _search(client, url_name, {"nir": NIR_LUCAS}).status_code == 403
        return
    client.force_login(user)

    by_nir = _search(client, url_name, {"nir": NIR_LUCAS}).content.decode()
    by_name = _search(client, url_name, PAR_NOM).content.decode()

    assert "Lucas PETIT" in by_nir
    assert "Lucas PETIT" in by_name


@pytest.mark.parametrize(
    "data",
    [
        {"nom": "Pet", "prenom": "Lucas", "date_naissance": "2010-03-14"},
        {"nom": "Petit", "prenom": "Luc", "date_naissance": "2010-03-14"},
        {"nom": "Petit", "prenom": "Lucas", "date_naissance": "2010-03-15"},
        {"nir": NIR_LUCAS[:7]},
    ],
)
def test_partial_lookup_finds_nothing(client, pharmacien, contact93, data):
    client.force_login(pharmacien)
    html = _search(client, "tracing:pharmacie_recherche", data).content.decode()
    assert "Lucas PETIT" not in html


def test_name_without_birth_date_is_refused(client, pharmacien, contact93):
    client.force_login(pharmacien)
    response = _search(client, "tracing:pharmacie_recherche", {"nom": "Petit", "prenom": "Lucas"})
    assert response.status_code == 400
    assert "la recherche se fait sur des valeurs exactes" in response.content.decode()


@override_settings(LOOKUP_THROTTLE_PER_MINUTE=30)
def test_the_31st_lookup_in_a_minute_is_refused_in_french(
    client, pharmacien, contact93, monkeypatch
):
    # The window is a calendar minute: keep the 31 lookups inside one, however slow the machine.
    frozen = timezone.now().replace(second=1)
    clock = SimpleNamespace(now=lambda: frozen, localtime=timezone.localtime)
    monkeypatch.setattr("tracing.throttle.timezone", clock)
    client.force_login(pharmacien)
    for _ in range(30):
        assert _search(client, "tracing:pharmacie_recherche", PAR_NOM).status_code == 200

    response = _search(client, "tracing:pharmacie_recherche", PAR_NOM)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de recherches en une minute ou dans la journée" in html
    assert "Lucas PETIT" not in html
    assert AuditLog.objects.filter(actor=pharmacien, action="fiche.lookup_refused").exists()


def test_lookups_are_audited_found_or_not(client, biologiste, contact93):
    client.force_login(biologiste)
    _search(client, "tracing:laboratoire_recherche", {"nir": NIR_LUCAS})
    _search(client, "tracing:laboratoire_recherche", {**PAR_NOM, "nom": "Inconnu"})

    found = AuditLog.objects.for_object(contact93).get(action="fiche.lookup")
    assert found.data == {"critere": "nir", "trouve": True}
    assert AuditLog.objects.filter(
        actor=biologiste, action="fiche.lookup", object_id=None, data__trouve=False
    ).exists()


def test_a_person_not_found_in_this_session_cannot_be_opened_by_number(
    client, pharmacien, contact93
):
    client.force_login(pharmacien)
    url = reverse("tracing:pharmacie_personne", args=[contact93.pk])
    assert client.get(url).status_code == 404
    _search(client, "tracing:pharmacie_recherche", PAR_NOM)
    assert client.get(url).status_code == 200


def test_pharmacist_sees_identity_and_coordinates_only(client, pharmacien, contact93, patient93):
    sibling = ContactFactory(origine=patient93, voie="99 avenue Secrète", nom="Autre")
    client.force_login(pharmacien)
    _search(client, "tracing:pharmacie_recherche", PAR_NOM)

    html = client.get(reverse("tracing:pharmacie_personne", args=[contact93.pk])).content.decode()

    for visible in ("PETIT", "Lucas", "14/03/2010", "Homme", format_nir(NIR_LUCAS),
                    "06 12 00 00 01", "12 rue de Paris"):  # fmt: skip
        assert visible in html
    for hidden in (
        "Benali",
        "BENALI",
        "Nadia",
        "1 rue Zéro",
        sibling.voie,
        "Milieu scolaire",
        "Confirmé RT-PCR",
        "diagnostic",
        "collectivit",
        "À contacter",
        "Précisions",
    ):
        assert hidden not in html


def test_pharmacist_records_14_masks_and_sees_earlier_deliveries(client, pharmacien, contact93):
    client.force_login(pharmacien)
    _search(client, "tracing:pharmacie_recherche", PAR_NOM)
    today = timezone.localdate().isoformat()

    response = client.post(
        reverse("tracing:pharmacie_masques", args=[contact93.pk]),
        {"date": today, "nombre": "14"},
        follow=True,
    )

    assert "14 masques" in response.content.decode()
    assert DelivranceMasques.objects.get(fiche=contact93).nombre == 14
    assert AuditLog.objects.for_object(contact93).filter(action="fiche.masks_delivered").exists()


def test_a_delivery_posted_twice_is_recorded_once(client, pharmacien, contact93):
    client.force_login(pharmacien)
    _search(client, "tracing:pharmacie_recherche", PAR_NOM)
    url = reverse("tracing:pharmacie_masques", args=[contact93.pk])
    page = client.get(reverse("tracing:pharmacie_personne", args=[contact93.pk])).content.decode()
    token = page.split('name="soumission" value="')[1].split('"')[0]
    data = {"date": timezone.localdate().isoformat(), "nombre": "14", "soumission": token}

    first, second = client.post(url, data), client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert DelivranceMasques.objects.filter(fiche=contact93).count() == 1


def test_biologist_sees_sampling_fields_only(client, biologiste, contact93):
    contact93.prelevement_domicile = True
    contact93.destinataire_resultats = "autre_medecin"
    contact93.precisions = "Note clinique confidentielle"
    contact93.save()
    client.force_login(biologiste)
    _search(client, "tracing:laboratoire_recherche", {"nir": NIR_LUCAS})

    html = client.get(reverse("tracing:laboratoire_personne", args=[contact93.pk])).content.decode()

    assert "Prélèvement à domicile demandé" in html
    assert "Le patient a désigné un autre médecin" in html
    for hidden in ("Benali", "Nadia", "Note clinique confidentielle", "Milieu scolaire",
                   "À contacter"):  # fmt: skip
        assert hidden not in html


def test_positive_result_promotes_the_contact_to_patient_zero_on_the_doctors_list(
    client, biologiste, medecin, contact93
):
    client.force_login(biologiste)
    _search(client, "tracing:laboratoire_recherche", {"nir": NIR_LUCAS})
    client.post(
        reverse("tracing:laboratoire_prelevement", args=[contact93.pk]),
        {"date": timezone.localdate().isoformat(), "lieu": "Laboratoire BIO DEMO"},
    )
    sample = contact93.prelevements.get()
    url = reverse("tracing:laboratoire_resultat", args=[contact93.pk, sample.pk])

    # First a second step naming the person and what follows; nothing recorded yet.
    step = client.post(url, {"resultat": "positif"})
    assert step.status_code == 200
    assert "Lucas PETIT deviendra patient zéro" in step.content.decode()
    contact93.refresh_from_db()
    assert (
        contact93.nature == Nature.CONTACT
        and not sample.__class__.objects.get(pk=sample.pk).resultat
    )
    client.post(url, {"resultat": "positif", "confirme": "on"})

    contact93.refresh_from_db()
    assert contact93.nature == Nature.PATIENT_ZERO
    assert contact93.statut == Statut.DIAGNOSTIC_CONFIRME
    assert contact93.argument_diagnostic == "rt_pcr"
    actions = set(AuditLog.objects.for_object(contact93).values_list("action", flat=True))
    assert {"fiche.sample_recorded", "fiche.result_recorded", "fiche.status_changed"} <= actions
    client.force_login(medecin)
    html = client.get(reverse("tracing:home")).content.decode()
    assert "Lucas PE" in html


def test_negative_result_changes_no_status(client, biologiste, contact93):
    _sample, url = _sample_taken(client, biologiste, contact93, lieu="Domicile")
    client.post(url, {"resultat": "negatif"})
    contact93.refresh_from_db()
    assert contact93.nature == Nature.CONTACT
    assert contact93.statut == Statut.A_CONTACTER


# --- Who a laboratory and a pharmacy may find (décret 2020-551, the guide) ----------------------


def _pz(medecin, statut):
    from fiches.tests.factories import FicheFactory

    return FicheFactory(declarant=medecin, statut=statut, nom="Zero", prenom="Patient",
                        date_naissance="1980-01-01")  # fmt: skip


@pytest.mark.parametrize(
    ("role", "statut", "found"),
    [("biologiste", Statut.EN_ATTENTE, True), ("biologiste", Statut.DIAGNOSTIC_CONFIRME, False),
     ("biologiste", Statut.APPEL_REALISE, False), ("pharmacien", Statut.EN_ATTENTE, False),
     ("pharmacien", Statut.DIAGNOSTIC_CONFIRME, False)],
)  # fmt: skip
def test_patients_zero_are_found_only_by_a_laboratory_and_only_while_waiting_for_their_test(
    client, request, medecin, role, statut, found
):
    user = request.getfixturevalue(role)
    pz = _pz(medecin, statut)
    client.force_login(user)
    url = {"biologiste": "tracing:laboratoire_recherche",
           "pharmacien": "tracing:pharmacie_recherche"}[role]  # fmt: skip
    personne = {"biologiste": "tracing:laboratoire_personne",
                "pharmacien": "tracing:pharmacie_personne"}[role]  # fmt: skip

    html = _search(client, url, {"nir": format_nir(pz.nir)}).content.decode()

    assert ("Patient ZERO" in html) is found
    assert client.get(reverse(personne, args=[pz.pk])).status_code == (200 if found else 404)


def test_the_laboratory_still_sees_its_own_result_after_it_promoted_the_contact(
    client, biologiste, pharmacien, contact93
):
    client.force_login(pharmacien)
    _search(client, "tracing:pharmacie_recherche", {"nir": NIR_LUCAS})
    client.force_login(biologiste)
    _search(client, "tracing:laboratoire_recherche", {"nir": NIR_LUCAS})
    client.post(
        reverse("tracing:laboratoire_prelevement", args=[contact93.pk]),
        {"date": timezone.localdate().isoformat(), "lieu": "Laboratoire BIO DEMO"},
    )
    sample = contact93.prelevements.get()
    client.post(reverse("tracing:laboratoire_resultat", args=[contact93.pk, sample.pk]),
                {"resultat": "positif", "confirme": "on"})  # fmt: skip

    page = client.get(reverse("tracing:laboratoire_personne", args=[contact93.pk]))

    assert page.status_code == 200 and "Positif" in page.content.decode()
    # A patient zéro now: the pharmacy no longer finds nor opens it.
    client.force_login(pharmacien)
    assert client.get(reverse("tracing:pharmacie_personne", args=[contact93.pk])).status_code == 404
    html = _search(client, "tracing:pharmacie_recherche", {"nir": NIR_LUCAS}).content.decode()
    assert "Lucas" not in html


def _found(client, pharmacien):
    client.force_login(pharmacien)
    _search(client, "tracing:pharmacie_recherche", PAR_NOM)


def test_masks_beyond_the_weekly_allowance_are_confirmed_first(client, pharmacien, contact93):
    from django.utils import timezone

    from fiches.models_tracing import DelivranceMasques

    _found(client, pharmacien)
    url = reverse("tracing:pharmacie_masques", args=[contact93.pk])
    today = timezone.localdate().isoformat()
    client.post(url, {"date": today, "nombre": 14})

    again = client.post(url, {"date": today, "nombre": 14})

    assert again.status_code == 409
    html = again.content.decode()
    assert "Déjà 14 masques délivrés sur 7 jours" in html and "ce serait 28" in html
    assert "Je confirme cette délivrance" in html
    assert DelivranceMasques.objects.filter(fiche=contact93).count() == 1
    confirmed = client.post(url, {"date": today, "nombre": 14, "confirmer_depassement": "on"})
    assert confirmed.status_code == 302
    assert DelivranceMasques.objects.filter(fiche=contact93).count() == 2
    entry = AuditLog.objects.filter(action="fiche.masks_delivered").order_by("id").last()
    assert entry.data["au_dela_allocation"] is True


def test_a_delivery_a_week_later_needs_no_confirmation(client, pharmacien, contact93, settings):
    from datetime import timedelta

    from django.utils import timezone

    _found(client, pharmacien)
    url = reverse("tracing:pharmacie_masques", args=[contact93.pk])
    today = timezone.localdate()
    client.post(url, {"date": (today - timedelta(days=7)).isoformat(), "nombre": 14})

    response = client.post(url, {"date": today.isoformat(), "nombre": 14})

    assert response.status_code == 302
    page = client.get(reverse("tracing:pharmacie_personne", args=[contact93.pk])).content.decode()
    assert "Sur les 7 derniers jours : <strong>14 masques</strong>" in page


def _sample_taken(client, biologiste, contact93, lieu="Laboratoire BIO DEMO"):
    """The laboratory finds Lucas by his NIR and records a sample: its result URL."""
    client.force_login(biologiste)
    _search(client, "tracing:laboratoire_recherche", {"nir": NIR_LUCAS})
    client.post(
        reverse("tracing:laboratoire_prelevement", args=[contact93.pk]),
        {"date": timezone.localdate().isoformat(), "lieu": lieu},
    )
    sample = contact93.prelevements.get()
    return sample, reverse("tracing:laboratoire_resultat", args=[contact93.pk, sample.pk])


def _positive_recorded(client, biologiste, contact93):
    sample, url = _sample_taken(client, biologiste, contact93)
    client.post(url,
                {"resultat": "positif", "confirme": "on"})  # fmt: skip
    return reverse("tracing:laboratoire_correction", args=[contact93.pk, sample.pk])


def test_a_positive_recorded_by_mistake_is_corrected_and_the_promotion_undone(
    client, biologiste, contact93
):
    from fiches.models_tracing import CorrectionResultat

    url = _positive_recorded(client, biologiste, contact93)
    contact93.refresh_from_db()
    assert contact93.nature == Nature.PATIENT_ZERO

    response = client.post(url, {"resultat": "negatif", "motif": "Inversion d'échantillons",
                                  "confirme": "on"}, follow=True)  # fmt: skip

    assert "le passage en patient zéro" in response.content.decode()
    contact93.refresh_from_db()
    assert contact93.nature == Nature.CONTACT and contact93.statut == Statut.A_CONTACTER
    assert contact93.argument_diagnostic == ""
    correction = CorrectionResultat.objects.get()
    assert (correction.avant, correction.apres, correction.by) == ("positif", "negatif", biologiste)
    assert correction.promotion_annulee
    last = contact93.historique.order_by("at", "id").last()
    assert last.to_statut == Statut.A_CONTACTER and "Inversion" in last.motif
    assert AuditLog.objects.filter(action="fiche.result_corrected", actor=biologiste).exists()


def test_a_correction_after_a_call_keeps_the_patient_zero_and_says_why(
    client, biologiste, conseiller93, contact93
):
    from fiches.services_tracing import appel_record

    url = _positive_recorded(client, biologiste, contact93)
    appel_record(fiche=contact93, user=conseiller93, issue="joint")

    response = client.post(url, {"resultat": "negatif", "motif": "Erreur", "confirme": "on"},
                           follow=True)  # fmt: skip

    assert "La personne reste patient zéro" in response.content.decode()
    contact93.refresh_from_db()
    assert contact93.nature == Nature.PATIENT_ZERO
    assert contact93.prelevements.get().resultat == "negatif"


def test_a_result_older_than_a_day_is_no_longer_corrected_here(client, biologiste, contact93):
    from datetime import timedelta

    from fiches.models_tracing import Prelevement

    url = _positive_recorded(client, biologiste, contact93)
    Prelevement.objects.filter(fiche=contact93).update(
        resultat_le=timezone.now() - timedelta(hours=25)
    )

    response = client.post(url, {"resultat": "negatif", "motif": "Erreur", "confirme": "on"})

    assert response.status_code == 400
    assert "plus de 24 h" in response.content.decode()
    contact93.refresh_from_db()
    assert contact93.nature == Nature.PATIENT_ZERO


def test_a_correction_needs_its_reason_and_its_confirmation_and_keeps_what_was_typed(
    client, biologiste, contact93
):
    url = _positive_recorded(client, biologiste, contact93)

    response = client.post(url, {"resultat": "negatif", "motif": "Tube inversé"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Tube inversé"' in html and "open" in html
    contact93.refresh_from_db()
    assert contact93.nature == Nature.PATIENT_ZERO


def test_another_laboratory_cannot_correct_a_result(client, biologiste, contact93, db):
    from accounts.roles import Role
    from tests.conftest import _user_with_role

    url = _positive_recorded(client, biologiste, contact93)
    other = _user_with_role(Role.BIOLOGISTE)
    client.force_login(other)
    _search(client, "tracing:laboratoire_recherche", {"nir": NIR_LUCAS})

    response = client.post(url, {"resultat": "negatif", "motif": "x", "confirme": "on"})

    assert response.status_code == 404


def test_a_delivery_dated_back_is_counted_with_the_later_ones(client, pharmacien, contact93):
    from datetime import timedelta

    _found(client, pharmacien)
    url = reverse("tracing:pharmacie_masques", args=[contact93.pk])
    today = timezone.localdate()
    client.post(url, {"date": today.isoformat(), "nombre": 14})

    response = client.post(url, {"date": (today - timedelta(days=1)).isoformat(), "nombre": 14})

    assert response.status_code == 409


def test_a_correction_keeps_the_patient_zero_a_second_positive_result_made(
    client, biologiste, contact93
):
    from fiches.models_tracing import Prelevement

    url = _positive_recorded(client, biologiste, contact93)
    Prelevement.objects.create(
        fiche=contact93, by=biologiste, date=timezone.localdate(), lieu="Autre",
        resultat="positif", resultat_le=timezone.now(),
    )  # fmt: skip

    client.post(url, {"resultat": "negatif", "motif": "Erreur", "confirme": "on"})

    contact93.refresh_from_db()
    assert contact93.nature == Nature.PATIENT_ZERO


def test_a_correction_keeps_the_patient_zero_once_its_doctor_edited_the_fiche(
    client, biologiste, medecin, contact93
):
    from fiches.audit import audit_log

    url = _positive_recorded(client, biologiste, contact93)
    audit_log(actor=medecin, action="fiche.updated", obj=contact93, data={"champs": ["email"]})

    client.post(url, {"resultat": "negatif", "motif": "Erreur", "confirme": "on"})

    contact93.refresh_from_db()
    assert contact93.nature == Nature.PATIENT_ZERO

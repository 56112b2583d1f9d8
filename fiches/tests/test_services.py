from datetime import timedelta

import pytest
from django.utils import timezone

from fiches import services
from fiches.models import ArgumentDiagnostic, DeletionForbidden, DomainError, Fiche, StatusChange
from fiches.statuses import TRANSITIONS, Statut
from fiches.tests.factories import BeneficiaireFactory, ContactFactory, FicheFactory

PZ = {"nir": "185057800608491", "nom": "Shneidez", "prenom": "Kevan", "information_patient": True}


def test_new_patient_zero_waits_for_diagnosis_and_history_records_it(medecin):
    fiche = services.fiche_create(user=medecin, data=dict(PZ))

    assert fiche.statut == Statut.EN_ATTENTE
    assert fiche.declarant == medecin and fiche.medecin == medecin
    assert fiche.nom_normalise == "shneidez"
    change = fiche.historique.get()
    assert (change.from_statut, change.to_statut, change.by) == ("", Statut.EN_ATTENTE, medecin)


def test_patient_zero_with_argument_du_diagnostic_is_confirmed(medecin):
    data = dict(PZ, argument_diagnostic=ArgumentDiagnostic.RT_PCR)
    assert services.fiche_create(user=medecin, data=data).statut == Statut.DIAGNOSTIC_CONFIRME


def test_validated_patient_zero_needs_its_nir(medecin):
    with pytest.raises(DomainError) as error:
        services.fiche_create(user=medecin, data=dict(PZ, nir=""))
    assert error.value.field == "nir"


def test_draft_may_lack_mandatory_fields_and_is_validated_later(medecin):
    draft = services.fiche_create(user=medecin, data={"nom": "Debreu"}, brouillon=True)
    assert draft.brouillon and draft.statut == Statut.EN_ATTENTE

    fiche = services.fiche_update(
        fiche=draft,
        user=medecin,
        data=dict(PZ, nom="Debreu", argument_diagnostic=ArgumentDiagnostic.RT_PCR),
        version=draft.version,
        valider=True,
    )

    assert not fiche.brouillon
    assert fiche.statut == Statut.DIAGNOSTIC_CONFIRME


def test_known_nir_takes_identity_from_the_referentiel(medecin):
    beneficiaire = BeneficiaireFactory(nir="185057800608491")
    fiche = services.fiche_create(user=medecin, data=dict(PZ, nom="Autre", prenom="Nom"))
    assert (fiche.nom, fiche.prenom, fiche.beneficiaire) == ("SHNEIDEZ", "Kevan", beneficiaire)


def test_contact_starts_as_contact_a_trouver_under_its_patient_zero(medecin):
    pz = FicheFactory(declarant=medecin)
    contact = services.fiche_create(
        user=medecin, origine=pz, data={"nom": "Caron", "prenom": "Jean", "code_postal": "20200"}
    )
    assert contact.statut == Statut.CONTACT_A_TROUVER
    assert contact.origine == pz and contact.medecin == medecin
    assert contact.departement == "2B"


def test_contact_needs_a_code_postal(medecin):
    pz = FicheFactory(declarant=medecin)
    with pytest.raises(DomainError) as error:
        services.fiche_create(user=medecin, origine=pz, data={"nom": "Caron", "prenom": "Jean"})
    assert error.value.field == "code_postal"


ALL_MOVES = [(a, b) for a in Statut for b in Statut]


@pytest.mark.parametrize("from_statut, to_statut", ALL_MOVES)
def test_status_change_follows_the_transition_table(medecin, from_statut, to_statut):
    # A recall planned (as a call without an answer plans it), so that only the table decides.
    tomorrow = timezone.now() + timedelta(days=1)
    fiche = ContactFactory(statut=from_statut, origine__declarant=medecin, rappel_le=tomorrow)
    allowed = to_statut in TRANSITIONS[from_statut]
    if allowed:
        changed = services.status_change(fiche=fiche, user=medecin, to=to_statut, motif="test")
        assert changed.statut == to_statut
        last = StatusChange.objects.filter(fiche=fiche).latest("id")
        assert (last.from_statut, last.to_statut, last.motif) == (from_statut, to_statut, "test")
    else:
        with pytest.raises(DomainError, match="non autorisé"):
            services.status_change(fiche=fiche, user=medecin, to=to_statut)
        fiche.refresh_from_db()
        assert fiche.statut == from_statut
        assert not StatusChange.objects.filter(fiche=fiche).exists()


def test_nobody_becomes_patient_a_rappeler_without_a_planned_recall(medecin):
    fiche = ContactFactory(statut=Statut.A_CONTACTER, origine__declarant=medecin)

    with pytest.raises(DomainError, match="rappel planifié"):
        services.status_change(fiche=fiche, user=medecin, to=Statut.PATIENT_A_RAPPELER)

    fiche.refresh_from_db()
    assert fiche.statut == Statut.A_CONTACTER


def test_demo_fiches_a_rappeler_all_have_their_recall(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)

    a_rappeler = Fiche.objects.filter(statut=Statut.PATIENT_A_RAPPELER)
    assert a_rappeler.count() >= 2
    assert not a_rappeler.filter(rappel_le__isnull=True).exists()
    for fiche in a_rappeler:
        assert fiche.appels.filter(issue="pas_de_reponse", rappel_le=fiche.rappel_le).exists()


def test_status_change_moves_depuis(medecin):
    fiche = ContactFactory(origine__declarant=medecin)
    before = fiche.statut_depuis
    changed = services.status_change(fiche=fiche, user=medecin, to=Statut.A_CONTACTER)
    assert changed.statut_depuis > before


def test_contact_with_argument_validated_becomes_patient_zero_and_keeps_its_origin(medecin):
    contact = ContactFactory(origine__declarant=medecin, statut=Statut.A_CONTACTER)

    promoted = services.fiche_update(
        fiche=contact,
        user=medecin,
        data={"argument_diagnostic": ArgumentDiagnostic.PROBABLE},
        version=contact.version,
        valider=True,
    )

    assert promoted.is_patient_zero
    assert promoted.statut == Statut.DIAGNOSTIC_CONFIRME
    assert promoted.origine == contact.origine
    last = promoted.historique.latest("id")
    assert last.from_statut == Statut.A_CONTACTER and "patient zéro" in last.motif
    child = services.fiche_create(
        user=medecin, origine=promoted, data={"nom": "A", "prenom": "B", "code_postal": "75001"}
    )
    assert child.origine == promoted


def test_closed_contact_cannot_be_promoted(medecin):
    contact = ContactFactory(origine__declarant=medecin, statut=Statut.CLOTURE,
                             argument_diagnostic=ArgumentDiagnostic.RT_PCR)  # fmt: skip
    with pytest.raises(DomainError):
        services.fiche_promote(fiche=contact, user=medecin)


def test_second_save_with_a_stale_version_is_refused(medecin):
    fiche = FicheFactory(declarant=medecin, nom="Avant")
    opened = fiche.version
    services.fiche_update(fiche=fiche, user=medecin, data={"voie": "1 rue A"}, version=opened)

    with pytest.raises(services.StaleVersion, match="modifiée par une autre personne"):
        services.fiche_update(fiche=fiche, user=medecin, data={"voie": "2 rue B"}, version=opened)
    fiche.refresh_from_db()
    assert fiche.voie == "1 rue A"


def test_services_refuse_server_owned_fields(medecin):
    with pytest.raises(DomainError):
        services.fiche_create(user=medecin, data=dict(PZ, statut=Statut.CLOTURE))


def test_a_fiche_cannot_be_deleted(medecin):
    fiche = FicheFactory(declarant=medecin)
    with pytest.raises(DeletionForbidden, match="jamais être supprimée"):
        fiche.delete()
    with pytest.raises(DeletionForbidden):
        Fiche.objects.filter(pk=fiche.pk).delete()
    with pytest.raises(DeletionForbidden):
        Fiche.objects.all().delete()
    assert Fiche.objects.filter(pk=fiche.pk).exists()


def test_status_history_cannot_be_deleted(medecin):
    fiche = services.fiche_create(user=medecin, data=dict(PZ))
    with pytest.raises(DeletionForbidden):
        fiche.historique.get().delete()
    with pytest.raises(DeletionForbidden):
        StatusChange.objects.all().delete()


def test_contact_form_is_sent_to_the_patient_with_the_pdf(medecin, mailoutbox):
    fiche = FicheFactory(declarant=medecin, email="kevan@exemple.fr")
    services.formulaire_contact_send(fiche=fiche, user=medecin, pdf=b"%PDF-1.7 test")
    (message,) = mailoutbox
    assert message.to == ["kevan@exemple.fr"]
    assert "formulaire de contact" in message.subject
    assert message.attachments[0][0] == "formulaire-de-contact.pdf"


def test_a_contact_created_with_a_phone_goes_straight_to_the_platforms_queue(medecin):
    pz = FicheFactory(declarant=medecin)
    data = {"nom": "Caron", "prenom": "Jean", "code_postal": "75011"}

    with_phone = services.fiche_create(
        user=medecin, origine=pz, data={**data, "telephone": "+33612345678"}
    )
    without = services.fiche_create(user=medecin, origine=pz, data=data)

    assert with_phone.statut == Statut.A_CONTACTER
    assert without.statut == Statut.CONTACT_A_TROUVER


def test_the_doctor_adding_a_phone_puts_a_contact_a_trouver_in_the_queue(medecin):
    contact = ContactFactory(origine__declarant=medecin, code_postal="75011", telephone="")

    updated = services.fiche_update(
        fiche=contact, user=medecin, data={"telephone": "+33612345678"}, version=contact.version
    )

    assert updated.statut == Statut.A_CONTACTER
    assert contact.historique.latest("id").motif == "Téléphone renseigné"


def test_no_demo_contact_with_a_phone_waits_as_contact_a_trouver(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)

    waiting = Fiche.objects.filter(statut=Statut.CONTACT_A_TROUVER)
    assert waiting.exists()
    assert not waiting.exclude(telephone="").exists()


def test_every_demo_fiche_passes_the_validation_typed_data_gets(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)

    for fiche in Fiche.objects.all():
        fiche.full_clean(exclude=["origine", "medecin", "beneficiaire", "declarant"])

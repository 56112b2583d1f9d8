"""POST /api/fhir/: RT-PCR results from a laboratory's system become what the laboratory screen
would have made of them (issue 16)."""

import json

import pytest
from django.urls import reverse
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome

from api.models import ResultatRecu
from api.tests import peer
from api.tests.conftest import AUTRE_FINESS, FINESS
from fiches.audit import AuditLog
from fiches.models import Fiche, Nature
from fiches.models_tracing import Prelevement
from fiches.services_tracing import fiche_suivante
from fiches.statuses import Statut
from fiches.tests.factories import FicheFactory, random_nir
from tracing.policy import fiches_visible_to

pytestmark = pytest.mark.django_db


def _statuts(response):
    return [entry.response.status for entry in peer.reponse(response).entry]


def _diagnostics(response, index):
    outcome = peer.reponse(response).entry[index].response.outcome
    return " ".join(issue.diagnostics for issue in outcome.issue)


def test_metadata_is_a_capability_statement_for_fhir_r4(client):
    response = client.get(reverse("api:metadata"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    statement = CapabilityStatement.model_validate_json(response.content)
    assert statement.fhirVersion == "4.0.1"
    assert {r.type for r in statement.rest[0].resource} == {"Patient", "Observation"}


def test_a_positive_result_promotes_the_open_contact_found_by_name_and_birth_date(
    poster, client_api, contact93
):
    response = poster(peer.bundle(peer.resultat(finess=FINESS)))

    assert response.status_code == 200
    assert _statuts(response) == ["201 Created", "201 Created"]
    assert "devient patient zéro" in _diagnostics(response, 1)
    contact93.refresh_from_db()
    assert contact93.nature == Nature.PATIENT_ZERO
    assert contact93.statut == Statut.DIAGNOSTIC_CONFIRME
    sample = Prelevement.objects.get(fiche=contact93)
    assert sample.resultat == "positif" and sample.by == client_api.compte
    assert "FINESS 930000017" in sample.lieu
    # Its doctor sees it among the patients zéro, with the history saying who did it.
    assert contact93.historique.order_by("at", "id").last().by == client_api.compte


def test_a_positive_result_confirms_the_patient_zero_waiting_for_it_found_by_nir(poster, medecin):
    nir = random_nir()
    waiting = FicheFactory(declarant=medecin, nir=nir, statut=Statut.EN_ATTENTE)

    response = poster(peer.bundle(peer.resultat(finess=FINESS, nir=nir, nom="AUTRE")))

    assert _statuts(response) == ["201 Created", "201 Created"]
    waiting.refresh_from_db()
    assert waiting.statut == Statut.DIAGNOSTIC_CONFIRME
    assert waiting.argument_diagnostic == "rt_pcr"
    assert "diagnostic du patient zéro est confirmé" in _diagnostics(response, 1)


def test_a_positive_result_for_a_person_no_fiche_follows_makes_a_patient_zero_for_the_platform(
    poster, client_api, conseiller93
):
    nir = random_nir()
    response = poster(peer.bundle(peer.resultat(finess=FINESS, nir=nir, nom="Nouveau",
                                                prenom="Lina", code_postal="93200")))  # fmt: skip

    assert _statuts(response) == ["201 Created", "201 Created"]
    fiche = Fiche.objects.get(nir=nir)
    assert fiche.is_patient_zero and fiche.medecin is None
    assert fiche.statut == Statut.DIAGNOSTIC_CONFIRME and fiche.departement == "93"
    assert fiche.telephone == "+33612000009"
    # In the queue of the platform of the 93, « Patient zéro à appeler ».
    served = fiche_suivante(fiches=fiches_visible_to(conseiller93), user=conseiller93)
    assert served.pk == fiche.pk


def test_a_negative_result_is_recorded_and_the_contact_follow_up_goes_on(poster, contact93):
    response = poster(peer.bundle(peer.resultat(finess=FINESS, positif=False)))

    assert _statuts(response) == ["201 Created", "201 Created"]
    contact93.refresh_from_db()
    assert contact93.nature == Nature.CONTACT and contact93.statut == Statut.A_CONTACTER
    assert Prelevement.objects.get(fiche=contact93).resultat == "negatif"


def test_a_negative_result_for_a_person_no_fiche_follows_keeps_no_identity(poster):
    response = poster(peer.bundle(peer.resultat(finess=FINESS, positif=False, nom="Inconnu")))

    assert _statuts(response) == ["201 Created", "201 Created"]
    assert "rien n'est conservé" in _diagnostics(response, 1)
    assert not Fiche.objects.exists()
    assert ResultatRecu.objects.get().fiche is None


def test_the_same_result_sent_twice_is_recorded_once_and_the_second_answer_says_so(
    poster, contact93
):
    body = peer.bundle(peer.resultat(finess=FINESS, identifiant="CR-2020-0001"))

    first = poster(body)
    second = poster(body)

    assert _statuts(first) == ["201 Created", "201 Created"]
    assert _statuts(second) == ["200 OK", "200 OK"]
    assert "déjà reçu" in _diagnostics(second, 1)
    assert Prelevement.objects.filter(fiche=contact93).count() == 1
    assert ResultatRecu.objects.count() == 1


def test_the_same_identifier_with_another_result_is_a_conflict_and_changes_nothing(
    poster, contact93
):
    poster(peer.bundle(peer.resultat(finess=FINESS, identifiant="CR-7", positif=False)))
    response = poster(peer.bundle(peer.resultat(finess=FINESS, identifiant="CR-7")))

    assert _statuts(response) == ["409 Conflict", "409 Conflict"]
    assert "contenu différent" in _diagnostics(response, 1)
    contact93.refresh_from_db()
    assert contact93.nature == Nature.CONTACT
    assert list(Prelevement.objects.values_list("resultat", flat=True)) == ["negatif"]


def test_a_batch_with_one_bad_entry_records_every_other_one(poster, contact93, medecin):
    nir = random_nir()
    FicheFactory(declarant=medecin, nir=nir, statut=Statut.EN_ATTENTE)
    wrong_key = nir[:13] + ("00" if nir[13:] != "00" else "01")
    body = peer.bundle(
        peer.resultat(finess=FINESS),
        peer.resultat(finess=FINESS, nir=wrong_key, nom="Clé", prenom="Fausse"),
        peer.resultat(finess=FINESS, nir=nir),
    )

    response = poster(body)

    assert response.status_code == 200
    statuts = _statuts(response)
    assert statuts == ["201 Created"] * 2 + ["422 Unprocessable Entity"] * 2 + ["201 Created"] * 2
    outcome = peer.reponse(response).entry[3].response.outcome
    assert "La clé du NIR ne correspond pas" in outcome.issue[0].diagnostics
    assert outcome.issue[0].expression == ["Bundle.entry[2].resource.identifier"]
    assert Prelevement.objects.count() == 2


def test_a_transaction_with_one_bad_entry_records_nothing(poster, contact93):
    body = peer.bundle(
        peer.resultat(finess=FINESS),
        peer.resultat(finess=FINESS, valeur="419984006", nom="Douteux"),  # inconclusive
        type_="transaction",
    )

    response = poster(body)

    assert response.status_code == 422
    outcome = OperationOutcome.model_validate_json(response.content)
    assert "Transaction refusée" in outcome.issue[0].diagnostics
    assert any("non interprétable" in issue.diagnostics for issue in outcome.issue)
    assert any(issue.expression == ["Bundle.entry[3].resource.valueCodeableConcept"]
               for issue in outcome.issue)  # fmt: skip
    assert not Prelevement.objects.exists()
    contact93.refresh_from_db()
    assert contact93.nature == Nature.CONTACT


def test_a_transaction_refused_by_a_rule_at_its_last_entry_undoes_the_first_ones(poster, contact93):
    body = peer.bundle(
        peer.resultat(finess=FINESS),
        # Positive, no fiche, no address: no platform can take this patient zéro.
        peer.resultat(finess=FINESS, nom="Sans", prenom="Adresse", code_postal=None),
        type_="transaction",
    )

    response = poster(body)

    assert response.status_code == 422
    outcome = OperationOutcome.model_validate_json(response.content)
    assert len(outcome.issue) == 2  # « Transaction refusée », then the one refusal, once
    assert "sans code postal" in outcome.issue[1].diagnostics
    assert outcome.issue[1].expression == ["Bundle.entry[2].resource.address.postalCode"]
    assert not Prelevement.objects.exists()
    assert not ResultatRecu.objects.exists()
    contact93.refresh_from_db()
    assert contact93.nature == Nature.CONTACT


def test_a_transaction_that_holds_answers_a_transaction_response(poster, contact93):
    response = poster(peer.bundle(peer.resultat(finess=FINESS), type_="transaction"))

    assert response.status_code == 200
    assert peer.reponse(response).type == "transaction-response"
    assert Prelevement.objects.count() == 1


def test_a_result_of_another_laboratory_is_refused(poster, contact93):
    response = poster(peer.bundle(peer.resultat(finess=AUTRE_FINESS)))

    assert _statuts(response) == ["403 Forbidden", "403 Forbidden"]
    assert "FINESS 930000017" in _diagnostics(response, 1)
    assert not Prelevement.objects.exists()


def test_a_patient_contained_in_its_observation_is_read_too(poster, contact93):
    response = poster(peer.bundle(peer.resultat(finess=FINESS, contenu=True)))

    assert _statuts(response) == ["201 Created"]
    contact93.refresh_from_db()
    assert contact93.nature == Nature.PATIENT_ZERO


def test_malformed_resources_get_a_french_diagnostic_at_their_element(poster):
    document = json.loads(peer.bundle(peer.resultat(finess=FINESS)))
    del document["entry"][1]["resource"]["code"]
    document["entry"][0]["resource"]["birthDate"] = "14/03/2010"

    response = poster(json.dumps(document))

    statuts = _statuts(response)
    assert statuts[1] == "400 Bad Request"
    assert "Élément obligatoire absent" in _diagnostics(response, 1)
    outcome = peer.reponse(response).entry[1].response.outcome
    assert outcome.issue[0].expression == ["Bundle.entry[1].resource.code"]
    assert "Valeur invalide" in _diagnostics(response, 0)


@pytest.mark.parametrize(
    ("body", "content_type", "status", "text"),
    [
        ("pas du json", "application/fhir+json", 400, "pas du JSON valide"),
        ('{"resourceType": "Patient"}', "application/fhir+json", 400, "ressource Bundle"),
        ('{"resourceType": "Bundle", "type": "collection", "entry": [{}]}',
         "application/fhir+json", 400, "batch"),
        ('{"resourceType": "Bundle", "type": "batch"}', "application/json", 400, "aucune entrée"),
        ("<Bundle/>", "application/fhir+xml", 415, "JSON"),
    ],
)  # fmt: skip
def test_a_request_that_is_not_a_bundle_of_results_is_refused_in_french(
    poster, body, content_type, status, text
):
    from django.test import Client

    response = Client().post(reverse("api:bundle"), body, content_type=content_type,
                             HTTP_AUTHORIZATION=f"Bearer {poster.token}")  # fmt: skip

    assert response.status_code == status
    outcome = OperationOutcome.model_validate_json(response.content)
    assert text in outcome.issue[0].diagnostics


def test_every_call_and_every_fiche_it_touches_are_in_the_audit_log(poster, client_api, contact93):
    poster(peer.bundle(peer.resultat(finess=FINESS), peer.resultat(finess=AUTRE_FINESS)))

    call = AuditLog.objects.get(action="api.bundle_received")
    assert call.actor == client_api.compte
    assert call.data["crees"] == 1 and call.data["refuses"] == 1
    assert call.data["client_id"] == client_api.client_id
    touched = AuditLog.objects.for_object(contact93)
    assert {"fiche.result_recorded", "fiche.status_changed"} <= {e.action for e in touched}
    recorded = touched.get(action="fiche.result_recorded")
    assert recorded.actor == client_api.compte
    assert recorded.data["resultat"] == "positif" and "FINESS 930000017" in recorded.data["lieu"]
    assert AuditLog.objects.filter(action="api.token_issued", actor=client_api.compte).exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_result_posted_by_ten_requests_at_once_is_recorded_once(client, client_api):
    import threading

    from django.db import connection, connections
    from django.test import Client

    from api.tests.conftest import jeton
    from fiches.tests.factories import ContactFactory

    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite serialises the whole database)")
    contact = ContactFactory(nom="Petit", prenom="Lucas", date_naissance="2010-03-14",
                             statut=Statut.A_CONTACTER)  # fmt: skip
    token = jeton(client, client_api)
    body = peer.bundle(peer.resultat(finess=FINESS, identifiant="CR-PARALLELE"))
    statuses, barrier = [], threading.Barrier(10)

    def post():
        try:
            barrier.wait()
            response = Client().post(reverse("api:bundle"), body,
                                     content_type="application/fhir+json",
                                     HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
            statuses.append(_statuts(response)[1])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == ["200 OK"] * 9 + ["201 Created"]
    assert Prelevement.objects.filter(fiche=contact).count() == 1
    assert ResultatRecu.objects.count() == 1
    contact.refresh_from_db()
    assert contact.nature == Nature.PATIENT_ZERO


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (lambda d: d["entry"][0]["resource"].update(birthDate="1980"), "Saisissez une date"),
        (lambda d: d["entry"][0]["resource"]["name"][0].update(given=[None, "Lucas"],
                                                               _given=[{"id": "x"}, None]),
         None),
        (lambda d: d["entry"].append(dict(d["entry"][0])), "déjà celui d'une autre entrée"),
        (lambda d: d["entry"][1]["resource"].update(
            extension=json.loads('[{"url": "x", "extension": ' * 300 + "[]" + "}]" * 300)),
         None),
    ],
    ids=["partial-birth-date", "given-with-a-null", "two-patients-one-fullUrl", "deep-nesting"],
)  # fmt: skip
def test_odd_but_well_formed_resources_are_answered_never_a_server_error(
    poster, contact93, change, text
):
    document = json.loads(peer.bundle(peer.resultat(finess=FINESS)))
    change(document)

    response = poster(json.dumps(document))

    assert response.status_code == 200
    answered = peer.reponse(response)
    assert len(answered.entry) == len(document["entry"])
    if text:
        assert text in response.content.decode()


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ('{"resourceType": "Bundle", "type": "batch", "entry": [], "id": NaN}', "JSON valide"),
        ('{"resourceType": "Bundle", "type": "batch\\u0000", "entry": [{}]}', "caractère nul"),
        ("[" * 100_000 + "]" * 100_000, "JSON valide"),
    ],
    ids=["nan", "nul", "deep-json"],
)
def test_json_that_no_fhir_server_takes_is_refused_in_french(poster, body, text):
    response = poster(body)

    assert response.status_code == 400
    assert text in OperationOutcome.model_validate_json(response.content).issue[0].diagnostics


def test_a_positive_result_with_a_nir_finds_the_patient_zero_a_result_made_without_one(
    poster, contact93
):
    from fiches.identity import normalize_name
    from fiches.tests.factories import ContactFactory

    martin = {"nom": "Martin", "prenom": "Léa", "naissance": "1990-02-03"}
    poster(peer.bundle(peer.resultat(finess=FINESS, **martin)))  # no NIR: a new patient zéro
    nir = random_nir()
    # Later, a doctor names her as a contact, with her NIR.
    contact = ContactFactory(nom="Martin", prenom="Léa", date_naissance="1990-02-03", nir=nir,
                             statut=Statut.A_CONTACTER)  # fmt: skip

    response = poster(peer.bundle(peer.resultat(finess=FINESS, nir=nir, **martin)))

    assert "Résultat positif enregistré sur la fiche" in _diagnostics(response, 1)
    contact.refresh_from_db()
    assert contact.nature == Nature.CONTACT  # not a second patient zéro
    pz = Fiche.objects.filter(nature=Nature.PATIENT_ZERO, nom_normalise=normalize_name("Martin"))
    assert pz.count() == 1


def test_the_receipt_keeps_a_keyed_digest_not_one_anyone_can_recompute(poster, contact93):
    import hashlib

    poster(peer.bundle(peer.resultat(finess=FINESS, identifiant="CR-9")))

    recu = ResultatRecu.objects.get()
    assert len(recu.empreinte) == 64
    for guess in ("positif", contact93.nom, "PETIT|Lucas|2010-03-14"):
        assert recu.empreinte != hashlib.sha256(guess.encode()).hexdigest()


def test_a_client_revoked_while_its_lot_waits_records_nothing(
    poster, client_api, administrateur, settings, contact93
):
    from api import services
    from api.models import LotFHIR
    from jobs.testing import run_ready_jobs

    settings.FHIR_SYNC_MAX_ENTREES = 1
    poster(peer.bundle(peer.resultat(finess=FINESS)))
    services.client_revoke(client=client_api, by=administrateur)

    run_ready_jobs()

    assert LotFHIR.objects.get().etat == LotFHIR.Etat.ECHEC
    assert not ResultatRecu.objects.exists() and not Prelevement.objects.exists()
    contact93.refresh_from_db()
    assert contact93.nature == Nature.CONTACT

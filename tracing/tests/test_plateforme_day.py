"""The call platform's day (issue 11): « fiche suivante » with its reservation, planned recalls,
the search for an inbound call-back, patients zéro to call, the agent's fiche."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from fiches import services_tracing
from fiches.audit import AuditLog
from fiches.models import Fiche
from fiches.models_tracing import Appel
from fiches.statuses import Statut
from fiches.tests.factories import ContactFactory, FicheFactory
from tests.factories import UserFactory
from tracing.models import Affectation
from tracing.policy import fiches_visible_to

SUIVANTE = reverse("tracing:plateforme_suivante")
FILE = reverse("tracing:plateforme_file")


def _version(fiche):
    fiche.refresh_from_db(fields=["version"])
    return fiche.version


def _agent(departements="93"):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=Role.CONSEILLER.value)[0])
    Affectation.objects.create(user=user, departements=departements)
    return user


def _contact(patient, **extra):
    values = {"departement": "93", "code_postal": "93100", "statut": Statut.A_CONTACTER,
              "telephone": "+33612345678"}  # fmt: skip
    return ContactFactory(origine=patient, **{**values, **extra})


# --- Fiche suivante ------------------------------------------------------------------------------


def test_fiche_suivante_gives_the_queue_in_order_and_reserves_it(client, conseiller93, patient93):
    now = timezone.now()
    Fiche.objects.filter(pk=patient93.pk).update(statut_depuis=now - timedelta(days=9))
    ancien = _contact(patient93, prenom="Ancien", statut_depuis=now - timedelta(days=2))
    rappel = _contact(patient93, prenom="Rappel", statut=Statut.PATIENT_A_RAPPELER,
                      rappel_le=now - timedelta(minutes=30))  # fmt: skip
    _contact(patient93, prenom="Atrouver", statut=Statut.CONTACT_A_TROUVER, telephone="",
             statut_depuis=now - timedelta(days=30))  # fmt: skip
    client.force_login(conseiller93)

    pages = [client.post(SUIVANTE).url for _ in range(2)]

    # The due recall first; pressing again gives the same one back (reserved for this agent).
    assert pages == [reverse("tracing:plateforme_fiche", args=[rappel.pk])] * 2
    rappel.refresh_from_db()
    assert rappel.reservee_par == conseiller93
    assert rappel.reservee_jusqua > timezone.now() + timedelta(minutes=4)
    # Another agent gets the next one: À contacter, then the patient zéro to call.
    other = _agent()
    assert services_tracing.fiche_suivante(fiches=fiches_visible_to(other), user=other) == ancien
    third = _agent()
    assert services_tracing.fiche_suivante(fiches=fiches_visible_to(third), user=third) == patient93


def test_a_reserved_fiche_shows_who_has_it_to_the_others(client, conseiller93, patient93):
    contact = _contact(patient93)
    other = _agent()
    services_tracing.fiche_suivante(fiches=fiches_visible_to(other), user=other)
    client.force_login(conseiller93)

    queue = client.get(FILE).content.decode()
    page = client.get(reverse("tracing:plateforme_fiche", args=[contact.pk])).content.decode()

    assert f"En cours de traitement par {other.display_name}" in queue
    assert f"En cours de traitement par {other.display_name}" in page


def test_recording_the_call_frees_the_fiche_and_leads_to_the_next(client, conseiller93, patient93):
    first = _contact(patient93, prenom="Premier", statut_depuis=timezone.now() - timedelta(days=2))
    second = _contact(patient93, prenom="Second", statut_depuis=timezone.now() - timedelta(days=1))
    client.force_login(conseiller93)
    assert client.post(SUIVANTE).url.endswith(f"/{first.pk}/")

    response = client.post(
        reverse("tracing:plateforme_appel", args=[first.pk]),
        {"issue": "joint", "version": _version(first)},
    )

    first.refresh_from_db()
    assert (first.reservee_par, first.reservee_jusqua) == (None, None)
    assert response.url == reverse("tracing:plateforme_fiche", args=[second.pk])
    second.refresh_from_db()
    assert second.reservee_par == conseiller93


def test_the_agent_can_choose_to_go_back_to_the_queue_and_it_is_remembered(
    client, conseiller93, patient93
):
    first, second = _contact(patient93), _contact(patient93)
    client.force_login(conseiller93)

    back = client.post(
        reverse("tracing:plateforme_appel", args=[first.pk]),
        {"issue": "joint", "version": _version(first), "apres": "file"},
    )
    again = client.post(reverse("tracing:plateforme_appel", args=[second.pk]),
                        {"issue": "joint", "version": _version(second)})  # fmt: skip

    assert back.url == FILE and again.url == FILE


def test_a_reservation_times_out(conseiller93, patient93):
    contact = _contact(patient93)
    other = _agent()
    services_tracing.fiche_suivante(fiches=fiches_visible_to(other), user=other)
    later = timezone.now() + services_tracing.RESERVATION + timedelta(seconds=1)

    got = services_tracing.fiche_suivante(
        fiches=fiches_visible_to(conseiller93), user=conseiller93, now=later
    )

    assert got == contact


def test_remettre_dans_la_file_frees_the_fiche(client, conseiller93, patient93):
    contact = _contact(patient93)
    client.force_login(conseiller93)
    client.post(SUIVANTE)

    client.post(reverse("tracing:plateforme_liberer", args=[contact.pk]))

    contact.refresh_from_db()
    assert contact.reservee_par is None


def test_nothing_to_call_says_so(client, conseiller93):
    client.force_login(conseiller93)

    response = client.post(SUIVANTE, follow=True)

    assert "Personne à appeler pour l&#x27;instant." in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_fifty_agents_pressing_at_once_get_fifty_different_fiches(medecin):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL (SQLite serialises writers)")
    patient = FicheFactory(declarant=medecin, departement="93", code_postal="93100")
    for i in range(60):
        _contact(patient, statut_depuis=timezone.now() - timedelta(minutes=i))
    agents = [_agent() for _ in range(50)]
    got, errors, barrier = [], [], threading.Barrier(50)

    def press(agent):
        try:
            barrier.wait()
            fiche = services_tracing.fiche_suivante(fiches=fiches_visible_to(agent), user=agent)
            got.append(fiche.pk if fiche else None)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert None not in got and len(set(got)) == 50
    assert Fiche.objects.filter(reservee_par__isnull=False).count() == 50


# --- Planned recalls -----------------------------------------------------------------------------


def test_planned_recalls_are_listed_soonest_first_and_can_be_moved(client, conseiller93, patient93):
    now = timezone.now()
    tard = _contact(patient93, prenom="Tard", statut=Statut.PATIENT_A_RAPPELER,
                    rappel_le=now + timedelta(hours=5))  # fmt: skip
    _contact(patient93, prenom="Bientot", statut=Statut.PATIENT_A_RAPPELER,
             rappel_le=now + timedelta(hours=1))  # fmt: skip
    client.force_login(conseiller93)

    rappels = client.get(FILE).content.decode().split('data-testid="rappels"')[1]
    assert rappels.index("Bientot") < rappels.index("Tard")

    nouveau = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)
    response = client.post(
        reverse("tracing:plateforme_rappel", args=[tard.pk]),
        {
            "deplacer-rappel_le": nouveau.strftime("%Y-%m-%dT%H:%M"),
            "deplacer-version": _version(tard),
        },
    )

    assert response.status_code == 302
    tard.refresh_from_db()
    assert tard.rappel_le == nouveau
    assert AuditLog.objects.for_object(tard).filter(action="fiche.recall_moved").exists()


def test_a_recall_cannot_be_moved_to_the_past(client, conseiller93, patient93):
    contact = _contact(patient93, statut=Statut.PATIENT_A_RAPPELER,
                       rappel_le=timezone.now() + timedelta(hours=1))  # fmt: skip
    client.force_login(conseiller93)
    hier = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        reverse("tracing:plateforme_rappel", args=[contact.pk]),
        {"deplacer-rappel_le": hier, "deplacer-version": _version(contact)},
    )

    assert response.status_code == 400
    assert "Le rappel doit être dans le futur." in response.content.decode()


# --- Patients zéro to call -----------------------------------------------------------------------


def test_patients_zero_to_call_are_in_the_queue_after_the_contacts_to_call(
    client, conseiller93, patient93
):
    contact = _contact(patient93, prenom="Contact")
    FicheFactory(declarant=patient93.declarant, departement="93", prenom="Brouillonne",
                 statut=Statut.EN_ATTENTE, brouillon=True)  # fmt: skip
    client.force_login(conseiller93)

    queue = client.get(FILE).content.decode().split('id="titre-rappels"')[0]

    assert queue.index(contact.prenom) < queue.index(patient93.prenom)
    assert "Patient zéro à appeler" in queue
    assert "Brouillonne" not in queue


def test_a_patient_zero_who_does_not_answer_keeps_its_status_until_the_recall(
    client, conseiller93, patient93
):
    client.force_login(conseiller93)
    demain = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    client.post(
        reverse("tracing:plateforme_appel", args=[patient93.pk]),
        {"issue": "pas_de_reponse", "rappel_le": demain, "version": _version(patient93)},
    )

    patient93.refresh_from_db()
    assert patient93.statut == Statut.DIAGNOSTIC_CONFIRME and patient93.rappel_le
    html = client.get(FILE).content.decode()
    assert patient93.prenom not in html.split('id="titre-rappels"')[0]
    assert patient93.prenom in html.split('id="titre-rappels"')[1]
    Fiche.objects.filter(pk=patient93.pk).update(rappel_le=timezone.now() - timedelta(minutes=1))
    assert patient93.prenom in client.get(FILE).content.decode().split('id="titre-rappels"')[0]
    client.post(reverse("tracing:plateforme_appel", args=[patient93.pk]),
                {"issue": "joint", "version": _version(patient93)})  # fmt: skip
    patient93.refresh_from_db()
    assert (patient93.statut, patient93.rappel_le) == (Statut.APPEL_REALISE, None)


def test_queue_with_every_segment_runs_a_constant_number_of_queries(
    client, conseiller93, patient93, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(12):
        _contact(
            patient93, statut=Statut.PATIENT_A_RAPPELER, rappel_le=now - timedelta(hours=i + 1)
        )
        _contact(
            patient93, statut=Statut.PATIENT_A_RAPPELER, rappel_le=now + timedelta(hours=i + 1)
        )
        _contact(patient93)
        _contact(patient93, statut=Statut.CONTACT_A_TROUVER, telephone="")
    for agent in (_agent(), _agent()):
        services_tracing.fiche_suivante(fiches=fiches_visible_to(agent), user=agent)
    client.force_login(conseiller93)
    client.get(FILE)
    # session, user, groups, affectation; up to 4 segments; planned recalls; the audit entry.
    for page in ("1", "2"):
        with django_assert_max_num_queries(10):
            response = client.get(FILE, {"page": page})
        assert response.status_code == 200


# --- Search --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "criteres",
    [{"nir": "1 10 03"}, {"nir": "1 10 03 93 048 123 90"}, {"nom": "PÉT"}, {"prenom": "luc"},
     {"telephone": "06 12 00 00 01"}, {"telephone": "+33 6 12 00 00 01"},
     {"telephone": "0033612000001"}],
)  # fmt: skip
def test_search_finds_the_person_by_nir_name_start_or_phone_in_any_format(
    client, conseiller93, contact93, criteres
):
    client.force_login(conseiller93)

    response = client.post(FILE, criteres, follow=True)

    html = response.content.decode()
    assert all(
        str(value) not in url for url, _ in response.redirect_chain for value in criteres.values()
    )
    resultats = html.split('data-testid="resultats"')[1].split("</section>")[0]
    assert "Lucas PETIT" in resultats
    entry = AuditLog.objects.filter(action="fiche.searched").get()
    assert entry.data["fiches"] == [contact93.pk]
    assert entry.data["criteres"] == list(criteres)


def test_search_stays_within_the_platforms_departements(client, conseiller93, contact75):
    client.force_login(conseiller93)

    html = client.post(FILE, {"telephone": contact75.telephone}, follow=True).content.decode()

    assert "Aucune personne trouvée dans vos départements." in html


@pytest.mark.parametrize(
    ("criteres", "message"),
    [({"nir": "1 1"}, "au moins ses 5 premiers caractères"),
     ({"nom": "p"}, "Saisissez au moins 2 lettres."),
     ({"telephone": "12"}, "Numéro de téléphone invalide"),
     ({"nom": ""}, "Indiquez un NIR, un nom, un prénom ou un téléphone.")],
)  # fmt: skip
def test_search_refuses_what_would_scan_the_table_in_french(
    client, conseiller93, criteres, message
):
    client.force_login(conseiller93)

    html = client.post(FILE, criteres, follow=True).content.decode()

    assert message in html
    assert not AuditLog.objects.filter(action="fiche.searched").exists()


# --- The agent's fiche ---------------------------------------------------------------------------


def test_agent_fiche_shows_what_the_call_needs_and_phones_as_links(client, conseiller93, patient93):
    contact = _contact(patient93, symptomes="oui", soignant=True, situation="domicile",
                       meme_foyer=True)  # fmt: skip
    services_tracing.appel_record(
        fiche=contact, user=conseiller93, issue=Appel.Issue.PAS_DE_REPONSE,
        rappel_le=timezone.now() + timedelta(hours=1), consigne_isolement=True,
        date_dernier_contact=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    client.force_login(conseiller93)

    html = client.get(reverse("tracing:plateforme_fiche", args=[contact.pk])).content.decode()

    assert 'href="tel:+33612345678"' in html
    assert "Symptômes</dt><dd" in html and "Soignant</dt><dd" in html and "À domicile" in html
    fin = (timezone.localdate() + timedelta(days=13)).strftime("%d/%m/%Y")
    assert f"jusqu'au {fin} (consigne déjà donnée)" in html
    script = html.split('data-testid="script"')[1].split("</details>")[0]
    assert "14 masques" in script and f"jusqu'au {fin}" in script
    assert "Soignant" in script and "Symptômes signalés" in script
    assert "DÉPLACER LE RAPPEL" in html


# --- The patient zéro's refusal holds on every page of the contact -------------------------------


def test_a_refusing_patient_zeros_name_is_on_no_page_of_the_contact(client, conseiller93, medecin):
    patient = FicheFactory(declarant=medecin, departement="93", code_postal="93100",
                           nom="Secretissime", prenom="Anonyma", accord_identite="non")  # fmt: skip
    contact = _contact(patient, nom="Caron", prenom="Jean")
    client.force_login(conseiller93)
    fiche_url = reverse("tracing:plateforme_fiche", args=[contact.pk])
    pages = {
        "fiche": client.get(fiche_url),
        "compléter": client.get(reverse("tracing:plateforme_completer", args=[contact.pk])),
        "compléter refusé": client.post(
            reverse("tracing:plateforme_completer", args=[contact.pk]),
            {"nom": "", "version": _version(contact)},
        ),
        "appel refusé": client.post(
            reverse("tracing:plateforme_appel", args=[contact.pk]), {"version": _version(contact)}
        ),
        "téléphone périmé": client.post(
            reverse("tracing:plateforme_telephone", args=[contact.pk]),
            {"telephone": "0612345678", "version": 0},
        ),
        "clôture refusée": client.post(
            reverse("tracing:plateforme_cloturer", args=[contact.pk]), {"version": 0}
        ),
        "rappel refusé": client.post(
            reverse("tracing:plateforme_rappel", args=[contact.pk]), {"version": 0}
        ),
    }
    client.post(SUIVANTE)  # reserved: the page says so, still without the name
    pages["fiche réservée"] = client.get(fiche_url)

    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code in (200, 400, 409), name
        assert "Jean CARON" in html, name
        assert "Secretissime".upper() not in html.upper(), name
        assert "Anonyma" not in html, name
    assert "ne pas nommer le patient zéro" in pages["fiche"].content.decode()


# --- Moving a fiche out of the caisse, changing the consent ---------------------------------------


def _completer(client, fiche, **changes):
    data = {"nom": fiche.nom, "prenom": fiche.prenom, "code_postal": fiche.code_postal,
            "collectivite": "non", "telephone": fiche.telephone, "version": _version(fiche),
            "information_patient": "on", "accord_identite": fiche.accord_identite}  # fmt: skip
    if fiche.nir:
        data["nir"] = fiche.nir
    return client.post(
        reverse("tracing:plateforme_completer", args=[fiche.pk]), {**data, **changes}
    )


def test_a_code_postal_in_another_caisse_asks_for_confirmation_then_is_audited(
    client, conseiller93, patient93
):
    contact = _contact(patient93, commune="Montreuil")
    client.force_login(conseiller93)

    asked = _completer(client, contact, code_postal="75011", commune="Paris")

    html = asked.content.decode()
    assert "La fiche sera transmise à la caisse du département 75 (Paris)" in html
    assert 'value="Paris"' in html  # what was typed stays
    contact.refresh_from_db()
    assert contact.departement == "93"

    # Confirmed for the 75, then changed to the 13: asked again, nothing moved.
    again = _completer(client, contact, code_postal="13008", commune="Marseille",
                       confirmer_transfert="75")  # fmt: skip
    assert "transmise à la caisse du département 13" in again.content.decode()
    contact.refresh_from_db()
    assert contact.departement == "93"
    done = _completer(client, contact, code_postal="75011", commune="Paris",
                      confirmer_transfert="75")  # fmt: skip

    assert done.status_code == 302
    contact.refresh_from_db()
    assert contact.departement == "75"
    entry = AuditLog.objects.for_object(contact).get(action="fiche.transferred")
    assert entry.data == {"de": "93", "vers": "75"}
    assert client.get(done.url).status_code == 404  # out of this caisse now, as announced


def test_a_code_postal_within_the_caisse_needs_no_confirmation(client, conseiller93, patient93):
    contact = _contact(patient93)
    client.force_login(conseiller93)

    response = _completer(client, contact, code_postal="93200")

    assert response.status_code == 302
    assert not AuditLog.objects.filter(action="fiche.transferred").exists()


def test_changing_the_patient_zeros_consent_asks_for_confirmation_and_keeps_the_old_value(
    client, conseiller93, patient93
):
    client.force_login(conseiller93)

    asked = _completer(client, patient93, accord_identite="non")
    patient93.refresh_from_db()
    assert patient93.accord_identite == "oui"
    assert "Vous changez l&#x27;accord du patient zéro" in asked.content.decode()

    _completer(client, patient93, accord_identite="non", confirmer_consentement="non")

    patient93.refresh_from_db()
    assert patient93.accord_identite == "non"
    entry = AuditLog.objects.for_object(patient93).get(action="fiche.consent_changed")
    assert entry.data == {"avant": "oui", "apres": "non"}


# --- Probable duplicates ------------------------------------------------------------------------


def test_one_person_named_by_two_patients_zero_is_shown_as_a_probable_duplicate_then_linked(
    client, conseiller93, patient93, medecin
):
    autre_pz = FicheFactory(declarant=medecin, departement="93", code_postal="93100")
    premier = _contact(patient93, nom="Caron", prenom="Jean", telephone="+33612345670")
    second = _contact(autre_pz, nom="CARON", prenom="jean", telephone="+33612345670")
    sans_rapport = _contact(autre_pz, nom="Caron", prenom="Paul", telephone="+33698765432")
    client.force_login(conseiller93)

    html = client.get(reverse("tracing:plateforme_fiche", args=[premier.pk])).content.decode()

    doublons = html.split('data-testid="doublons"')[1].split("</section>")[0]
    assert "DOUBLON PROBABLE" in html and f"fiche n° {second.pk}" in doublons
    assert "mêmes nom, prénom et téléphone" in doublons
    assert f"fiche n° {sans_rapport.pk}" not in doublons

    client.post(reverse("tracing:plateforme_meme_personne", args=[premier.pk]),
                {"autre": second.pk})  # fmt: skip
    client.post(reverse("tracing:plateforme_appel", args=[premier.pk]),
                {"issue": "joint", "consigne_masque": "on", "version": _version(premier),
                 "apres": "file"})  # fmt: skip

    premier.refresh_from_db()
    second.refresh_from_db()
    assert premier.personne == second.personne == min(premier.pk, second.pk)
    assert (premier.statut, second.statut) == (Statut.APPEL_REALISE, Statut.APPEL_REALISE)
    assert Appel.objects.get(fiche=second).consigne_masque
    assert second.origine == autre_pz  # each keeps its own chain
    assert AuditLog.objects.filter(action="fiche.same_person_linked").count() == 2
    page = client.get(reverse("tracing:plateforme_fiche", args=[second.pk])).content.decode()
    assert "MÊME PERSONNE" in page and "Liée : un appel est enregistré sur les deux" in page


@pytest.mark.parametrize("field", ["nir", "identite"])
def test_same_nir_or_same_name_and_birth_date_is_a_probable_duplicate(
    client, conseiller93, patient93, medecin, field
):
    autre_pz = FicheFactory(declarant=medecin, departement="93", code_postal="93100")
    identite = {"nom": "Caron", "prenom": "Jean", "date_naissance": "1985-05-01"}
    same = {"nir": {"nir": "185057800608491"}, "identite": identite}[field]
    premier = _contact(patient93, telephone="", **same)
    second = _contact(autre_pz, telephone="+33611111111", **same)
    client.force_login(conseiller93)

    html = client.get(reverse("tracing:plateforme_fiche", args=[premier.pk])).content.decode()

    assert f"fiche n° {second.pk}" in html


def test_a_household_sharing_a_name_and_phone_is_not_its_own_duplicate(
    client, conseiller93, medecin
):
    patient = FicheFactory(
        declarant=medecin, departement="93", code_postal="93100", nom="Caron", prenom="Marie",
        telephone="+33612345670", accord_identite="non",
    )  # fmt: skip
    contact = _contact(patient, nom="Caron", prenom="Jean", telephone="+33612345670")
    client.force_login(conseiller93)

    html = client.get(reverse("tracing:plateforme_fiche", args=[contact.pk])).content.decode()

    assert 'data-testid="doublons"' not in html
    assert "Marie" not in html


def test_agent_fiche_page_query_count_does_not_grow_with_calls_or_duplicates(
    client, conseiller93, patient93, medecin, django_assert_max_num_queries
):
    contact = _contact(patient93, nom="Caron", telephone="+33612345670")
    client.force_login(conseiller93)
    url = reverse("tracing:plateforme_fiche", args=[contact.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(5):
        autre_pz = FicheFactory(declarant=medecin, departement="93", code_postal="93100")
        _contact(autre_pz, nom="Caron", telephone="+33612345670")
        services_tracing.appel_record(
            fiche=Fiche.objects.get(pk=contact.pk), user=conseiller93,
            issue=Appel.Issue.PAS_DE_REPONSE, rappel_le=timezone.now() + timedelta(hours=1),
        )  # fmt: skip

    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)


def test_a_patient_zero_and_its_own_contact_cannot_be_linked_as_one_person(
    client, conseiller93, patient93
):
    contact = _contact(patient93)
    client.force_login(conseiller93)

    client.post(reverse("tracing:plateforme_meme_personne", args=[contact.pk]),
                {"autre": patient93.pk})  # fmt: skip

    contact.refresh_from_db()
    assert contact.personne is None


def test_a_linked_fiche_outside_the_agents_departements_gets_no_copy_of_the_call(
    client, conseiller93, patient93, medecin
):
    ici = _contact(patient93, nom="Caron", prenom="Jean")
    ailleurs = ContactFactory(origine=FicheFactory(declarant=medecin), departement="75",
                              statut=Statut.A_CONTACTER, telephone="+33611111111")  # fmt: skip
    Fiche.objects.filter(pk__in=[ici.pk, ailleurs.pk]).update(personne=min(ici.pk, ailleurs.pk))
    client.force_login(conseiller93)

    client.post(reverse("tracing:plateforme_appel", args=[ici.pk]),
                {"issue": "joint", "version": _version(ici), "apres": "file"})  # fmt: skip

    ailleurs.refresh_from_db()
    assert ailleurs.statut == Statut.A_CONTACTER
    assert not Appel.objects.filter(fiche=ailleurs).exists()


def test_a_purged_fiche_is_neither_in_the_queue_nor_editable(client, conseiller93, patient93):
    from fiches import services
    from fiches.models import DomainError

    contact = _contact(patient93, prenom="Oublie")
    Fiche.objects.filter(pk=contact.pk).update(purgee_le=timezone.now(), nom="", prenom="",
                                               telephone="")  # fmt: skip
    client.force_login(conseiller93)

    assert "Oublie" not in client.get(FILE).content.decode()
    assert services_tracing.fiche_suivante(
        fiches=fiches_visible_to(conseiller93), user=conseiller93
    ) != Fiche.objects.get(pk=contact.pk)
    with pytest.raises(DomainError):
        services.fiche_update(fiche=contact, user=conseiller93, data={"nom": "X"},
                              version=_version(contact))  # fmt: skip


def test_opening_the_reserved_fiche_renews_the_reservation(client, conseiller93, patient93):
    contact = _contact(patient93)
    client.force_login(conseiller93)
    client.post(SUIVANTE)
    Fiche.objects.filter(pk=contact.pk).update(
        reservee_jusqua=timezone.now() + timedelta(minutes=1)
    )

    client.get(reverse("tracing:plateforme_fiche", args=[contact.pk]))

    contact.refresh_from_db()
    assert contact.reservee_jusqua > timezone.now() + timedelta(minutes=9)


def test_filtering_the_queue_keeps_the_search_and_an_expired_token_is_no_search(
    client, conseiller93, contact93
):
    client.force_login(conseiller93)
    searched = client.post(FILE, {"nom": "petit"})
    token = searched.url.split("r=")[1]

    filtered = client.get(FILE, {"r": token, "statut": "a_contacter"}).content.decode()
    expired = client.get(FILE, {"r": "inconnu"}).content.decode()

    assert 'name="r" value="' + token + '"' in filtered
    assert "Lucas PETIT" in filtered.split('data-testid="resultats"')[1].split("</section>")[0]
    assert 'data-testid="resultats"' not in expired
    assert "Indiquez un NIR" not in expired

"""The call platform's day in a browser (issue 11): « fiche suivante » that skips the person
another agent has on the phone, a patient zéro to call with its script, a planned recall moved,
an inbound call-back found by phone, a refusing patient zéro's name nowhere."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from fiches import services_tracing
from fiches.tests.factories import ContactFactory, FicheFactory
from tests.factories import PASSWORD, UserFactory
from tracing.models import Affectation
from tracing.policy import fiches_visible_to
from tracing.tests.fixtures import (  # noqa: F401 (fixtures)
    conseiller93,
    contact93,
    patient93,
)


def _settle(page):
    page.wait_for_load_state("load")
    page.wait_for_timeout(100)
    page.wait_for_function("() => !(window.axe && window.axe._running)")


def _other_agent():
    agent = UserFactory(first_name="Awa", last_name="Collègue")
    agent.groups.add(Group.objects.get_or_create(name=Role.CONSEILLER.value)[0])
    Affectation.objects.create(user=agent, departements="93")
    return agent


def test_two_agents_never_get_the_same_person_and_a_recall_is_planned_then_moved(
    page, sign_in, request
):
    conseiller = request.getfixturevalue("conseiller93")
    contact = request.getfixturevalue("contact93")  # Lucas PETIT, À contacter
    patient = contact.origine  # Nadia BENALI, a patient zéro not called yet
    collegue = _other_agent()
    assert services_tracing.fiche_suivante(fiches=fiches_visible_to(collegue), user=collegue)

    sign_in(conseiller.email, PASSWORD)
    row = page.get_by_role("row").filter(has_text="Lucas PETIT")
    expect(row).to_contain_text(f"En cours de traitement par {collegue.display_name}")

    # FICHE SUIVANTE skips Lucas (on the phone with the colleague): the patient zéro to call.
    page.get_by_test_id("fiche-suivante").click()
    expect(page.get_by_role("heading", name="FICHE PATIENT ZÉRO")).to_be_visible()
    expect(page.get_by_test_id("reservation")).to_contain_text("Cette fiche vous est réservée")
    expect(page.get_by_test_id("script")).to_contain_text("compléter avec le patient la liste")

    # No answer: a recall tomorrow; nobody else to call now, back to the queue.
    page.get_by_label("Pas de réponse (à rappeler)").check()
    demain = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0)
    page.get_by_label("À rappeler le (si pas de réponse)").fill(demain.strftime("%Y-%m-%dT%H:%M"))
    _settle(page)
    page.get_by_role("button", name="ENREGISTRER L'APPEL").click()
    expect(page.get_by_text("Personne d'autre à appeler pour l'instant.")).to_be_visible()
    rappels = page.get_by_test_id("rappels")
    expect(rappels).to_contain_text(patient.nom_complet)
    expect(rappels).to_contain_text(demain.strftime("%d/%m/%Y à 10:00"))

    # The person asked to be called at another time: the recall is moved.
    rappels.get_by_role("link", name=patient.nom_complet).click()
    apres_demain = demain + timedelta(days=1)
    page.get_by_label("Nouveau rappel le").fill(apres_demain.strftime("%Y-%m-%dT%H:%M"))
    _settle(page)
    page.get_by_role("button", name="DÉPLACER LE RAPPEL").click()
    expect(page.get_by_text("Rappel déplacé.")).to_be_visible()
    expect(page.get_by_test_id("statut")).to_contain_text(apres_demain.strftime("%d/%m/%Y"))

    # An inbound call-back: Lucas calls back; found by his phone typed any way.
    page.get_by_role("link", name="RETOUR À LA FILE").click()
    page.get_by_label("Téléphone").fill("06.12.00.00.01")
    page.get_by_role("button", name="RECHERCHER").click()
    expect(page.get_by_test_id("resultats")).to_contain_text("Lucas PETIT")


def test_the_contact_of_a_refusing_patient_zero_is_called_without_naming_them(
    page, sign_in, request, medecin
):
    conseiller = request.getfixturevalue("conseiller93")
    patient = FicheFactory(declarant=medecin, departement="93", code_postal="93100",
                           nom="Secretissime", prenom="Anonyma", accord_identite="non")  # fmt: skip
    ContactFactory(origine=patient, departement="93", code_postal="93100", nom="Caron",
                   prenom="Jean", telephone="+33612345678", statut="a_contacter",
                   symptomes="oui")  # fmt: skip
    sign_in(conseiller.email, PASSWORD)

    page.get_by_test_id("fiche-suivante").click()

    expect(page.get_by_role("heading", name="Jean CARON")).to_be_visible()
    expect(page.get_by_test_id("consentement")).to_have_text(
        "Ne pas communiquer l'identité du patient zéro."
    )
    expect(page.get_by_test_id("script")).to_contain_text("ne pas nommer le patient zéro")
    expect(page.get_by_role("link", name="06 12 34 56 78")).to_have_attribute(
        "href", "tel:+33612345678"
    )
    assert "Secretissime".upper() not in page.content().upper()
    page.get_by_role("link", name="COMPLÉTER LA FICHE").click()
    expect(page.get_by_test_id("fiche-editee")).to_contain_text("Jean CARON")
    assert "Secretissime".upper() not in page.content().upper()

"""The transmission chain in a browser (issue 13): drawn, readable, each node a link."""

from playwright.sync_api import expect

from fiches.models import Fiche
from fiches.tests.factories import ContactFactory, FicheFactory
from tests.factories import PASSWORD


def test_doctor_follows_the_chain_from_a_patient_zero_to_a_second_generation_contact(
    page, sign_in, medecin, autre_medecin
):
    pz = FicheFactory(declarant=medecin, prenom="Paul", nom="Martin")
    hugo = ContactFactory(origine=pz, medecin=medecin, prenom="Hugo", nom="Bernard")
    Fiche.objects.filter(pk=hugo.pk).update(nature="patient_zero", statut="diagnostic_confirme")
    tom = ContactFactory(origine=hugo, medecin=medecin, prenom="Tom", nom="Lambert")
    ContactFactory(origine=hugo, declarant=autre_medecin, medecin=autre_medecin, nom="Secret")
    sign_in(medecin.email, PASSWORD)

    page.goto(f"/fiches/{pz.pk}/")

    chaine = page.get_by_test_id("chaine")
    expect(chaine.locator("svg")).to_be_visible()
    expect(chaine.locator("svg")).to_contain_text("Tom LAMBERT")
    expect(chaine.locator("svg")).to_contain_text("Contact suivi ailleurs")
    assert "SECRET" not in chaine.inner_text().upper()
    chaine.get_by_text("Version texte de la chaîne").click()
    expect(chaine.locator("details li li li")).to_have_count(2)  # Hugo's two contacts
    chaine.locator("svg").get_by_role("link", name="Tom LAMBERT — Contact à trouver").click()
    expect(page.get_by_role("heading", name="FICHE PERSONNE CONTACT")).to_be_visible()
    assert page.url.endswith(f"/fiches/{tom.pk}/")

"""Guide § 4 in a browser: a draft at the consultation, the result, validation, the household
contacts, the contact form; then a contact tested positive becomes a patient zéro."""

import os

from playwright.sync_api import expect

from fiches.tests.factories import BeneficiaireFactory, FicheFactory
from tests.factories import PASSWORD

SCREENSHOTS = os.environ.get("SCREENSHOTS")


def _settle(page):
    """Let the harness's axe run on the last page finish before the fixture runs it again
    (otherwise axe says "already running")."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(100)
    page.wait_for_function("() => !(window.axe && window.axe._running)")


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_doctor_follows_the_guide_from_draft_to_promoted_contact(page, sign_in, medecin):
    sign_in(medecin.email, PASSWORD)
    expect(page.get_by_role("heading", name="VOTRE LISTE CONTACT-COVID")).to_be_visible()
    _shot(page, "01-liste-vide")

    # 1. At the consultation: a draft, the NIR not known yet.
    page.get_by_role("link", name="NOUVEAU PATIENT +").click()
    expect(page.get_by_role("heading", name="Ajouter un patient zéro")).to_be_visible()
    page.get_by_label("Nom*", exact=True).fill("Debreu")
    page.get_by_label("Prénom*").fill("Célia")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    _shot(page, "02-ajouter-patient-zero")
    page.get_by_role("button", name="Enregistrer en brouillon").click()
    expect(page.get_by_text("Brouillon enregistré.")).to_be_visible()

    # 4. The result comes: find the draft, complete it, validate.
    page.get_by_role("link", name="RETOUR À LA LISTE").click()
    page.get_by_label("Prénom :").fill("celi")
    page.get_by_role("button", name="RECHERCHER").click()
    expect(page.get_by_text("1 fiche(s) trouvée(s)")).to_be_visible()
    _shot(page, "03-liste-recherche")
    page.get_by_role("link", name="Célia DE").click()
    page.get_by_role("link", name="MODIFIER").click()
    page.get_by_label("Numéro de sécurité sociale*").fill("2 69 05 49 588 157 81")
    page.get_by_label("Argument du diagnostic").select_option(label="Confirmé RT-PCR")
    page.get_by_label("J'ai informé mon patient").check()
    page.get_by_role("button", name="VALIDER").click()
    expect(page.get_by_text("La clé du NIR ne correspond pas")).to_be_visible()
    expect(page.get_by_label("Nom*", exact=True)).to_have_value("Debreu")  # nothing typed is lost
    page.get_by_label("Numéro de sécurité sociale*").fill("2 69 05 49 588 157 80")
    page.get_by_role("button", name="VALIDER").click()
    expect(page.get_by_text("Statut : Diagnostic confirmé")).to_be_visible()

    # 5. The household contacts.
    page.get_by_role("link", name="AJOUTER PERSONNE CONTACT").click()
    page.get_by_label("Nom*", exact=True).fill("Debreu")
    page.get_by_label("Prénom*").fill("Hugo")
    page.get_by_label("Code postal/départ.*").fill("69003")
    page.get_by_label("Même foyer").check()
    _shot(page, "04-ajouter-contact")
    page.get_by_role("button", name="VALIDER").click()
    expect(page.get_by_role("cell", name="Contact à trouver")).to_be_visible()
    _shot(page, "05-fiche-patient-zero")
    href = page.get_by_role("link", name="Formulaire de contact").get_attribute("href")
    assert page.request.get(href).body().startswith(b"%PDF")

    # The contact tests positive: it becomes a patient zéro with its own contacts.
    page.get_by_role("link", name="Hugo DEBREU", exact=True).click()
    expect(page.get_by_role("heading", name="FICHE PERSONNE CONTACT")).to_be_visible()
    page.get_by_role("link", name="MODIFIER").click()
    page.get_by_label("Argument du diagnostic").select_option(
        label="Probable (symptômes + scanner)"
    )
    page.get_by_role("button", name="VALIDER").click()
    expect(page.get_by_text("La fiche passe de patient contact à patient zéro")).to_be_visible()
    expect(page.get_by_role("heading", name="FICHE PATIENT ZÉRO")).to_be_visible()
    expect(page.get_by_role("link", name="Célia DEBREU")).to_be_visible()  # its origin
    page.get_by_role("link", name="AJOUTER PERSONNE CONTACT").click()
    expect(page.get_by_role("heading", name="Ajouter un contact")).to_be_visible()
    _settle(page)


def test_known_nir_fills_and_locks_the_identity(page, sign_in, medecin):
    BeneficiaireFactory(nir="185057800608491", nom="SHNEIDEZ", prenom="Kevan")
    sign_in(medecin.email, PASSWORD)
    page.goto("/fiches/nouveau-patient-zero/")
    page.get_by_label("Numéro de sécurité sociale*").fill("1 85 05 78 006 084 91")
    page.get_by_role("button", name="Rechercher l'assuré").click()
    expect(page.get_by_label("Nom*", exact=True)).to_have_value("SHNEIDEZ")
    expect(page.get_by_label("Nom*", exact=True)).not_to_be_editable()
    # It looks read-only too (issue 17 § 5): not the white of a field one can type in.
    locked = page.get_by_label("Nom*", exact=True).evaluate(
        "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).borderStyle]"
    )
    editable = page.get_by_label("Téléphone").evaluate(
        "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).borderStyle]"
    )
    assert locked != editable and locked[1] == "dashed"
    expect(page.get_by_text("Connu de l'Assurance Maladie : non modifiable.").first).to_be_visible()
    page.get_by_label("J'ai informé mon patient").check()
    page.get_by_role("button", name="VALIDER").click()
    expect(page.get_by_text("ENIM - CLP Lorient")).to_be_visible()
    _settle(page)


def test_other_doctors_fiche_is_a_404(page, sign_in, medecin, autre_medecin):
    other = FicheFactory(declarant=autre_medecin)
    sign_in(medecin.email, PASSWORD)
    response = page.goto(f"/fiches/{other.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    _settle(page)


def test_list_pages_at_25_a_page(page, sign_in, medecin):
    FicheFactory.create_batch(30, declarant=medecin)
    sign_in(medecin.email, PASSWORD)
    expect(page.get_by_text("30 fiche(s) trouvée(s)")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(25)
    _shot(page, "06-liste")
    page.get_by_role("link", name="Page suivante").click()
    expect(page.locator("tbody tr")).to_have_count(5)
    page.get_by_role("link", name="Page précédente").click()
    expect(page.locator("tbody tr")).to_have_count(25)
    _settle(page)


def test_doctor_records_a_negative_result_then_sees_it_in_the_history(page, sign_in, medecin):
    from fiches.models import Fiche

    pz = FicheFactory(declarant=medecin, statut="en_attente", argument_diagnostic="",
                      nom="Attente", prenom="Paul")  # fmt: skip
    sign_in(medecin.email, PASSWORD)
    page.get_by_role("link", name="Paul ATTENTE").click()
    expect(page.get_by_role("heading", name="FICHE PATIENT ZÉRO")).to_be_visible()

    page.get_by_role("link", name="RÉSULTAT NÉGATIF / CLÔTURER").click()
    page.get_by_label("Résultat négatif").check()
    page.get_by_role("button", name="CONFIRMER LA CLÔTURE").click()

    expect(page.get_by_text("Fiche clôturée (Résultat négatif).")).to_be_visible()
    page.get_by_text("Historique des états").click()
    expect(
        page.get_by_text("En attente de diagnostic → Clôturé (Résultat négatif)")
    ).to_be_visible()
    assert Fiche.objects.get(pk=pz.pk).statut == "cloture"

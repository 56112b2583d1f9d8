"""A doctor's day in a browser (issue 10): her patients named in full, a contact of the same
household with a phone goes to the platform's queue with the patient zéro's address, the fiche
shows what the platform did, what changed since her last visit, every page at phone width."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fiches import services_tracing
from fiches.models import Appel, Fiche
from fiches.tests.factories import FicheFactory
from tests.factories import PASSWORD
from tracing.models import Cluster
from tracing.tests.fixtures import (  # noqa: F401 (fixtures)
    ars_idf,
    conseiller93,
    contact93,
    patient93,
)

PHONE = {"width": 390, "height": 844}


def _settle(page):
    page.wait_for_load_state("load")
    page.wait_for_timeout(100)
    page.wait_for_function("() => !(window.axe && window.axe._running)")


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url}: {width} px wide"


def test_doctor_adds_a_household_contact_with_a_phone_and_follows_the_platforms_call(
    page, sign_in, medecin, conseiller
):
    FicheFactory(declarant=medecin, prenom="Kevan", nom="Shneidez", nir="185057800608491",
                 voie="12 rue des Lilas", code_postal="69003", commune="Lyon",
                 departement="69")  # fmt: skip
    sign_in(medecin.email, PASSWORD)

    # 1. Her patients in full, the NIR formatted.
    expect(page.get_by_role("link", name="Kevan SHNEIDEZ")).to_be_visible()
    expect(page.get_by_text("NIR : 1 85 05 78 006 084 91")).to_be_visible()
    page.get_by_role("link", name="Kevan SHNEIDEZ").click()
    page.get_by_role("link", name="AJOUTER PERSONNE CONTACT").click()

    # 5. « Même foyer » fills the address left empty, as ticked; 2. a phone: À contacter.
    page.get_by_label("Nom*", exact=True).fill("Shneidez")
    page.get_by_label("Prénom*").fill("Inès")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Même foyer").check()
    expect(page.get_by_label("Voie")).to_have_value("12 rue des Lilas")
    expect(page.get_by_label("Code postal/départ.*")).to_have_value("69003")
    expect(page.get_by_label("Commune")).to_have_value("Lyon")
    _settle(page)
    page.get_by_role("button", name="VALIDER").click()
    expect(page.get_by_text("Personne contact ajoutée.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Inès SHNEIDEZ")
    expect(row).to_contain_text("À contacter")

    # 6. The platform calls; the doctor sees the outcome, the consignes, the quatorzaine.
    contact = Fiche.objects.get(prenom="Inès")
    services_tracing.appel_record(
        fiche=contact, user=conseiller, issue=Appel.Issue.JOINT, consigne_masque=True,
        consigne_isolement=True, date_dernier_contact=timezone.localdate(),
    )  # fmt: skip
    _settle(page)
    page.get_by_role("link", name="Inès SHNEIDEZ", exact=True).click()
    suivi = page.get_by_test_id("suivi")
    expect(suivi).to_contain_text("Personne jointe")
    expect(suivi).to_contain_text("Consignes : masque, isolement / quatorzaine")
    fin = (timezone.localdate() + timedelta(days=14)).strftime("%d/%m/%Y")
    expect(suivi).to_contain_text(f"Fin de la quatorzaine : {fin}")
    expect(page.get_by_role("heading", name="Contextes infections/symptômes")).to_be_visible()
    expect(page.get_by_role("heading", name="Destinataire du résultat")).to_be_visible()


def test_enter_in_commune_validates_instead_of_looking_up_the_nir(page, sign_in, medecin):
    sign_in(medecin.email, PASSWORD)
    page.get_by_role("link", name="NOUVEAU PATIENT +").click()
    page.get_by_label("Numéro de sécurité sociale*").fill("2 69 05 49 588 157 81")
    page.get_by_label("Commune").fill("Lyon")
    _settle(page)

    page.get_by_label("Commune").press("Enter")

    # VALIDER ran: the form's own errors, the NIR's key message; nothing typed is lost.
    expect(page.get_by_text("La fiche n'a pas été enregistrée")).to_be_visible()
    expect(page.get_by_text("La clé du NIR ne correspond pas au numéro")).to_be_visible()
    expect(page.get_by_label("Commune")).to_have_value("Lyon")


def test_doctor_sees_what_changed_since_her_last_visit(page, sign_in, medecin, conseiller):
    before = timezone.now() - timedelta(days=1)
    patient = FicheFactory(declarant=medecin, prenom="Kevan", nom="Shneidez",
                           created_at=before - timedelta(days=1))  # fmt: skip
    FicheFactory(declarant=medecin, prenom="Calme", nom="Plat", created_at=before)
    contact = services_tracing.Fiche.objects.create(
        nature="contact", origine=patient, declarant=medecin, medecin=medecin, nom="Caron",
        prenom="Jean", telephone="+33612345678", statut="a_contacter", code_postal="75011",
        departement="75", created_at=before,
    )  # fmt: skip
    services_tracing.appel_record(fiche=contact, user=conseiller, issue=Appel.Issue.JOINT)
    type(medecin).objects.filter(pk=medecin.pk).update(last_login=before)

    sign_in(medecin.email, PASSWORD)

    expect(page.get_by_test_id("depuis")).to_contain_text("1 fiche passée à « Appel réalisé »")
    expect(page.get_by_role("row").filter(has_text="Jean CARON")).to_contain_text("Nouveau")
    expect(page.get_by_role("row").filter(has_text="Calme PLAT")).not_to_contain_text("Nouveau")
    page.get_by_role("link", name="Brouillons").click()
    expect(page.get_by_text("Aucune fiche trouvée.")).to_be_visible()


@pytest.mark.parametrize("role", ["medecin", "conseiller93", "ars_idf"])
def test_every_page_fits_a_390_px_phone_without_sideways_scroll(
    page, sign_in, request, role, medecin
):
    contact = request.getfixturevalue("contact93")
    user = request.getfixturevalue(role)
    cluster = Cluster.objects.create(
        nom="École élémentaire Jean Jaurès (Montreuil)", collectivite="scolaire",
        region="FR-IDF", departement="93", created_by=medecin,
    )  # fmt: skip
    cluster.fiches.add(contact.origine)
    page.set_viewport_size(PHONE)
    sign_in(user.email, PASSWORD)
    pages = {
        "medecin": ["/", f"/fiches/{contact.origine_id}/", f"/fiches/{contact.pk}/",
                    f"/fiches/{contact.pk}/modifier/", "/fiches/nouveau-patient-zero/"],
        "conseiller93": ["/", f"/plateforme/fiches/{contact.pk}/"],
        "ars_idf": ["/", "/ars/clusters/", f"/ars/clusters/{cluster.pk}/",
                    f"/ars/fiches/{contact.origine_id}/"],
    }[role]  # fmt: skip
    for url in pages:
        page.goto(url)
        _settle(page)
        _no_sideways_scroll(page)
    if role == "medecin":
        page.goto("/")
        # The list's ÉTAT is on screen, read as "État : …" on each row.
        cell = (
            page.get_by_role("row")
            .filter(has_text="Nadia BENALI")
            .get_by_text("Diagnostic confirmé")
        )
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

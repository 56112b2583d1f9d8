"""« Saisie rapide » in a browser (issue 13): lines added, one in error, corrected, all saved."""

from playwright.sync_api import expect

from fiches.models import Fiche
from fiches.tests.factories import FicheFactory
from tests.factories import PASSWORD


def test_doctor_types_a_class_of_contacts_fixes_one_line_and_saves_them_all(page, sign_in, medecin):
    pz = FicheFactory(declarant=medecin, prenom="Paul", nom="Martin", voie="1 rue A",
                      code_postal="69003", commune="Lyon", departement="69")  # fmt: skip
    sign_in(medecin.email, PASSWORD)
    page.goto(f"/fiches/{pz.pk}/")
    page.get_by_role("link", name="SAISIE RAPIDE").click()
    expect(page.get_by_role("heading", name="Saisie rapide des contacts")).to_be_visible()

    page.get_by_role("button", name="Ajouter une ligne").click()  # 6 lines now
    rows = page.locator("tr.ligne-rapide")
    expect(rows).to_have_count(6)
    people = [("Caron", "Jean", "06 12 34 56 78", "93"), ("Martin", "Léa", "12", "75011"),
              ("Petit", "Lucas", "", "")]  # fmt: skip
    lines = [rows.nth(0), rows.nth(1), rows.nth(5)]
    for row, (nom, prenom, tel, cp) in zip(lines, people, strict=True):
        row.locator("input[name$='-nom']").fill(nom)
        row.locator("input[name$='-prenom']").fill(prenom)
        row.locator("input[name$='-telephone']").fill(tel)
        row.locator("input[name$='-code_postal']").fill(cp)
    rows.nth(5).get_by_label("Même foyer").check()
    page.get_by_role("button", name="ENREGISTRER LES CONTACTS").click()

    expect(page.get_by_text("Aucun contact n'a été enregistré")).to_be_visible()
    expect(page.get_by_text("Numéro de téléphone invalide")).to_be_visible()
    assert not Fiche.objects.filter(origine=pz).exists()
    expect(page.locator("input[name='contacts-5-nom']")).to_have_value("Petit")  # kept
    page.locator("input[name='contacts-1-telephone']").fill("07 98 76 54 32")
    page.get_by_role("button", name="ENREGISTRER LES CONTACTS").click()

    expect(page.get_by_text("3 personnes contacts ajoutées.")).to_be_visible()
    assert set(Fiche.objects.filter(origine=pz).values_list("nom", flat=True)) == {
        "Caron", "Martin", "Petit"}  # fmt: skip
    assert Fiche.objects.get(origine=pz, nom="Petit").commune == "Lyon"

"""The « Tableau de bord » in a browser (issue 13): the ARS agent reads its région's figures,
changes the period, reads a chart's figures by keyboard and downloads the CSV; on a phone the
page fits; the doctor goes from their small version to the fiches of one status."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from fiches import indicateurs
from fiches.models import StatusChange
from fiches.statuses import Statut
from fiches.tests.factories import ContactFactory, FicheFactory
from tests.factories import PASSWORD
from tracing.models import Affectation


def _settle(page):
    page.wait_for_load_state("load")
    page.wait_for_timeout(100)
    page.checker.wait_idle()


def _history(medecin):
    for days_ago, contacts in ((12, 2), (3, 4)):
        created = timezone.localtime() - timedelta(days=days_ago)
        pz = FicheFactory(declarant=medecin, departement="93", created_at=created)
        for i in range(contacts):
            contact = ContactFactory(origine=pz, declarant=medecin, departement="93",
                                     created_at=created, statut=Statut.A_CONTACTER)  # fmt: skip
            if i == 0:
                StatusChange.objects.create(
                    fiche=contact, from_statut=Statut.A_CONTACTER,
                    to_statut=Statut.APPEL_REALISE, by=medecin, at=created + timedelta(hours=3),
                )  # fmt: skip
    indicateurs.rollup(depuis=timezone.localdate() - timedelta(days=20))


def test_agent_ars_reads_its_region_changes_the_period_and_downloads_the_figures(
    page, sign_in, agent_ars, medecin
):
    Affectation.objects.create(user=agent_ars, region="FR-IDF")
    _history(medecin)
    sign_in(agent_ars.email, PASSWORD)
    _settle(page)

    page.get_by_role("link", name="Tableau de bord").click()
    _settle(page)
    expect(page.get_by_role("heading", name="TABLEAU DE BORD — ÎLE-DE-FRANCE")).to_be_visible()
    synthese = page.locator(".indicateurs-synthese")
    expect(synthese).to_contain_text("6")  # contacts over the last 28 days
    expect(page.get_by_role("img", name="Nouveaux contacts")).to_be_visible()

    page.get_by_label("Du", exact=True).fill((timezone.localdate() - timedelta(days=5)).isoformat())
    page.get_by_role("button", name="AFFICHER").click()
    _settle(page)
    nouveaux = synthese.locator("div", has_text="Nouveaux contacts").locator("dd")
    expect(nouveaux).to_have_text("4")
    expect(page.get_by_label("Du", exact=True)).to_have_value(
        (timezone.localdate() - timedelta(days=5)).isoformat()
    )

    chiffres = page.get_by_role("region", name="Chiffres : Nouveaux contacts")
    chiffres.focus()
    expect(chiffres).to_be_focused()
    day = (timezone.localdate() - timedelta(days=3)).strftime("%d/%m")
    expect(chiffres.get_by_role("row", name=f"{day} 4")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="TÉLÉCHARGER LES CHIFFRES (CSV)").click()
    with open(download.value.path(), encoding="utf-8-sig") as downloaded:
        content = downloaded.read()
    page.wait_for_timeout(300)  # the button's colour transition ends before the last axe run
    assert content.splitlines()[0].startswith("Jour;Zone;Patients zéro déclarés;")
    assert ";93 — Seine-Saint-Denis;" in content


def test_a_wrong_period_is_said_in_french_on_a_phone_and_the_page_fits(
    page, sign_in, conseiller, medecin
):
    Affectation.objects.create(user=conseiller, departements="93")
    _history(medecin)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(conseiller.email, PASSWORD)
    _settle(page)

    page.goto("/tableau-de-bord/")
    _settle(page)
    page.get_by_label("Du", exact=True).fill((timezone.localdate() + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="AFFICHER").click()
    _settle(page)

    expect(page.get_by_text("Le premier jour doit précéder le dernier.")).to_be_visible()
    expect(page.get_by_label("Du", exact=True)).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("img", name="Contacts joints en 24 h (%)")).to_be_visible()


def test_doctor_goes_from_the_small_dashboard_to_the_fiches_of_one_status(page, sign_in, medecin):
    pz = FicheFactory(declarant=medecin, prenom="Paul", nom="Martin")
    ContactFactory(origine=pz, declarant=medecin, prenom="Léa", nom="Dubois",
                   statut=Statut.A_CONTACTER)  # fmt: skip
    ContactFactory(origine=pz, declarant=medecin, prenom="Tom", nom="Petit")
    sign_in(medecin.email, PASSWORD)
    _settle(page)

    page.get_by_role("link", name="Tableau de bord").click()
    _settle(page)
    expect(page.get_by_role("row", name="Total 3")).to_be_visible()
    page.get_by_role("link", name="À contacter").click()
    _settle(page)

    expect(page.get_by_text("Léa DUBOIS")).to_be_visible()
    expect(page.get_by_text("Tom PETIT")).to_have_count(0)

"""Issue 5's acceptance in a browser: the conseiller's calls, the laboratory's positive result,
the pharmacy's masks, the ARS's cluster."""

import os
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from fiches.models import Fiche
from tests.factories import PASSWORD
from tracing.models import Cluster
from tracing.tests.fixtures import (  # noqa: F401 (fixtures)
    NIR_LUCAS,
    ars_idf,
    conseiller93,
    contact93,
    patient93,
)

SCREENSHOTS = os.environ.get("SCREENSHOTS")


def _settle(page):
    page.wait_for_load_state("load")
    page.wait_for_timeout(100)
    page.wait_for_function("() => !(window.axe && window.axe._running)")


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def _sign_out(page):
    page.get_by_role("button", name="Déconnexion").click()
    page.wait_for_load_state()


def test_conseiller_calls_no_answer_recall_then_gives_instructions(page, sign_in, request):
    conseiller = request.getfixturevalue("conseiller93")
    contact = request.getfixturevalue("contact93")
    sign_in(conseiller.email, PASSWORD)
    expect(page.get_by_role("heading", name="FILE D'APPELS")).to_be_visible()
    _shot(page, "conseiller-file")

    page.get_by_role("link", name="Lucas PETIT").click()
    expect(page.get_by_text("Identité communicable")).to_be_visible()
    _shot(page, "conseiller-fiche")
    page.get_by_label("Pas de réponse (à rappeler)").check()
    demain = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("À rappeler le (si pas de réponse)").fill(demain)
    page.get_by_label("Retour à la file").check()  # the agent's choice, remembered
    page.get_by_role("button", name="ENREGISTRER L'APPEL").click()
    expect(page.get_by_text("Appel enregistré.")).to_be_visible()

    # Out of the queue until the recall, listed with it in « Rappels planifiés ».
    expect(page.locator("table.table-hover").get_by_role("link", name="Lucas PETIT")).to_have_count(
        0
    )
    expect(page.get_by_test_id("rappels")).to_contain_text("Lucas PETIT")

    # The recall time comes.
    Fiche.objects.filter(pk=contact.pk).update(rappel_le=timezone.now() - timedelta(minutes=1))
    _settle(page)
    page.reload()
    page.get_by_role("link", name="Lucas PETIT").click()
    page.get_by_label("Personne jointe").check()
    page.get_by_label("Consigne : masque").check()
    page.get_by_label("Consigne : isolement / quatorzaine").check()
    dernier = timezone.localdate() - timedelta(days=2)
    page.get_by_label("Date du dernier contact avec le patient zéro").fill(dernier.isoformat())
    fin = (dernier + timedelta(days=14)).strftime("%d/%m/%Y")
    expect(page.locator("#fin-quatorzaine")).to_have_text(f"Fin de la quatorzaine : {fin}")
    _shot(page, "conseiller-appel")
    expect(page.get_by_label("Retour à la file")).to_be_checked()
    page.get_by_role("button", name="ENREGISTRER L'APPEL").click()
    expect(page.get_by_text(f"Appel enregistré. Fin de la quatorzaine : {fin}.")).to_be_visible()
    # Called, out of the queue: found again by the search (an inbound call-back).
    page.get_by_label("Nom (début)", exact=True).fill("pét")
    page.get_by_role("button", name="RECHERCHER").click()
    page.get_by_test_id("resultats").get_by_role("link", name="Lucas PETIT").click()
    calls = page.get_by_test_id("appels").locator("li")
    expect(calls).to_have_count(2)
    expect(calls.nth(0)).to_contain_text("Pas de réponse")
    expect(calls.nth(1)).to_contain_text(f"Fin de la quatorzaine : {fin}")
    expect(page.get_by_test_id("statut")).to_contain_text("Appel réalisé")
    _shot(page, "conseiller-historique")


def test_laboratory_finds_by_nir_and_a_positive_result_reaches_the_doctors_list(
    page, sign_in, request, biologiste, medecin
):
    request.getfixturevalue("contact93")
    sign_in(biologiste.email, PASSWORD)
    expect(
        page.get_by_role("heading", name="LABORATOIRE : PRÉLÈVEMENTS ET RÉSULTATS")
    ).to_be_visible()
    page.get_by_label("NIR (15 chiffres)").fill(NIR_LUCAS)
    page.get_by_role("button", name="RECHERCHER").click()
    page.get_by_role("link", name="Lucas PETIT").click()
    _shot(page, "laboratoire-personne")
    page.get_by_label("Date du prélèvement").fill(timezone.localdate().isoformat())
    page.get_by_label("Lieu du prélèvement").fill("Laboratoire BIO DEMO, Aubervilliers")
    page.get_by_role("button", name="ENREGISTRER LE PRÉLÈVEMENT").click()
    expect(page.get_by_text("Prélèvement enregistré.")).to_be_visible()
    page.get_by_label("Positif").check()
    page.get_by_role("button", name="ENREGISTRER LE RÉSULTAT").click()
    # A second step names the person and what follows (issue 17 § 6).
    expect(page.get_by_test_id("consequence")).to_contain_text("Lucas PETIT deviendra patient zéro")
    _shot(page, "laboratoire-confirmer-positif")
    page.get_by_role("button", name="CONFIRMER LE RÉSULTAT POSITIF").click()
    expect(page.get_by_text("Résultat positif enregistré")).to_be_visible()
    expect(page.get_by_test_id("prelevement")).to_contain_text("Résultat RT-PCR : Positif")
    _sign_out(page)

    sign_in(medecin.email, PASSWORD)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Lucas PE"))
    expect(row).to_contain_text("Diagnostic confirmé")


def test_pharmacy_finds_by_exact_name_and_birth_date_and_gives_14_masks(
    page, sign_in, request, pharmacien
):
    request.getfixturevalue("contact93")
    sign_in(pharmacien.email, PASSWORD)
    expect(page.get_by_role("heading", name="PHARMACIE : DÉLIVRANCE DE MASQUES")).to_be_visible()
    page.get_by_label("Nom", exact=True).fill("Pet")
    page.get_by_label("Prénom").fill("Lucas")
    page.get_by_label("Date de naissance").fill("2010-03-14")
    page.get_by_role("button", name="RECHERCHER").click()
    expect(page.get_by_test_id("aucun-resultat")).to_be_visible()

    page.get_by_label("Nom", exact=True).fill("Petit")
    page.get_by_role("button", name="RECHERCHER").click()
    page.get_by_role("link", name="Lucas PETIT").click()
    expect(page.get_by_test_id("identite")).to_contain_text("Homme")
    expect(page.get_by_label("Nombre de masques")).to_have_value("14")
    page.get_by_role("button", name="ENREGISTRER LA DÉLIVRANCE").click()
    expect(page.get_by_text("Délivrance de 14 masques enregistrée.")).to_be_visible()
    expect(page.get_by_test_id("delivrances")).to_contain_text("14 masques")
    expect(page.get_by_test_id("semaine")).to_contain_text("14 masques délivrés pour 14 prévus")
    # The same 14 again the same day: the earlier delivery is named, a confirmation asked.
    page.get_by_role("button", name="ENREGISTRER LA DÉLIVRANCE").click()
    expect(page.get_by_text("Déjà 14 masques délivrés sur 7 jours")).to_be_visible()
    page.get_by_label("Je confirme cette délivrance au-delà de l'allocation").check()
    page.get_by_role("button", name="ENREGISTRER LA DÉLIVRANCE").click()
    expect(page.get_by_text("Délivrance de 14 masques enregistrée.")).to_be_visible()
    expect(page.get_by_test_id("semaine")).to_contain_text("28 masques délivrés")
    html = page.content()
    for hidden in ("Benali", "Nadia", "Milieu scolaire", "diagnostic", "À contacter"):
        assert hidden not in html
    _shot(page, "pharmacie-personne")


def test_ars_sees_its_school_cluster_and_exports_csv(page, sign_in, request, medecin):
    agent = request.getfixturevalue("ars_idf")
    patient = request.getfixturevalue("patient93")
    cluster = Cluster.objects.create(
        nom="École élémentaire Jean Jaurès", collectivite="scolaire", region="FR-IDF",
        departement="93", created_by=agent,
    )  # fmt: skip
    cluster.fiches.add(patient)
    sign_in(agent.email, PASSWORD)
    expect(page.get_by_role("heading", name="Milieu scolaire")).to_be_visible()
    _shot(page, "ars-collectivites")
    with page.expect_download() as download:
        page.get_by_role("link", name="EXPORTER EN CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as export:
        body = export.read()
    assert "École élémentaire Jean Jaurès" in body and "Benali" not in body
    page.get_by_role("link", name="CLUSTERS", exact=True).first.click()
    page.get_by_role("link", name="École élémentaire Jean Jaurès").click()
    expect(page.get_by_role("cell", name="Nadia BENALI")).to_be_visible()
    _shot(page, "ars-cluster")


def test_laboratory_corrects_a_positive_result_recorded_by_mistake(
    page, sign_in, request, biologiste
):
    contact = request.getfixturevalue("contact93")
    sign_in(biologiste.email, PASSWORD)
    page.get_by_label("NIR (15 chiffres)").fill(NIR_LUCAS)
    page.get_by_role("button", name="RECHERCHER").click()
    page.get_by_role("link", name="Lucas PETIT").click()
    page.get_by_label("Date du prélèvement").fill(timezone.localdate().isoformat())
    page.get_by_label("Lieu du prélèvement").fill("Laboratoire BIO DEMO, Aubervilliers")
    page.get_by_role("button", name="ENREGISTRER LE PRÉLÈVEMENT").click()
    page.get_by_label("Positif").check()
    page.get_by_role("button", name="ENREGISTRER LE RÉSULTAT").click()
    page.get_by_role("button", name="CONFIRMER LE RÉSULTAT POSITIF").click()
    expect(page.get_by_text("Résultat positif enregistré")).to_be_visible()

    page.get_by_text("Corriger ce résultat (possible pendant 24 h)").click()
    page.get_by_label("Négatif").check()
    page.get_by_label("Motif de la correction").fill("Inversion de deux tubes")
    page.get_by_label("Je confirme corriger ce résultat").check()
    page.get_by_role("button", name="CORRIGER LE RÉSULTAT").click()

    expect(page.get_by_text("Résultat corrigé en négatif")).to_be_visible()
    expect(page.get_by_test_id("prelevement")).to_contain_text("Résultat RT-PCR : Négatif")
    _shot(page, "laboratoire-correction")
    contact.refresh_from_db()
    assert not contact.is_patient_zero

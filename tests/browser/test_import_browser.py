"""Import of a list of contacts in a browser (issue 13): the template, a preview with its
errors, the confirmation, the job, the result."""

from playwright.sync_api import expect

from fiches.models import Fiche
from fiches.tests.factories import FicheFactory
from jobs.testing import run_ready_jobs
from tests.factories import PASSWORD


def test_doctor_imports_a_class_list_sees_the_errors_then_imports_the_valid_lines(
    page, sign_in, medecin, tmp_path
):
    pz = FicheFactory(declarant=medecin, prenom="Nadia", nom="Benali")
    liste = tmp_path / "classe-ce2.csv"
    liste.write_text("nom;prénom;téléphone;code postal\nMartin;Léa;06 12 34 56 78;75011\n"
                     "Petit;;;93\nCaron;Jean;;93100\n", encoding="utf-8")  # fmt: skip
    sign_in(medecin.email, PASSWORD)
    page.goto(f"/fiches/{pz.pk}/")

    page.get_by_role("link", name="IMPORTER UNE LISTE").click()
    expect(page.get_by_role("link", name="Télécharger le modèle (CSV)")).to_be_visible()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(str(liste))
    page.get_by_role("button", name="VÉRIFIER LE FICHIER").click()

    expect(page.get_by_test_id("import-etat")).to_contain_text("2 lignes valides")
    expect(page.get_by_test_id("erreurs")).to_contain_text("Prénom : Ce champ est obligatoire")
    assert not Fiche.objects.filter(origine=pz).exists()
    page.get_by_role("button", name="IMPORTER 2 CONTACTS").click()
    expect(page.get_by_test_id("import-etat")).to_contain_text("Import en cours")

    run_ready_jobs()  # the worker
    # The page follows the job by itself (no reload, no meta refresh).
    expect(page.get_by_test_id("import-etat")).to_contain_text(
        "2 personnes contacts importées", timeout=15_000
    )
    page.get_by_role("link", name="RETOUR À LA FICHE").click()
    expect(page.get_by_role("row").filter(has_text="Léa MARTIN")).to_contain_text("À contacter")


def test_agent_ars_imports_a_class_on_a_cluster_and_finds_the_pupils_in_it(
    page, sign_in, agent_ars, medecin, tmp_path
):
    from fiches.models import Collectivite
    from tracing.models import Affectation, Cluster

    Affectation.objects.create(user=agent_ars, region="FR-IDF")
    pz = FicheFactory(declarant=medecin, prenom="Nadia", nom="Benali", departement="93",
                      code_postal="93100", collectivite=Collectivite.SCOLAIRE)  # fmt: skip
    cluster = Cluster.objects.create(
        nom="École Jaurès", collectivite=Collectivite.SCOLAIRE, region="FR-IDF",
        departement="93", created_by=agent_ars,
    )  # fmt: skip
    cluster.fiches.add(pz)
    liste = tmp_path / "cm1.csv"
    liste.write_text("nom;prénom;code postal\nDurand;Emma;93100\nMoreau;Jules;93\n",
                     encoding="utf-8")  # fmt: skip
    sign_in(agent_ars.email, PASSWORD)
    page.goto(f"/ars/clusters/{cluster.pk}/")

    page.get_by_role("link", name="IMPORTER UNE LISTE DE CONTACTS").click()
    page.get_by_label("Patient zéro à l'origine").select_option(label=f"Nadia BENALI (n° {pz.pk})")
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(str(liste))
    page.get_by_role("button", name="VÉRIFIER LE FICHIER").click()
    expect(page.get_by_test_id("import-etat")).to_contain_text("2 lignes valides")
    page.get_by_role("button", name="IMPORTER 2 CONTACTS").click()
    run_ready_jobs()
    expect(page.get_by_test_id("import-etat")).to_contain_text(
        "2 personnes contacts importées", timeout=15_000
    )
    page.get_by_role("link", name="RETOUR AU CLUSTER").click()

    expect(page.get_by_role("heading", name="FICHES LIÉES (3)")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Emma DURAND")).to_contain_text("Contact")

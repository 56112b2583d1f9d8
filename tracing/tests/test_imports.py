"""Import of a list of contacts (issue 13): preview with per-line errors, nothing written before
confirmation, then one job and one transaction; macros, formulas and big files refused."""

import io
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fiches.audit import AuditLog
from fiches.models import Fiche, StatusChange
from fiches.statuses import Statut
from fiches.tests.factories import FicheFactory
from jobs.testing import run_ready_jobs
from tracing import imports
from tracing.models import ImportContacts

CSV = ("nom;Prénom;Téléphone;Code postal ou département;Même foyer\r\n"
       "Martin;Léa;06 12 34 56 78;75011;non\r\n"
       "Petit;Lucas;;;oui\r\n"
       "Faux;;12;93;\r\n"
       ";;;;\r\n")  # fmt: skip


def _pz(medecin):
    return FicheFactory(declarant=medecin, voie="1 rue A", code_postal="69003", commune="Lyon",
                        departement="69")  # fmt: skip


def _xlsx(rows, *, macro=False):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    if not macro:
        return buffer.getvalue()
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"macro")
    return buffer.getvalue()


def _upload(client, pz, name, content):
    return client.post(reverse("tracing:import_contacts", args=[pz.pk]),
                       {"fichier": SimpleUploadedFile(name, content)})  # fmt: skip


def test_preview_shows_each_lines_errors_and_writes_nothing_then_confirm_imports(client, medecin):
    pz = _pz(medecin)
    client.force_login(medecin)

    preview = _upload(client, pz, "classe.csv", CSV.encode("utf-8"))

    assert preview.status_code == 302
    page = client.get(preview.url).content.decode()
    assert "2 lignes valides" in page and "1 ligne en erreur" in page
    assert "Prénom : Ce champ est obligatoire" in page and "Numéro de téléphone invalide" in page
    assert not Fiche.objects.filter(origine=pz).exists()

    found = ImportContacts.objects.get()
    client.post(reverse("tracing:import_confirmer", args=[found.pk]))
    assert "Import en cours" in client.get(preview.url).content.decode()
    assert not Fiche.objects.filter(origine=pz).exists()  # the job has not run yet
    run_ready_jobs()

    contacts = {f.prenom: f for f in Fiche.objects.filter(origine=pz)}
    assert set(contacts) == {"Léa", "Lucas"}
    assert contacts["Léa"].statut == Statut.A_CONTACTER and contacts["Léa"].departement == "75"
    assert contacts["Lucas"].commune == "Lyon"  # même foyer
    assert StatusChange.objects.filter(fiche__origine=pz).count() == 2
    assert AuditLog.objects.filter(action="fiche.created", object_id=contacts["Léa"].pk).exists()
    found.refresh_from_db()
    assert (found.etat, found.crees) == ("termine", 2)
    assert "2 personnes contacts importées" in client.get(preview.url).content.decode()
    # Confirmed twice (a double click): imported once.
    client.post(reverse("tracing:import_confirmer", args=[found.pk]))
    run_ready_jobs()
    assert Fiche.objects.filter(origine=pz).count() == 2


def test_an_xlsx_file_is_read_with_numbers_as_typed(client, medecin):
    pz = _pz(medecin)
    client.force_login(medecin)
    content = _xlsx([["NOM", "PRENOM", "TEL", "CP"], ["Martin", "Léa", 612345678, 75011]])

    response = _upload(client, pz, "liste.xlsx", content)

    found = ImportContacts.objects.get()
    assert response.status_code == 302
    assert found.lignes == [{"nom": "Martin", "prenom": "Léa", "telephone": "+33612345678",
                             "code_postal": "75011", "meme_foyer": False}]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("macro.xlsx", _xlsx([["nom", "prénom"], ["A", "B"]], macro=True), "macros sont refusés"),
     ("formule.xlsx", _xlsx([["nom", "prénom"], ["=1+1", "B"]]), "les formules sont refusées"),
     ("formule.csv", b"nom;prenom\n=HYPERLINK(\"x\");B\n", "les formules sont refusées"),
     ("image.png", b"\x89PNG\r\n", "Format non reconnu"),
     ("sans-entete.csv", b"Martin;Lea\n", "au moins « nom » et « prénom »"),
     ("vide.csv", b"", "vide")],
)  # fmt: skip
def test_files_that_are_refused_say_why_in_french(client, medecin, name, content, message):
    pz = _pz(medecin)
    client.force_login(medecin)

    response = _upload(client, pz, name, content)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportContacts.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, medecin, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    pz = _pz(medecin)
    client.force_login(medecin)

    response = _upload(client, pz, "gros.csv", CSV.encode() * 5)

    assert response.status_code == 400 and "dépasse 2 Mo" in response.content.decode()


def test_the_template_file_imports_as_is(client, medecin):
    pz = _pz(medecin)
    client.force_login(medecin)
    template = client.get(reverse("tracing:import_modele"))

    _upload(client, pz, "modele.csv", template.content)

    assert len(ImportContacts.objects.get().lignes) == 2


def test_ten_thousand_lines_are_checked_and_created_in_seconds(client, medecin):
    pz = _pz(medecin)
    client.force_login(medecin)
    lines = "".join(f"Nom{i};Prénom{i};06 12 34 {i % 100:02d} {i % 97:02d};93\r\n"
                    for i in range(10_000))  # fmt: skip
    start = time.perf_counter()

    response = _upload(client, pz, "gros.csv", ("nom;prénom;tel;cp\r\n" + lines).encode())
    client.post(reverse("tracing:import_confirmer", args=[ImportContacts.objects.get().pk]))
    run_ready_jobs()

    assert response.status_code == 302
    assert Fiche.objects.filter(origine=pz).count() == 10_000
    print(f"\n10 000 lignes vérifiées et importées en {time.perf_counter() - start:.1f} s")


def test_a_zip_bomb_a_broken_csv_or_an_unreadable_encoding_is_refused_not_a_500(
    client, medecin, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_UNPACKED_BYTES", 1000)
    pz = _pz(medecin)
    client.force_login(medecin)
    bomb = _xlsx([["nom", "prénom"]] + [["x" * 50, "y"] for _ in range(100)])
    cases = [
        ("bombe.xlsx", bomb, "trop volumineux une fois décompressé"),
        ("champ-geant.csv", b'nom;prenom\n"' + b"x" * 200_000 + b"\n", "pas lisible"),
        ("octet-81.csv", b"nom;prenom\nMartin;L\x81a\n", "enregistrez-le en UTF-8"),
        ("octet.csv", "nom;prénom\nMartin;Léa\n".encode("utf-16"), "nom"),
    ]
    for name, content, message in cases:
        response = _upload(client, pz, name, content)
        assert response.status_code == 400, name
        assert message in response.content.decode(), name
    import csv

    assert csv.excel.delimiter == ","  # the standard dialect is left alone


def test_an_import_on_a_draft_is_refused_at_once(client, medecin):
    draft = FicheFactory(declarant=medecin, brouillon=True, statut="en_attente")
    client.force_login(medecin)

    response = client.get(reverse("tracing:import_contacts", args=[draft.pk]))

    assert response.status_code == 302


def test_a_failing_import_job_says_so_and_keeps_nothing(client, medecin, monkeypatch):
    from fiches import services

    pz = _pz(medecin)
    client.force_login(medecin)
    _upload(client, pz, "classe.csv", CSV.encode("utf-8"))
    found = ImportContacts.objects.get()

    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "contacts_import", broken)
    client.post(reverse("tracing:import_confirmer", args=[found.pk]))
    run_ready_jobs()

    found.refresh_from_db()
    assert found.etat == "echec" and "erreur technique" in found.message
    assert not Fiche.objects.filter(origine=pz).exists()


# On a cluster (agent ARS) -------------------------------------------------------------------


def _cluster_with_pz(ars, medecin, *, region="FR-IDF"):
    from fiches.models import Collectivite
    from tracing.models import Cluster

    pz = FicheFactory(declarant=medecin, departement="93", code_postal="93100",
                      collectivite=Collectivite.SCOLAIRE, voie="1 rue A",
                      commune="Montreuil")  # fmt: skip
    cluster = Cluster.objects.create(nom="École Jaurès", collectivite=Collectivite.SCOLAIRE,
                                     region=region, departement="93", created_by=ars)  # fmt: skip
    cluster.fiches.add(pz)
    return cluster, pz


CLASSE = ("nom;prénom;téléphone;code postal ou département\r\n"
          "Durand;Emma;06 12 34 56 70;93100\r\n"
          "Moreau;Jules;;93\r\n")  # fmt: skip


def test_an_agent_ars_imports_a_class_on_a_cluster_its_pupils_join_the_cluster(
    client, ars_idf, medecin
):
    cluster, pz = _cluster_with_pz(ars_idf, medecin)
    client.force_login(ars_idf)
    url = reverse("tracing:ars_cluster_import", args=[cluster.pk])
    assert (
        "IMPORTER UNE LISTE DE CONTACTS"
        in client.get(reverse("tracing:ars_cluster", args=[cluster.pk])).content.decode()
    )

    fichier = SimpleUploadedFile("6e-b.csv", CLASSE.encode())
    preview = client.post(url, {"origine": pz.pk, "fichier": fichier})
    page = client.get(preview.url).content.decode()
    assert "CLUSTER :</strong> École Jaurès" in page and "2 lignes valides" in page
    assert Fiche.objects.filter(origine=pz).count() == 0
    client.post(reverse("tracing:import_confirmer", args=[preview.url.split("/")[-2]]))
    run_ready_jobs()

    contacts = Fiche.objects.filter(origine=pz)
    assert sorted(contacts.values_list("nom", flat=True)) == ["Durand", "Moreau"]
    assert set(cluster.fiches.values_list("pk", flat=True)) == {pz.pk, *contacts.values_list(
        "pk", flat=True)}  # fmt: skip
    assert set(contacts.values_list("collectivite", flat=True)) == {"scolaire"}
    assert set(contacts.values_list("medecin", flat=True)) == {medecin.pk}
    audit = AuditLog.objects.get(action="cluster.contacts_imported")
    assert sorted(audit.data["fiches"]) == sorted(contacts.values_list("pk", flat=True))
    cluster_page = client.get(reverse("tracing:ars_cluster", args=[cluster.pk])).content.decode()
    assert "Emma DURAND" in cluster_page and "RETOUR AU CLUSTER" in client.get(
        preview.url).content.decode()  # fmt: skip


def test_a_cluster_import_needs_one_of_the_clusters_patients_zero(client, ars_idf, medecin):
    cluster, pz = _cluster_with_pz(ars_idf, medecin)
    other = FicheFactory(declarant=medecin, departement="93", collectivite="scolaire")
    client.force_login(ars_idf)
    url = reverse("tracing:ars_cluster_import", args=[cluster.pk])

    fichier = SimpleUploadedFile("a.csv", CLASSE.encode())
    response = client.post(url, {"origine": other.pk, "fichier": fichier})

    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert "Durand" not in response.content.decode()
    assert not ImportContacts.objects.exists()
    cluster.fiches.remove(pz)
    assert "Liez d'abord au cluster la fiche d'un patient zéro" in client.get(
        url).content.decode()  # fmt: skip


def test_another_regions_cluster_and_its_imports_are_404_for_an_agent_ars(client, ars_idf, medecin):
    from accounts.roles import Role
    from tests.conftest import _user_with_role
    from tracing.models import Affectation

    other_agent = _user_with_role(Role.ARS)
    Affectation.objects.create(user=other_agent, region="FR-ARA")
    cluster, pz = _cluster_with_pz(ars_idf, medecin)
    client.force_login(ars_idf)
    preview = client.post(reverse("tracing:ars_cluster_import", args=[cluster.pk]), {
        "origine": pz.pk, "fichier": SimpleUploadedFile("a.csv", CLASSE.encode())})  # fmt: skip
    client.force_login(other_agent)

    assert client.get(reverse("tracing:ars_cluster_import", args=[cluster.pk])).status_code == 404
    assert client.get(preview.url).status_code == 404


def test_a_cluster_import_refuses_lines_outside_the_region_and_rechecks_at_confirmation(
    client, ars_idf, medecin
):
    cluster, pz = _cluster_with_pz(ars_idf, medecin)
    client.force_login(ars_idf)
    lines = ("nom;prénom;code postal\r\nDurand;Emma;93100\r\nLyon;Paul;69003\r\n"
             "Foyer;Zoé;\r\n")  # fmt: skip
    fichier = SimpleUploadedFile("liste.csv", lines.encode())

    preview = client.post(reverse("tracing:ars_cluster_import", args=[cluster.pk]),
                          {"origine": pz.pk, "fichier": fichier})  # fmt: skip
    page = client.get(preview.url).content.decode()

    assert "1 ligne valide" in page and "2 lignes en erreur" in page
    assert "hors de votre région" in page
    cluster.fiches.remove(pz)  # unlinked meanwhile
    confirmed = client.post(
        reverse("tracing:import_confirmer", args=[preview.url.split("/")[-2]]), follow=True
    )
    run_ready_jobs()
    assert "n&#x27;est plus lié à ce cluster" in confirmed.content.decode() or (
        "n'est plus lié à ce cluster" in confirmed.content.decode()
    )
    assert not Fiche.objects.filter(origine=pz).exists()

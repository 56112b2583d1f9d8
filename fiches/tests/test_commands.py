from django.core.management import call_command

from accounts.demo import load_demo_accounts
from fiches.demo import load_demo_fiches
from fiches.models import Beneficiaire, Fiche, Nature
from fiches.statuses import Statut


def test_csv_import_creates_updates_and_skips_invalid_lines(db, tmp_path, capsys):
    path = tmp_path / "beneficiaires.csv"
    path.write_text(
        "nir;nom;prenom;date_naissance;sexe;regime;caisse;adresse\n"
        "1 85 05 78 006 084 91;SHNEIDEZ;Kevan;12/05/1985;M;ENIM;ENIM - CLP Lorient;2 rue\n"
        "185057800608492;FAUX;Nir;;;;;\n",
        encoding="utf-8",
    )
    call_command("import_beneficiaires", str(path))
    call_command("import_beneficiaires", str(path))

    kevan = Beneficiaire.objects.get()
    assert (kevan.nir, kevan.caisse, kevan.date_naissance.year) == (
        "185057800608491",
        "ENIM - CLP Lorient",
        1985,
    )
    assert "Ligne 3 ignorée" in capsys.readouterr().err


def test_demo_fiches_follow_the_guide_and_load_twice_without_duplicates(db):
    load_demo_accounts()
    load_demo_fiches()
    count = Fiche.objects.count()
    load_demo_fiches()

    assert Fiche.objects.count() == count
    assert Beneficiaire.objects.filter(nir="185057800608491", caisse="ENIM - CLP Lorient").exists()
    assert Fiche.objects.filter(prenom="Célia", brouillon=True).exists()
    promoted = Fiche.objects.get(prenom="Hugo")
    assert promoted.nature == Nature.PATIENT_ZERO and promoted.origine.prenom == "Paul"
    statuses = set(Fiche.objects.values_list("statut", flat=True))
    assert {Statut.CONTACT_A_TROUVER, Statut.APPEL_REALISE, Statut.PATIENT_A_RAPPELER} <= statuses


def test_seed_fiches_creates_patients_zero_with_contacts(db):
    call_command("seed_fiches", 20, batch=8, medecins=3, verbosity=0)
    assert Fiche.objects.filter(nature=Nature.PATIENT_ZERO).count() == 20
    contacts = Fiche.objects.filter(nature=Nature.CONTACT)
    assert 20 <= contacts.count() <= 100
    assert not contacts.filter(origine__isnull=True).exists()


def test_seed_fiches_can_fill_one_departement_for_a_platforms_queue(db):
    call_command("seed_fiches", 10, batch=4, medecins=2, departement="93", verbosity=0)

    assert set(Fiche.objects.values_list("departement", flat=True)) == {"93"}


def test_bench_plateforme_times_every_platform_page(db, capsys):
    call_command("seed_fiches", 10, batch=4, medecins=2, departement="93", verbosity=0)

    call_command("bench_plateforme", runs=1)

    out = capsys.readouterr().out
    for label in ("file, page 1", "fiche suivante", "recherche téléphone"):
        assert label in out
    assert "requêtes" in out

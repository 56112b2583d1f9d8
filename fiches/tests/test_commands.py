import pytest
from django.core.management import CommandError, call_command
from django.db import connection

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
    call_command("seed_fiches", 20, batch=8, medecins=3, orm=True, verbosity=0)
    assert Fiche.objects.filter(nature=Nature.PATIENT_ZERO).count() == 20
    contacts = Fiche.objects.filter(nature=Nature.CONTACT)
    assert 20 <= contacts.count() <= 100
    assert not contacts.filter(origine__isnull=True).exists()


def test_seed_fiches_can_fill_one_departement_for_a_platforms_queue(db):
    call_command("seed_fiches", 10, batch=4, medecins=2, departement="93", orm=True, verbosity=0)

    assert set(Fiche.objects.values_list("departement", flat=True)) == {"93"}


def test_the_bench_suite_times_every_page_beside_its_sql_and_floor(db, capsys, tmp_path):
    call_command("seed_fiches", 12, batch=4, medecins=2, departement="93", orm=True, verbosity=0)
    with pytest.raises(CommandError, match="base de mesure"):
        call_command("bench", runs=1, sans_charge=True)

    report = tmp_path / "bench.md"
    call_command("bench", base_de_mesure=True, runs=2, page_profonde=2, rendus_pdf=3,
                 sans_charge=True, sortie=str(report))  # fmt: skip

    text = report.read_text()
    assert "Plancher : page sans requête" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and " ms |" in line]
    pages = {line.split(" | ")[1] for line in rows}
    for page in (
        "liste, page 1 (25)",
        "recherche NIR exact",
        "fiche patient zéro et ses contacts",
        "modifier, VALIDER (écrit)",
        "formulaire de contact (PDF)",
        "file d'appels, page 1",
        "fiche suivante (réserve)",
        "recherche par NIR",
        "collectivités",
        "tableau de bord (région)",
        "journal d'audit, page 1",
    ):
        assert page in pages, page  # fmt: skip
    for line in rows:  # p50, p95, SQL alone, ratio, queries: numbers, and queries were counted
        cells = line.strip("| ").split(" | ")
        assert float(cells[3].removesuffix(" ms")) > 0 and int(cells[6]) > 0, line
        assert float(cells[4].removesuffix(" ms")) > 0, line  # the SQL was replayed
    assert "Formulaire de contact (PDF) seul, 3 rendus" in text


def test_bench_admin_and_bench_indicateurs_time_their_pages(db, capsys):
    call_command("seed_fiches", 10, batch=4, medecins=2, orm=True, verbosity=0)

    call_command("bench_admin", runs=1)
    call_command("bench_indicateurs", remplir_jours=3, base_de_mesure=True, rollup=True,
                 jours_rollup=2, runs=1)  # fmt: skip

    out = capsys.readouterr().out
    for label in (
        "fiches, recherche NIR exact",
        "journal, qui a consulté une fiche",
        "admin, France, 366 jours",
        "conseiller, 93, 28 jours",
        "Calcul courant",
    ):
        assert label in out, label  # fmt: skip


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY: PostgreSQL's load")
@pytest.mark.django_db(transaction=True)
def test_seed_fiches_copies_valid_fiches_with_their_history_and_audit_then_rebuilds_indexes():
    import phonenumbers

    from fiches.audit import AuditLog
    from fiches.identity import nir_key
    from fiches.models import StatusChange
    from fiches.statuses import INITIAL_CONTACT, INITIAL_PATIENT_ZERO, is_allowed
    from fiches.tests.factories import FicheFactory

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename IN "
                "('fiches_fiche', 'fiches_statuschange', 'fiches_auditlog')"
            )
            return sorted(row[0] for row in cursor.fetchall())

    before = indexes()
    with pytest.raises(CommandError, match="base de mesure"):
        call_command("seed_fiches", 300, medecins=3, verbosity=0)
    call_command("seed_fiches", 300, medecins=3, base_de_mesure=True, verbosity=0)

    fiches = Fiche.objects.all()
    assert fiches.filter(nature=Nature.PATIENT_ZERO).count() == 300
    assert 600 <= fiches.count() <= 1800
    assert indexes() == before
    phones = fiches.exclude(telephone="").values_list("telephone", flat=True)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in phones)
    assert not fiches.filter(statut=Statut.CONTACT_A_TROUVER).exclude(telephone="").exists()
    nirs = fiches.exclude(nir="").values_list("nir", flat=True)
    assert len(nirs) >= 300 and all(nir_key(n[:13]) == n[13:] for n in nirs)
    # A NIR's year and month are its holder's birth date's (the lookups by name need it).
    born = fiches.exclude(nir="").values_list("nir", "date_naissance")
    assert all(d is not None and n[1:5] == f"{d:%y%m}" for n, d in born)
    assert not fiches.filter(nature=Nature.PATIENT_ZERO, date_naissance__isnull=True).exists()
    creations = StatusChange.objects.filter(from_statut="")
    assert creations.count() == fiches.count()
    assert set(creations.values_list("to_statut", flat=True)) <= (
        INITIAL_CONTACT | INITIAL_PATIENT_ZERO | {Statut.A_CONTACTER})  # fmt: skip
    moves = StatusChange.objects.exclude(from_statut="").values_list("from_statut", "to_statut")
    assert moves and all(is_allowed(a, b) for a, b in moves)
    for fiche in fiches.order_by("?")[:50]:  # its last change is its status
        assert fiche.historique.order_by("at", "id").last().to_statut == fiche.statut
    assert AuditLog.objects.filter(action="fiche.created").count() == fiches.count()
    FicheFactory()  # the sequences were moved past the loaded ids

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Caisse, LieuExercice, Professionnel

HEADER = (
    "numero;type_numero;civilite;nom;prenom;raison_sociale;profession;specialite;"
    "situation_conventionnelle;nir;iban_fin;libelle;adresse;code_postal;ville;caisse;"
    "caisse_adresse;caisse_code_postal;caisse_ville;caisse_telephone\n"
)
CAISSE = "CPAM de Bobigny (931);195 avenue Paul Vaillant Couturier;93000;Bobigny;3608"
GOOD = [
    f"931111116;AM;Dr;Nouveau;Paul;;medecin;Médecine générale;Secteur 1;"
    f"1 80 01 93 048 123 23;0140;Cabinet;5 rue Carnot;93100;Montreuil;{CAISSE}",
    f"751111112;AM;Dr;Nouveau;Paul;;medecin;Médecine générale;Secteur 1;"
    f"180019304812323;0140;Cabinet;1 rue de Charonne;75011;Paris;{CAISSE}",
    f"930099999;FINESS;;;;Pharmacie NOUVELLE;pharmacien;Officine;;;;Officine;"
    f"12 boulevard Rouget de Lisle;93100;Montreuil;{CAISSE}",
]


def write(tmp_path, lines):
    path = tmp_path / "referentiel.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_import_creates_professionals_with_all_their_practice_places(db, tmp_path, capsys):
    call_command("import_referentiel", write(tmp_path, GOOD))

    nouveau = Professionnel.objects.get(nom="Nouveau")
    assert sorted(nouveau.lieux.values_list("numero", flat=True)) == ["751111112", "931111116"]
    assert nouveau.nir == "180019304812323"
    assert Professionnel.objects.get(raison_sociale="Pharmacie NOUVELLE").is_etablissement
    assert Caisse.objects.count() == 1
    assert "3 lieu(x) d'exercice créé(s)" in capsys.readouterr().out


def test_import_twice_updates_instead_of_duplicating(db, tmp_path):
    path = write(tmp_path, GOOD)
    call_command("import_referentiel", path)
    call_command("import_referentiel", path)

    assert LieuExercice.objects.count() == 3
    assert Professionnel.objects.count() == 2


def test_lines_in_error_are_reported_in_french_with_their_number(db, tmp_path, capsys):
    bad = [
        GOOD[0],
        f"12;AM;Dr;X;Y;;medecin;;;;;;1 rue A;93100;Montreuil;{CAISSE}",
        f"931111124;XX;Dr;X;Y;;plombier;;;123;ABCDE;;;9310;Montreuil;{CAISSE}",
    ]

    with pytest.raises(CommandError):
        call_command("import_referentiel", write(tmp_path, bad))

    err = capsys.readouterr().err
    assert "Ligne 3 : " in err
    assert "le numéro « 12 » doit comporter 9 caractères" in err
    assert "Ligne 4 : " in err
    assert "le type de numéro doit être AM ou FINESS" in err
    assert "la profession « plombier » est inconnue" in err
    assert "le NIR n'est pas valide" in err
    assert "la colonne « adresse » est vide" in err
    assert "le code postal « 9310 » doit comporter 5 chiffres" in err
    assert LieuExercice.objects.count() == 1  # the good line is imported


def test_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match="Lecture impossible"):
        call_command("import_referentiel", "/nulle/part.csv")

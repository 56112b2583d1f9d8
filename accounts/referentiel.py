"""Import of the référentiel of professionals from CSV: one line per practice place.

Lines are checked one by one; a line in error is reported (in French, with its number) and
skipped, the others are imported. A practice place is found by its AM/FINESS number, a
professional by the practice place or by their NIR.
"""

import csv
import re
from dataclasses import dataclass, field

from django.db import transaction
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as stdnum_nir

from accounts.models import Caisse, LieuExercice, Professionnel
from accounts.selectors import NUMERO_RE, normalize_identifier

COLUMNS = [
    "numero",
    "type_numero",
    "civilite",
    "nom",
    "prenom",
    "raison_sociale",
    "profession",
    "specialite",
    "situation_conventionnelle",
    "nir",
    "iban_fin",
    "libelle",
    "adresse",
    "code_postal",
    "ville",
    "caisse",
    "caisse_adresse",
    "caisse_code_postal",
    "caisse_ville",
    "caisse_telephone",
]
REQUIRED = ["numero", "type_numero", "profession", "adresse", "code_postal", "ville", "caisse"]


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)


def _check(row):
    """The French problems of one line (empty when it is fine) and its cleaned values."""
    values = {name: (row.get(name) or "").strip() for name in COLUMNS}
    problems = [f"la colonne « {name} » est vide" for name in REQUIRED if not values[name]]
    values["numero"] = normalize_identifier(values["numero"])
    if values["numero"] and not NUMERO_RE.match(values["numero"]):
        problems.append(f"le numéro « {values['numero']} » doit comporter 9 caractères")
    values["type_numero"] = values["type_numero"].upper()
    if values["type_numero"] and values["type_numero"] not in LieuExercice.TypeNumero.values:
        problems.append("le type de numéro doit être AM ou FINESS")
    values["profession"] = values["profession"].lower()
    if values["profession"] and values["profession"] not in Professionnel.Profession.values:
        allowed = ", ".join(Professionnel.Profession.values)
        problems.append(f"la profession « {values['profession']} » est inconnue ({allowed})")
    if values["civilite"] and values["civilite"] not in Professionnel.Civilite.values:
        problems.append("la civilité doit être Dr, Mme ou M.")
    if not values["nom"] and not values["raison_sociale"]:
        problems.append("il faut un nom ou une raison sociale")
    if values["nir"]:
        try:
            values["nir"] = stdnum_nir.validate("".join(values["nir"].split()))
        except StdnumError:
            problems.append("le NIR n'est pas valide (15 chiffres, clé comprise)")
    values["iban_fin"] = values["iban_fin"].upper()
    if values["iban_fin"] and not re.fullmatch(r"[0-9A-Z]{4}", values["iban_fin"]):
        problems.append("les 4 derniers caractères de l'IBAN doivent être 4 lettres ou chiffres")
    for name in ("code_postal", "caisse_code_postal"):
        if values[name] and not re.fullmatch(r"[0-9]{5}", values[name]):
            problems.append(f"le code postal « {values[name]} » doit comporter 5 chiffres")
    return problems, values


def _save(values):
    caisse, _ = Caisse.objects.update_or_create(
        nom=values["caisse"],
        defaults={
            "adresse": values["caisse_adresse"],
            "code_postal": values["caisse_code_postal"],
            "ville": values["caisse_ville"],
            "telephone": values["caisse_telephone"],
        },
    )
    lieu = LieuExercice.objects.filter(numero=values["numero"]).select_related("professionnel")
    lieu = lieu.first()
    if lieu is not None:
        pro = lieu.professionnel
    elif values["nir"]:
        pro = Professionnel.objects.filter(nir=values["nir"]).first() or Professionnel()
    else:
        pro = Professionnel()
    for name in (
        "civilite",
        "nom",
        "prenom",
        "raison_sociale",
        "profession",
        "specialite",
        "situation_conventionnelle",
        "nir",
        "iban_fin",
    ):
        setattr(pro, name, values[name])
    pro.save()
    _, created = LieuExercice.objects.update_or_create(
        numero=values["numero"],
        defaults={
            "professionnel": pro,
            "type_numero": values["type_numero"],
            "libelle": values["libelle"] or "Cabinet",
            "adresse": values["adresse"],
            "code_postal": values["code_postal"],
            "ville": values["ville"],
            "caisse": caisse,
        },
    )
    return created


def import_csv(handle):
    sample = handle.read(4096)
    handle.seek(0)
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(handle, delimiter=delimiter)
    report = Report()
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(f"Ligne 1 : colonnes manquantes : {', '.join(missing)}")
        return report
    seen = {}
    for row in reader:
        line = reader.line_num
        problems, values = _check(row)
        if values["numero"] in seen:
            problems.append(
                f"le numéro {values['numero']} figure déjà ligne {seen[values['numero']]}"
            )
        if problems:
            report.errors.append(f"Ligne {line} : " + " ; ".join(problems) + ".")
            continue
        seen[values["numero"]] = line
        with transaction.atomic():
            if _save(values):
                report.created += 1
            else:
                report.updated += 1
    return report

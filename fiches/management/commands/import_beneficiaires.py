"""Import the beneficiaries' référentiel from a CSV file (UTF-8, comma- or semicolon-separated).

Columns: nir, nom, prenom, date_naissance (AAAA-MM-JJ or JJ/MM/AAAA), sexe (M/F), regime,
caisse, adresse. A NIR already known is updated; a line with an invalid NIR is reported and
skipped.
"""

import csv
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from fiches.identity import normalize_nir
from fiches.models import Beneficiaire

COLUMNS = ["nir", "nom", "prenom", "date_naissance", "sexe", "regime", "caisse", "adresse"]


def parse_date(value: str) -> date | None:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


class Command(BaseCommand):
    help = "Importe le référentiel des bénéficiaires depuis un fichier CSV."

    def add_arguments(self, parser):
        parser.add_argument("fichier")

    def handle(self, *args, fichier, **options):
        try:
            with open(fichier, encoding="utf-8-sig", newline="") as handle:
                sample = handle.read(4096)
                handle.seek(0)
                dialect = csv.Sniffer().sniff(sample, delimiters=",;")
                rows = list(csv.DictReader(handle, dialect=dialect))
        except OSError as error:
            raise CommandError(f"Fichier illisible : {error}") from error
        created = updated = skipped = 0
        with transaction.atomic():
            for number, row in enumerate(rows, start=2):
                try:
                    nir = normalize_nir(row.get("nir", ""))
                except ValidationError:
                    nir = ""
                if len(nir) != 15 or not row.get("nom") or not row.get("prenom"):
                    self.stderr.write(f"Ligne {number} ignorée : NIR, nom ou prénom invalide.")
                    skipped += 1
                    continue
                values = {name: (row.get(name) or "").strip() for name in COLUMNS if name != "nir"}
                values["date_naissance"] = parse_date(values["date_naissance"])
                values["sexe"] = values["sexe"].upper()[:1]
                _, was_created = Beneficiaire.objects.update_or_create(nir=nir, defaults=values)
                created += was_created
                updated += not was_created
        self.stdout.write(
            self.style.SUCCESS(
                f"{created} bénéficiaire(s) créé(s), {updated} mis à jour, {skipped} ignoré(s)."
            )
        )

"""Import the référentiel of professionals from a CSV file (one line per practice place)."""

import csv

from django.core.management.base import BaseCommand, CommandError

from accounts.referentiel import COLUMNS, import_csv


class Command(BaseCommand):
    help = (
        "Importe le référentiel des professionnels depuis un fichier CSV (séparateur « ; » ou "
        "« , », une ligne par lieu d'exercice). Colonnes : " + ", ".join(COLUMNS)
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="chemin du fichier CSV (UTF-8)")

    def handle(self, *args, fichier, **options):
        try:
            with open(fichier, encoding="utf-8-sig", newline="") as handle:
                report = import_csv(handle)
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"Lecture impossible de {fichier} : {error}") from error
        for line_error in report.errors:
            self.stderr.write(line_error)
        self.stdout.write(
            f"{report.created} lieu(x) d'exercice créé(s), {report.updated} mis à jour, "
            f"{len(report.errors)} ligne(s) en erreur."
        )
        if report.errors:
            raise CommandError("Des lignes sont en erreur : elles n'ont pas été importées.")

"""`python manage.py indicateurs`: bring the dashboard's daily figures up to date now (the
worker does it every few minutes). `--depuis AAAA-MM-JJ` recomputes every day since then (after
an import of history, or to rebuild the table)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from fiches import indicateurs


class Command(BaseCommand):
    help = "Recalcule les indicateurs par jour du tableau de bord."

    def add_arguments(self, parser):
        parser.add_argument("--depuis", help="premier jour à recalculer (AAAA-MM-JJ)")

    def handle(self, *args, depuis=None, **options):
        try:
            first = date.fromisoformat(depuis) if depuis else None
        except ValueError as error:
            raise CommandError("--depuis attend une date AAAA-MM-JJ.") from error
        self.stdout.write(str(indicateurs.rollup(depuis=first)))

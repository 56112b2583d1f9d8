"""`python manage.py purge_retention`: run the retention purge now (the worker runs it every
day); prints what it purged. `--batch` sets the size of each short transaction."""

from django.core.management.base import BaseCommand

from fiches import retention


class Command(BaseCommand):
    help = "Purge l'identité des fiches collectées il y a plus de RETENTION_DAYS jours."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, batch, **options):
        self.stdout.write(str(retention.purge(batch=batch)))

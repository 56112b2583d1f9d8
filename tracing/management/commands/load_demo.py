from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, load_demo_accounts
from fiches.demo import load_demo_fiches
from fiches.demo_indicateurs import load_demo_indicateurs
from tracing.demo import load_demo_tracing


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent : peut être relancée sans doublon)."

    def handle(self, *args, **options):
        self.stdout.write("Chargement des données de démonstration…")
        load_demo_accounts(stdout=self.stdout)
        load_demo_fiches(stdout=self.stdout)
        load_demo_tracing(stdout=self.stdout)
        load_demo_indicateurs(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                "Données de démonstration prêtes. "
                f"Mot de passe de tous les comptes : {DEMO_PASSWORD}"
            )
        )

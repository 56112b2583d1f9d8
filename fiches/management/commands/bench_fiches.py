"""Time the doctor's list and searches on the current database (after `seed_fiches`): the
first page, a deep page reached by following the cursors, and each search. Prints the median
of a few runs of the full view (request → HTML). For the README's "Scale" figures; not a test.
"""

import re
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client

from accounts.models import User
from fiches import selectors
from fiches.models import Fiche


class Command(BaseCommand):
    help = "Mesure la liste des fiches et les recherches (après seed_fiches)."

    def add_arguments(self, parser):
        parser.add_argument("--medecin", default="seed.medecin0")
        parser.add_argument("--depth", type=int, default=400, help="page profonde (par 25)")
        parser.add_argument("--runs", type=int, default=7)

    def handle(self, *args, medecin, depth, runs, **options):
        user = User.objects.get(username=medecin)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        visible = Fiche.objects.filter(medecin=user)
        self.stdout.write(
            f"{Fiche.objects.count()} fiches en base ; {visible.count()} pour {medecin}."
        )
        cursor = ""
        for _ in range(depth - 1):
            cursor = selectors.fiche_page(visible, size=25, apres=cursor).next_cursor
        nir = visible.exclude(nir="").values_list("nir", flat=True).first()
        cases = [
            ("liste, première page (25)", {}),
            ("liste, première page (100)", {"par_page": 100}),
            (f"liste, page {depth} (curseur)", {"apres": cursor}),
            ("recherche prénom « celi »", {"prenom": "celi"}),
            ("recherche nom « lef »", {"nom": "lef"}),
            ("recherche NIR exact", {"nir": nir}),
            ("recherche NIR préfixe (7 car.)", {"nir": nir[:7]}),
            ("recherche statut « À contacter »", {"statut": "a_contacter"}),
            ("recherche prénom + statut", {"prenom": "célia", "statut": "appel_realise"}),
        ]
        for label, params in cases:
            timings = []
            for _ in range(runs):
                start = time.perf_counter()
                response = client.get("/", params)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
            found = re.search(r"(Plus de \d+|\d+) fiche", response.content.decode())
            self.stdout.write(
                f"{label:40} {statistics.median(timings):7.1f} ms  ({found.group(1)} trouvées)"
            )
        connection.close()

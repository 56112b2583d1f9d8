"""Time the call platform's pages on the current database (after `seed_fiches N --departement
93`): the queue, « fiche suivante », the planned recalls and the searches, through the full view
(request → HTML), with their number of queries and the time spent in SQL. For the README's
"Scale" figures; not a test. « Fiche suivante » really reserves: run it on a bench database.
"""

import statistics
import time

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role
from fiches.models import Fiche
from tracing.models import Affectation


class Command(BaseCommand):
    help = "Mesure la file d'appels, « fiche suivante » et la recherche d'une plateforme."

    def add_arguments(self, parser):
        parser.add_argument("--departement", default="93")
        parser.add_argument("--runs", type=int, default=7)

    def handle(self, *args, departement, runs, **options):
        agent = self._agent(departement)
        client = Client(HTTP_HOST="localhost")
        client.force_login(agent)
        scope = Fiche.objects.filter(departement=departement)
        self.stdout.write(f"{Fiche.objects.count()} fiches en base ; {scope.count()} dans le "
                          f"{departement}.")  # fmt: skip
        sample = scope.exclude(nir="").exclude(telephone="").values("nir", "telephone").first()
        cases = [
            ("file, page 1", "get", "/plateforme/", {}),
            ("file, page 10", "get", "/plateforme/", {"page": 10}),
            ("file, « À contacter » seulement", "get", "/plateforme/", {"statut": "a_contacter"}),
            ("fiche suivante (réserve)", "post", "/plateforme/suivante/", {}),
            # A search is posted, then shown by its token (post/redirect/get): both timed.
            ("recherche NIR exact", "post", "/plateforme/", {"nir": sample["nir"]}),
            ("recherche NIR préfixe (7 car.)", "post", "/plateforme/", {"nir": sample["nir"][:7]}),
            ("recherche nom « lef »", "post", "/plateforme/", {"nom": "lef"}),
            ("recherche nom + prénom", "post", "/plateforme/", {"nom": "martin", "prenom": "lé"}),
            ("recherche téléphone", "post", "/plateforme/", {"telephone": sample["telephone"]}),
        ]
        client.get("/plateforme/", secure=True)  # the session's first request stamps its times
        for label, method, url, params in cases:
            timings, sql = [], []
            for _ in range(runs):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = getattr(client, method)(
                        url, params, secure=True, follow=url != "/plateforme/suivante/"
                    )
                    timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code in (200, 302), response.status_code
                sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            self.stdout.write(
                f"{label:36} {statistics.median(timings):7.1f} ms  "
                f"(SQL {statistics.median(sql):6.1f} ms, {len(queries.captured_queries)} requêtes)"
            )
        connection.close()

    def _agent(self, departement):
        agent, created = User.objects.get_or_create(
            username=f"seed.conseiller{departement}",
            defaults={"first_name": "Conseiller", "last_name": f"Seed {departement}",
                      "email": f"seed.conseiller{departement}@exemple.invalid"},
        )  # fmt: skip
        if created:
            agent.set_unusable_password()
            agent.save(update_fields=["password"])
            agent.groups.add(Group.objects.get_or_create(name=Role.CONSEILLER.value)[0])
            Affectation.objects.create(user=agent, departements=departement)
        return agent

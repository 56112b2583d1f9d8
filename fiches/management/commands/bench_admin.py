"""Time the admin's big lists on the current database (README, "Scale"); not a test. After
`seed_fiches`: the fiche list (first and 50th page, a statut filter, a NIR search), the audit
journal (all, one action, one fiche's « Qui a consulté cette fiche », an author), each through
the full view with a superuser's session, with its number of queries and its SQL time."""

import statistics
import time

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from fiches.models import Fiche


class Command(BaseCommand):
    help = "Mesure les listes de l'administration (fiches, journal d'audit)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, runs, **options):
        admin, created = User.objects.get_or_create(
            username="bench.superuser",
            defaults={"email": "bench.superuser@exemple.invalid", "is_staff": True,
                      "is_superuser": True},
        )  # fmt: skip
        if created:
            admin.set_unusable_password()
            admin.save(update_fields=["password"])
        client = Client(HTTP_HOST="localhost")
        client.force_login(admin)
        sample = Fiche.objects.exclude(nir="").order_by("-id").values("id", "nir").first()
        doctor = Fiche.objects.order_by("-id").values_list("declarant__email", flat=True).first()
        fiche_ct = ContentType.objects.get_for_model(Fiche).pk
        fiches, journal = "/admin/fiches/fiche/", "/admin/fiches/auditlog/"
        cases = [
            ("fiches, page 1", fiches, {}),
            ("fiches, page 50", fiches, {"p": 50}),
            ("fiches, statut « À contacter »", fiches, {"statut__exact": "a_contacter"}),
            ("fiches, recherche NIR exact", fiches, {"q": sample["nir"]}),
            ("journal, page 1", journal, {}),
            ("journal, action « Fiche créée »", journal, {"action": "fiche.created"}),
            ("journal, qui a consulté une fiche", journal,
             {"content_type": fiche_ct, "object_id": sample["id"]}),
            ("journal, un auteur (e-mail)", journal, {"q": doctor}),
        ]  # fmt: skip
        self.stdout.write(f"{Fiche.objects.order_by().count()} fiches en base.")
        client.get(fiches, secure=True)
        for label, url, params in cases:
            timings, sql = [], []
            for _ in range(runs):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(url, params, secure=True)
                    timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (label, response.status_code)
                sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            self.stdout.write(
                f"{label:36} {statistics.median(timings):7.1f} ms  "
                f"(SQL {statistics.median(sql):6.1f} ms, {len(queries.captured_queries)} requêtes)"
            )

"""Time the « Tableau de bord » and its rollup on the current database (README, "Scale"); not a
test. Run it on a bench database:

- `--remplir-jours N` writes N days of synthetic daily rows for every French département (and
  their régions and the country), as a national epidemic of a year would leave them: the page
  is then timed at that size, whatever the number of fiches (it never reads them);
- `--rollup` times the worker's run on the fiches present (today and yesterday recomputed), and
  a full rebuild of the last `--jours-rollup` days.

Each page goes through the full view (request → HTML) with a signed-in session; the number of
queries and the time spent in SQL are printed beside.
"""

import random
import statistics
import time
from collections import Counter
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from fiches import indicateurs
from fiches.geography import all_regions, departements_of_region
from fiches.models_indicateurs import IndicateurJour, Periode
from tracing.models import Affectation


class Command(BaseCommand):
    help = "Mesure le tableau de bord (pages et calcul des indicateurs)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--remplir-jours", type=int, default=0,
            help="remplace les indicateurs de ces jours par des chiffres synthétiques (une base "
                 "de mesure seulement : avec --base-de-mesure)",
        )  # fmt: skip
        parser.add_argument("--base-de-mesure", action="store_true")
        parser.add_argument("--rollup", action="store_true")
        parser.add_argument("--jours-rollup", type=int, default=30)
        parser.add_argument("--runs", type=int, default=15)

    def handle(self, *args, remplir_jours, rollup, jours_rollup, runs, base_de_mesure, **options):
        if remplir_jours and not base_de_mesure:
            raise CommandError(
                "--remplir-jours remplace les indicateurs réels : confirmez une base de mesure "
                "avec --base-de-mesure."
            )
        if remplir_jours:
            self._fill(remplir_jours)
        if rollup:
            self._time_rollup(jours_rollup)
        self.stdout.write(f"{IndicateurJour.objects.count()} lignes d'indicateurs en base.")
        today = timezone.localdate()
        periods = {"28 jours": today - timedelta(days=27), "366 jours": today - timedelta(days=365)}
        users = {
            "admin, France": (self._user(Role.ADMIN, "admin"), {}),
            "admin, une région": (self._user(Role.ADMIN, "admin"), {"region": "FR-IDF"}),
            "agent ARS, sa région": (self._user(Role.ARS, "ars", region="FR-IDF"), {}),
            "conseiller, 93": (self._user(Role.CONSEILLER, "conseiller", departements="93"), {}),
        }
        for label, (user, params) in users.items():
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            client.get("/tableau-de-bord/", secure=True)
            for period, du in periods.items():
                query = {**params, "du": du.isoformat(), "au": today.isoformat()}
                self._time(client, f"{label}, {period}", query, runs)

    def _time(self, client, label, query, runs):
        timings, sql = [], []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get("/tableau-de-bord/", query, secure=True)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
            sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        timings.sort()
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
        self.stdout.write(
            f"{label:38} p50 {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms  "
            f"(SQL {statistics.median(sql):5.1f} ms, {len(queries.captured_queries)} requêtes)"
        )

    def _fill(self, days):
        """Synthetic rows: each département names 0–600 contacts a day, reached after delays
        spread over some forty buckets, as a year at the 2020 peak would leave them."""
        rng = random.Random(2020)
        departements = sorted({d for r in all_regions() for d in departements_of_region(r)})
        today = timezone.localdate()
        now = timezone.now()
        start = time.perf_counter()
        for offset in range(days):
            day = today - timedelta(days=offset)
            figures = {}
            for code in departements:
                f = indicateurs._Figures()
                f.pz_declares = rng.randint(0, 200)
                f.contacts = rng.randint(0, 600)
                f.promotions = rng.randint(0, 60)
                f.joints = rng.randint(0, f.contacts)
                f.joints_24h = rng.randint(0, f.joints)
                f.delais = Counter({rng.randrange(0, 160): rng.randint(1, 20) for _ in range(40)})
                f.file_taille = rng.randint(0, 3000)
                f.file_depuis = now - timedelta(hours=rng.randint(1, 72))
                figures[code] = f
            with transaction.atomic():
                IndicateurJour.objects.filter(jour=day, periode=Periode.JOUR).delete()
                IndicateurJour.objects.bulk_create(
                    indicateurs._rows_of_day(day, figures, now=now), batch_size=1000
                )
        months = {(today - timedelta(days=offset)).replace(day=1) for offset in range(days)}
        indicateurs._recompute_months(months, now=now)
        self.stdout.write(
            f"{days} jours × {len(departements)} départements écrits en "
            f"{time.perf_counter() - start:.1f} s."
        )

    def _time_rollup(self, days):
        start = time.perf_counter()
        report = indicateurs.rollup()
        self.stdout.write(
            f"Calcul courant (worker) : {time.perf_counter() - start:.2f} s — {report}"
        )
        start = time.perf_counter()
        report = indicateurs.rollup(depuis=timezone.localdate() - timedelta(days=days - 1))
        elapsed = time.perf_counter() - start
        self.stdout.write(f"Reconstruction de {days} jours : {elapsed:.2f} s — {report}")

    def _user(self, role, name, *, region="", departements=""):
        user, created = User.objects.get_or_create(
            username=f"bench.{name}", defaults={"email": f"bench.{name}@exemple.invalid"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get_or_create(name=role.value)[0])
            if region or departements:
                Affectation.objects.create(user=user, region=region, departements=departements)
        return user

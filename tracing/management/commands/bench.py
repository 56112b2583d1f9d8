"""The benchmark suite (`make bench`): on a bench database of a given size (seeded when it holds
fewer fiches), one table of every page a person uses — p50/p95 through the WSGI application
with a signed-in session, the same SQL replayed alone, a page with no query, the ratio, the
queries — then the contact-form PDF's memory over many renders, then a mixed load on gunicorn.
Its output is the README's « Scale » section. It writes (an edit, « fiche suivante »): never on
real data, hence `--base-de-mesure`.
"""

import os
import platform
import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from contactcovid.warmup import warm_then_freeze
from fiches.models import Fiche, Nature
from fiches.pdf import formulaire_contact_pdf
from tracing import bench, charge


def _estimated_fiches() -> int:
    """The planner's row estimate (no COUNT over millions); exact on small databases."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'fiches_fiche'")
            estimate = cursor.fetchone()[0]
        if estimate > 100_000:
            return estimate
    return Fiche.objects.count()


def _machine() -> str:
    with open("/proc/cpuinfo") as cpuinfo:
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo
                    if line.startswith("model name")), platform.machine())  # fmt: skip
    with open("/proc/meminfo") as meminfo:
        mem_gb = int(meminfo.readline().split()[1]) / 1024 / 1024
    database = connection.vendor
    if database == "postgresql":
        database = f"PostgreSQL {connection.pg_version // 10000}"
    return (f"{os.cpu_count()} cœurs ({cpu}), {mem_gb:.0f} Go, {database} sur la même machine, "
            f"Python {platform.python_version()}")  # fmt: skip


class Command(BaseCommand):
    help = "Mesure chaque page, le PDF et une charge mixte (README, « Scale »)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-de-mesure",
            action="store_true",
            help="confirme que cette base est une base de mesure (elle écrit)",
        )
        parser.add_argument(
            "--taille",
            type=int,
            default=0,
            help="patients zéro à semer si la base en a moins (≈ 4 fiches chacun)",
        )
        parser.add_argument("--runs", type=int, default=50)
        parser.add_argument(
            "--page-profonde",
            type=int,
            default=400,
            help="la page profonde de la liste du médecin (par 25)",
        )
        parser.add_argument("--rendus-pdf", type=int, default=1000)
        parser.add_argument("--sans-charge", action="store_true")
        parser.add_argument(
            "--niveaux",
            default="4,8,16,24",
            help="utilisateurs simultanés de la charge mixte, par palier",
        )
        parser.add_argument("--duree", type=float, default=20.0, help="secondes par palier")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--medecins", type=int, default=20, help="médecins de la charge mixte (seed.medecin0…)"
        )
        parser.add_argument("--sortie", help="écrit aussi le rapport (Markdown) dans ce fichier")
        # fmt: skip

    def handle(self, *args, **o):
        if not o["base_de_mesure"]:
            raise CommandError(
                "La suite écrit dans la base (une modification, « fiche suivante ») : sur une "
                "base de mesure seulement. Confirmez avec --base-de-mesure."
            )
        started = time.monotonic()
        if o["taille"] and _estimated_fiches() < 3.5 * o["taille"]:
            self.stdout.write(f"Semis de {o['taille']} patients zéro…")
            call_command("seed_fiches", o["taille"], base_de_mesure=True, verbosity=0)
        total = _estimated_fiches()
        report = [f"Machine : {_machine()}.", f"Base : ≈ {total:,} fiches.".replace(",", " "), ""]
        self.stdout.write("\n".join(report))

        b = bench.banc()
        warm_then_freeze()  # as each gunicorn worker does after loading the app (wsgi.py)
        floor = bench.plancher(runs=o["runs"])
        mesures = []
        for cas in bench.cas_du_banc(b, deep_page=o["page_profonde"]):
            mesures.append(bench.mesurer(b, cas, runs=o["runs"]))
            m = mesures[-1]
            self.stdout.write(f"  {cas.groupe} — {cas.label} : p95 {m.p95:.1f} ms, "
                              f"SQL {m.sql:.1f} ms, {m.requetes} requêtes")  # fmt: skip
        report += bench.tableau(mesures, floor) + [""]

        if o["rendus_pdf"]:
            report += [self._pdf(o["rendus_pdf"]), ""]
        if not o["sans_charge"]:
            usernames = [f"seed.medecin{n}" for n in range(o["medecins"])]
            report += charge.run(
                usernames,
                concurrences=[int(n) for n in o["niveaux"].split(",")],
                duree=o["duree"],
                workers=o["workers"],
                threads=o["threads"],
                out=self.stdout.write,
            )
        report.append("")
        report.append(f"Suite complète en {time.monotonic() - started:.0f} s.")
        self.stdout.write("\n" + "\n".join(report))
        if o["sortie"]:
            with open(o["sortie"], "w") as out:
                out.write("\n".join(report) + "\n")

    def _pdf(self, renders: int) -> str:
        """The PDF alone, `renders` times in this process: time and resident memory."""
        fiche = Fiche.objects.filter(nature=Nature.PATIENT_ZERO).select_related("medecin").first()
        medecin = fiche.medecin if fiche else None
        formulaire_contact_pdf(fiche=fiche, medecin=medecin)
        timings, warm = [], None
        for n in range(renders):
            start = time.perf_counter()
            formulaire_contact_pdf(fiche=fiche, medecin=medecin)
            timings.append((time.perf_counter() - start) * 1000)
            if n == min(99, renders - 1):
                warm = bench.rss_mb()
        end = bench.rss_mb()
        return (
            f"Formulaire de contact (PDF) seul, {renders} rendus : médiane "
            f"{statistics.median(timings):.1f} ms, p95 {bench.percentile(timings, 0.95):.1f}"
            f" ms ; mémoire du processus {warm:.0f} Mo après {min(100, renders)} rendus → "
            f"{end:.0f} Mo à la fin "
            f"({(end - warm) / warm * 100:+.1f} %)."
        )

"""Time the contact-form PDF and watch the process's memory (README, "Scale"); not a test.
Renders it `--renders` times for a patient zéro of the database (or blank), and prints the
warm median, the p95 and the resident memory before, after the first 100, and at the end."""

import statistics
import time

from django.core.management.base import BaseCommand

from fiches.models import Fiche, Nature
from fiches.pdf import formulaire_contact_pdf


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Command(BaseCommand):
    help = "Mesure le formulaire de contact en PDF (temps et mémoire)."

    def add_arguments(self, parser):
        parser.add_argument("--renders", type=int, default=1000)

    def handle(self, *args, renders, **options):
        fiche = Fiche.objects.filter(nature=Nature.PATIENT_ZERO).select_related("medecin").first()
        medecin = fiche.medecin if fiche else None
        formulaire_contact_pdf(fiche=fiche, medecin=medecin)  # warm: fonts, stylesheet
        before, warm, timings = rss_mb(), None, []
        for n in range(renders):
            start = time.perf_counter()
            formulaire_contact_pdf(fiche=fiche, medecin=medecin)
            timings.append((time.perf_counter() - start) * 1000)
            if n == 99:
                warm = rss_mb()
        timings.sort()
        self.stdout.write(
            f"{renders} PDF : médiane {statistics.median(timings):.1f} ms, "
            f"p95 {timings[int(0.95 * len(timings)) - 1]:.1f} ms ; mémoire {before:.0f} Mo → "
            f"{warm or rss_mb():.0f} Mo après 100 → {rss_mb():.0f} Mo à la fin"
        )

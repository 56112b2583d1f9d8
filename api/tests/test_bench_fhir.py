from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from api.models import ResultatRecu
from fiches.models import Fiche, Nature
from fiches.statuses import Statut

pytestmark = pytest.mark.django_db


def test_the_fhir_bench_posts_bundles_and_reports_results_a_second_and_p95(contact93):
    out = StringIO()

    call_command("bench_fhir", "--resultats", "12", "--taille-lot", "5", "--base-de-mesure",
                 stdout=out)  # fmt: skip

    report = out.getvalue()
    assert "12 résultats en 3 Bundles de 5" in report and "résultats/s" in report
    assert "'201 Created': 24" in report
    assert ResultatRecu.objects.count() == 12
    contact93.refresh_from_db()
    assert contact93.nature == Nature.PATIENT_ZERO  # an open contact of the database
    assert Fiche.objects.filter(medecin=None, statut=Statut.DIAGNOSTIC_CONFIRME).count() == 4


def test_the_fhir_bench_refuses_to_run_without_its_flag():
    with pytest.raises(CommandError):
        call_command("bench_fhir", "--resultats", "1")

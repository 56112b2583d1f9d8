"""The benchmark suite's mixed load (tracing.charge) against a real gunicorn, as `make bench`
runs it: doctors' sessions, every kind of request answered, edits saved, CPU and memory read."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from fiches.audit import AuditLog
from fiches.models import Fiche
from tracing import charge

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="gunicorn reads the test database: an in-memory SQLite one is this process's own",
)


@pytest.mark.django_db(transaction=True)
def test_the_mixed_load_runs_on_gunicorn_and_reports_throughput_cpu_and_memory():
    call_command("seed_fiches", 30, batch=10, medecins=1, orm=True, verbosity=0)
    versions = sum(Fiche.objects.values_list("version", flat=True))
    db = connection.settings_dict
    env = {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions the test signed
        "EMAIL_URL": "consolemail://",
        "STATIC_MANIFEST": "false",
        "DATABASE_REPLICA_URL": "",
    }

    lines = charge.run(["seed.medecin0"], concurrences=[2], duree=3, workers=1, threads=2,
                       out=lambda line: None, env=env)  # fmt: skip

    row = next(line for line in lines if line.startswith("| 2 |"))
    cells = row.strip("| ").split(" | ")
    assert float(cells[1]) > 5  # requests a second
    assert cells[5] == "0"  # errors
    app, postgres, generator = (float(part.removesuffix(" ms")) for part in cells[6].split(" / "))
    assert app > 0 and postgres > 0 and generator > 0
    assert any("Mémoire des workers" in line and "Mo après la charge" in line for line in lines)
    # What a doctor did, as the service recorded it: pages read, fiches edited.
    assert AuditLog.objects.filter(action="fiches.listed", actor__username="seed.medecin0").exists()
    assert sum(Fiche.objects.values_list("version", flat=True)) > versions

"""Reads that may lag go to a real streaming replica (issue 14, goal 7): the dashboard, the ARS
export and list; a person's own pages and every write stay on the primary.

They need a replica: `scripts/replica.sh start` (CI starts one for its PostgreSQL pass) and
DATABASE_REPLICA_URL pointing at it. Each test commits its data (the replica only ever sees
committed WAL) and waits until the replica has replayed it.
"""

import time
from datetime import timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contactcovid.routers import replica_configured
from fiches import indicateurs
from fiches.models import Collectivite, StatusChange
from fiches.statuses import Statut
from fiches.tests.factories import ContactFactory, FicheFactory

pytestmark = [
    pytest.mark.skipif(
        not replica_configured(),
        reason="needs DATABASE_REPLICA_URL: a streaming replica (scripts/replica.sh start)",
    ),
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


def _replica_caught_up(timeout=15):
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    with connections["replica"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the replica did not replay the primary's WAL in time")


def _queries(client, url, params=None):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url, params or {})
    return response, [q["sql"] for q in primary], [q["sql"] for q in replica]


def test_the_replica_is_a_real_standby_that_refuses_writes():
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True
        with pytest.raises(Exception, match="read-only"):
            cursor.execute("CREATE TABLE ecrire_ici (x int)")


def test_the_dashboard_reads_its_figures_from_the_replica_and_the_rest_from_the_primary(
    client, ars_idf, medecin
):
    created = timezone.now() - timedelta(days=1)
    pz = FicheFactory(declarant=medecin, departement="93", created_at=created)
    for _ in range(3):
        contact = ContactFactory(origine=pz, declarant=medecin, departement="93",
                                 created_at=created, statut=Statut.A_CONTACTER)  # fmt: skip
    StatusChange.objects.create(fiche=contact, from_statut=Statut.A_CONTACTER,
                                to_statut=Statut.APPEL_REALISE, by=medecin,
                                at=created + timedelta(hours=2))  # fmt: skip
    indicateurs.rollup(depuis=timezone.localdate() - timedelta(days=3))  # writes: the primary
    client.force_login(ars_idf)
    _replica_caught_up()

    response, primary, replica = _queries(client, reverse("tracing:indicateurs"))

    assert response.status_code == 200
    assert "<dt>Nouveaux contacts</dt><dd>3</dd>" in response.content.decode()
    assert sum("indicateurjour" in q for q in replica) == 2
    assert not any("indicateurjour" in q for q in primary)
    assert any("django_session" in q for q in primary)  # who is signed in: the primary


def test_the_ars_export_streams_from_the_replica(client, ars_idf, medecin):
    FicheFactory(declarant=medecin, departement="93", collectivite=Collectivite.SCOLAIRE,
                 commune="Montreuil")  # fmt: skip
    client.force_login(ars_idf)
    _replica_caught_up()

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(reverse("tracing:ars_export"))
        body = b"".join(response.streaming_content).decode("utf-8-sig")

    assert "Montreuil" in body
    assert any("fiches_fiche" in q["sql"] for q in replica.captured_queries)
    assert not any('FROM "fiches_fiche"' in q["sql"] for q in primary.captured_queries)


def test_a_doctor_sees_the_fiche_they_just_wrote_read_from_the_primary(client, medecin):
    client.force_login(medecin)
    pz = FicheFactory(declarant=medecin, prenom="Juste", nom="Écrit")

    response, primary, replica = _queries(client, reverse("tracing:fiche", args=[pz.pk]))

    assert response.status_code == 200 and "ÉCRIT" in response.content.decode()
    assert replica == []
    assert any("fiches_fiche" in q for q in primary)

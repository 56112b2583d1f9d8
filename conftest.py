"""Fixtures for the whole suite, whatever the app."""

from collections.abc import Sequence

import pytest
from django.core import mail
from django.db import connection

from jobs.testing import run_ready_jobs


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL, end the sessions a live-server request thread may still hold when the
    suite ends, so that the test database can be dropped: DROP DATABASE refuses while anyone is
    connected, and Chromium may leave a request in flight as a browser test closes its page."""
    yield
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _replica_reads_only_when_asked(request, settings):
    """A test's data are in its own uncommitted transaction, which a streaming replica never
    sees: reads stay on the primary unless the test is marked `replica` (and commits)."""
    settings.REPLICA_READS = request.node.get_closest_marker("replica") is not None


class DeliveredOutbox(Sequence):
    """`mail.outbox` as workers leave it: reading it first runs every job that is due, so a test
    sees the e-mails a worker would have delivered by now, through the real queue."""

    def _delivered(self):
        run_ready_jobs()
        return mail.outbox

    def __getitem__(self, index):
        return self._delivered()[index]

    def __len__(self):
        return len(self._delivered())

    def __eq__(self, other):
        return list(self) == other

    __hash__ = None

    def clear(self):
        run_ready_jobs()
        mail.outbox.clear()


@pytest.fixture
def mailoutbox(mailoutbox):
    return DeliveredOutbox()

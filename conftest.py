"""Fixtures for the whole suite, whatever the app."""

import pytest
from django.db import connection


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

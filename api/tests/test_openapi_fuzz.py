"""The OpenAPI description of the FHIR endpoints, fuzzed by schemathesis through the project's
WSGI handler (bounded examples): whatever it posts, never a server error, and every answer is the
one the description promises (status, content type, an OperationOutcome or a response Bundle)."""

from datetime import timedelta

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.openapi import EXEMPLE_FINESS
from api.tests.conftest import FINESS, jeton

# Read from the app itself, as a client would (the page reads no database). Not through
# `schemathesis.pytest.from_fixture`: it reads a pytest attribute that pytest 9 removed.
schema = schemathesis.openapi.from_wsgi("/api/fhir/openapi.json", WSGIHandler())


@pytest.fixture
def bearer(client, client_api, settings):
    """A token, then the database connection kept between the requests: Django closes it
    when a request it serves as a WSGI app starts and ends, and the test's transaction lives on
    it (its own test client does as this does — and reconnects the signals after each request,
    hence after the token)."""
    settings.FHIR_APPELS_PAR_MINUTE = 100_000
    settings.FHIR_SYNC_MAX_ENTREES = 100_000
    headers = {"Authorization": f"Bearer {jeton(client, client_api)}"}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield headers
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_request_built_from_the_openapi_description_gets_a_server_error(case, bearer):
    assert FINESS == EXEMPLE_FINESS  # the description's example is this client's
    _reach_the_records(case.body)
    case.call_and_validate(
        headers=bearer,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                response_schema_conformance],
    )  # fmt: skip


def _reach_the_records(body):
    """The glue a random generator cannot guess: each Observation points to its contained
    Patient, and one in two is this client's laboratory's, taken a few hours ago, so that those
    results go past the checks into the services and the database with whatever names, phones,
    addresses and identifiers were generated."""
    entries = body.get("entry") if isinstance(body, dict) else None
    for number, entry in enumerate(entries if isinstance(entries, list) else []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Observation":
            continue
        performers = resource.get("performer")
        if number % 2 == 0:
            resource["effectiveDateTime"] = (timezone.now() - timedelta(hours=3)).isoformat()
        if number % 2 == 0 and isinstance(performers, list):
            for performer in performers:
                if isinstance(performer, dict) and isinstance(performer.get("identifier"), dict):
                    performer["identifier"]["value"] = FINESS
        contained = resource.get("contained")
        if isinstance(contained, list) and contained and isinstance(contained[0], dict):
            contained[0]["id"] = "p"
            resource["subject"] = {"reference": "#p"}

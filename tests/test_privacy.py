"""Privacy by design (issue 12): what a browser, a proxy or a log may keep of health data."""

import pytest
from django.urls import reverse

from fiches.tests.factories import FicheFactory
from tracing.tests.fixtures import ars_idf, patient93  # noqa: F401 (fixtures)


def _no_store(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    return {"no-store", "private"} <= cache_control


def test_signed_in_pages_pdfs_and_csv_are_never_cached(client, medecin, agent_ars, request):
    fiche = FicheFactory(declarant=medecin)
    client.force_login(medecin)
    for url in ("/", reverse("tracing:fiche", args=[fiche.pk]),
                reverse("tracing:formulaire_contact", args=[fiche.pk])):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), (url, response["Cache-Control"])
    client.force_login(request.getfixturevalue("ars_idf"))
    export = client.get(reverse("tracing:ars_export"))
    assert export["Content-Type"].startswith("text/csv") and _no_store(export)


@pytest.mark.parametrize("url", ["/compte/connexion/", "/healthz", "/page-inconnue/"])
def test_public_pages_are_not_cached_either(client, db, url):
    assert _no_store(client.get(url))

"""No identity in a URL (issue 12): what an access log would print of a whole working session —
every path and query string the server received — holds none of the NIRs, names and phones
that were searched."""

import re

from django.core.signals import request_started
from playwright.sync_api import expect

from fiches.tests.factories import FicheFactory
from tests.factories import PASSWORD
from tracing.tests.fixtures import conseiller93, contact93, patient93  # noqa: F401 (fixtures)


def test_searches_leave_no_nir_name_or_phone_in_any_url(page, sign_in, request, medecin):
    seen = []

    def record(sender, environ, **kwargs):
        seen.append(f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}")

    request_started.connect(record)
    request.addfinalizer(lambda: request_started.disconnect(record))
    FicheFactory(declarant=medecin, prenom="Kevan", nom="Shneidez", nir="185057800608491")
    contact = request.getfixturevalue("contact93")  # Lucas PETIT, +33 6 12 00 00 01

    sign_in(medecin.email, PASSWORD)
    page.get_by_label("Nir :").fill("1 85 05 78")
    page.get_by_label("Nom :", exact=True).fill("shnei")
    page.get_by_role("button", name="RECHERCHER").click()
    expect(page.get_by_test_id("count")).to_have_text("1 fiche(s) trouvée(s)")
    page.reload()  # the search survives a reload: its token is in the URL, not its criteria
    expect(page.get_by_test_id("count")).to_have_text("1 fiche(s) trouvée(s)")
    page.get_by_role("button", name="Déconnexion").click()

    sign_in(request.getfixturevalue("conseiller93").email, PASSWORD)
    page.get_by_label("Téléphone").fill("06 12 00 00 01")
    page.get_by_role("button", name="RECHERCHER").click()
    expect(page.get_by_test_id("resultats")).to_contain_text(contact.nom_complet)

    urls = "\n".join(seen).lower()
    # Both searches and the reload reached the server, by their tokens.
    assert len(re.findall(r"[?&]r=", urls)) >= 3, urls
    for secret in ("185057", "1+85", "shnei", "petit", "0612000001", "06+12", "33612000001"):
        assert secret not in urls, f"{secret!r} in a URL the server received"

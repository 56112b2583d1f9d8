"""No 500 when the database is unreachable or the body unreadable: a French page, input kept."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent

# Requests made by a process whose database is a real PostgreSQL address where nothing listens.
OUTAGE_SCRIPT = """
import json, django
django.setup()
from django.test import Client
results = []
for method, path, data in json.loads(REQUESTS):
    client = Client(raise_request_exception=False)
    if path != "/healthz":  # a load balancer's probe carries no session
        client.cookies["sessionid"] = "a-signed-in-person-s-session-key"  # read from the database
    response = client.post(path, data) if method == "POST" else client.get(path)
    results.append({
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "html": response.content.decode(),
    })
print(json.dumps(results))
"""


def during_an_outage(*requests):
    environ = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "HTTPS": "false",
        "STATIC_MANIFEST": "false",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nothing",
        "DJANGO_SETTINGS_MODULE": "contactcovid.settings",
    }
    script = OUTAGE_SCRIPT.replace("REQUESTS", repr(json.dumps(requests)))
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_healthz_answers_503_when_the_database_is_unreachable():
    (health,) = during_an_outage(("GET", "/healthz", None))

    assert health["status"] == 503
    assert json.loads(health["html"]) == {"status": "error", "database": "unreachable"}


def test_an_outage_is_a_french_503_with_retry_after_and_the_typed_form_comes_back():
    new_fiche = {
        "nom": "Lefèvre",
        "prenom": "Céline",
        "telephone": "06 12 34 56 78",
        "commentaire": "Vue le 3 mai\nTousse depuis deux jours",
        "password": "ne-jamais-le-renvoyer",
        "action": "valider",
        "soumission": "8a4b1f0e-2b7e-4d55-9a57-1f0c3c4d5e6f",
    }
    page, posted, missing = during_an_outage(
        ("GET", "/", None),
        ("POST", "/fiches/nouveau-patient-zero/", new_fiche),
        ("GET", "/nulle-part/", None),
    )

    for response in (page, posted, missing):
        assert response["status"] == 503
        assert response["retry_after"] == "30"
        assert "Service momentanément indisponible" in response["html"]
        assert "Le service a rencontré une erreur" not in response["html"]
    html = posted["html"]
    assert "Votre saisie n'a pas été enregistrée, mais elle n'est pas perdue" in html
    assert 'name="nom" value="Lefèvre"' in html
    assert 'name="commentaire" value="Vue le 3 mai\nTousse depuis deux jours"' in html
    assert 'action="/fiches/nouveau-patient-zero/"' in html
    assert "ne-jamais-le-renvoyer" not in html
    assert 'name="action" value="valider"' in html  # sent again as it was: the same button
    assert 'name="soumission" value="8a4b1f0e' in html  # and the same submission


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "windows-1252", "nothing-known"])
def test_a_form_posted_in_another_charset_gets_a_french_page_not_a_500(charset):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    login = reverse("accounts:login")
    client.get(login)
    token = client.cookies["csrftoken"].value

    response = client.generic(
        "POST",
        login,
        f"csrfmiddlewaretoken={token}&username=%E9t%E9&password=x".encode(),
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code in (200, 400)
    assert "Contact COVID" in response.content.decode()
    if response.status_code == 400:
        assert "Requête incorrecte" in response.content.decode()

"""Pro Santé Connect (issue 15), against a real OpenID Connect provider started here: panva's
oidc-provider under Node.js (tests/oidc_provider), with PKCE required, RS256 ID tokens and
acr levels. What a person does at the provider (the CPS card) is chosen by the test through
the provider's /test/next; everything between this service and the provider is real HTTP."""

import html
import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from django.contrib.auth.models import Group

from accounts import psc
from accounts.models import LieuExercice, Professionnel, SecurityEvent, User
from accounts.roles import Role
from tests.factories import LieuExerciceFactory, ProfessionnelFactory, UserFactory

PROVIDER_DIR = Path(__file__).resolve().parents[2] / "tests" / "oidc_provider"
CALLBACK = "http://testserver/compte/pro-sante-connect/retour/"
RPPS = "10003456789"
ACCOUNTS = {
    "psc-sophie": {"SubjectNameID": f"8{RPPS}", "given_name": "Sophie", "family_name": "OLIVIER"},
    "psc-inconnu": {"SubjectNameID": "899999999999", "given_name": "Yann", "family_name": "NUL"},
    "psc-am": {"preferred_username": "751234567"},
}
Action = SecurityEvent.Action


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(PROVIDER_DIR)],  # noqa: S603, S607
                       check=True, capture_output=True, timeout=300)  # fmt: skip
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "CLIENT_ID": "contact-covid",
           "CLIENT_SECRET": "secret-du-client-de-test", "REDIRECT_URIS": CALLBACK,
           "POST_LOGOUT_REDIRECT_URIS": "http://testserver/compte/connexion/",
           "ACCOUNTS": json.dumps(ACCOUNTS)}  # fmt: skip
    log = tmp_path_factory.mktemp("fournisseur") / "provider.log"
    output = log.open("wb")
    process = subprocess.Popen(  # noqa: S603
        [shutil.which("node"), "provider.mjs"], cwd=PROVIDER_DIR, env=env,
        stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if requests.get(f"{url}/.well-known/openid-configuration", timeout=1).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        process.kill()
        output.close()
        pytest.fail(log.read_text())
    yield url
    process.terminate()
    process.wait(timeout=10)
    output.close()


@pytest.fixture
def psc_settings(settings, provider):
    settings.PSC_URL = provider
    settings.PSC_CLIENT_ID = "contact-covid"
    settings.PSC_CLIENT_SECRET = "secret-du-client-de-test"
    psc.forget_provider()  # each test fetches the provider's document and keys anew
    yield provider
    psc.forget_provider()
    requests.post(f"{provider}/test/next", timeout=5)  # back to a plain sign-in


@pytest.fixture
def sophie(db):
    """A doctor of the référentiel, known by her RPPS, with no account yet."""
    professionnel = ProfessionnelFactory(rpps=RPPS, civilite="Dr", prenom="Sophie", nom="Olivier",
                                         profession=Professionnel.Profession.MEDECIN)  # fmt: skip
    LieuExerciceFactory(professionnel=professionnel, numero="751234567")
    return professionnel


def next_sign_in(provider, **choice):
    requests.post(f"{provider}/test/next?{urlencode(choice)}", timeout=5).raise_for_status()


def through_provider(client, *, start="/compte/pro-sante-connect/", tamper_authorize=None,
                     tamper_callback=None):  # fmt: skip
    """The browser's trip: our redirect to the provider, the provider's pages, its redirect
    back to us (optionally altered on the way, as an attacker would)."""
    response = client.get(start)
    assert response.status_code == 302, response.content
    location = response["Location"]
    if tamper_authorize:
        location = tamper_authorize(location)
    browser = requests.Session()
    while not location.startswith(CALLBACK):
        answer = browser.get(location, allow_redirects=False, timeout=10)
        assert answer.is_redirect, (answer.status_code, answer.text[:500])
        location = urljoin(answer.url, answer.headers["Location"])
    parts = urlsplit(location)
    if tamper_callback:
        parts = parts._replace(query=tamper_callback(parts.query))
    return client.get(urlunsplit(("", "", parts.path, parts.query, "")), follow=True)


def _replace_param(url_or_query, name, value):
    parts = urlsplit(url_or_query) if "://" in url_or_query else None
    query = parts.query if parts else url_or_query
    params = [(k, value if k == name else v) for k, v in parse_qsl(query)]
    return urlunsplit(parts._replace(query=urlencode(params))) if parts else urlencode(params)


def test_the_buttons_show_only_when_the_provider_is_configured(client, settings):
    settings.PSC_URL = ""
    assert "PRO SANTÉ CONNECT" not in client.get("/compte/connexion/").content.decode()
    assert client.get("/compte/pro-sante-connect/").status_code == 404

    settings.PSC_URL, settings.PSC_CLIENT_ID, settings.PSC_CLIENT_SECRET = "https://x", "a", "b"
    assert (
        "SE CONNECTER AVEC PRO SANTÉ CONNECT" in client.get("/compte/connexion/").content.decode()
    )
    assert (
        "CRÉER MON COMPTE AVEC PRO SANTÉ CONNECT" in client.get("/compte/creer/").content.decode()
    )


def test_a_first_sign_in_creates_the_account_usable_at_once_then_the_next_finds_it(
    client, psc_settings, sophie
):
    next_sign_in(psc_settings, account="psc-sophie", acr="eidas1")
    before = client.session.session_key

    page = through_provider(client)

    user = User.objects.get(professionnel=sophie)
    assert page.wsgi_request.user == user and user.is_active
    assert user.groups.filter(name=Role.MEDECIN.value).exists()
    assert not user.has_usable_password()
    assert client.session.session_key != before  # a new session key at sign-in
    assert set(user.security_events.values_list("action", flat=True)) == {
        Action.CREATED, Action.PSC_SIGNED_IN}  # fmt: skip

    client.logout()
    next_sign_in(psc_settings, account="psc-sophie", acr="eidas1")
    through_provider(client)

    assert User.objects.filter(professionnel=sophie).count() == 1
    assert user.security_events.filter(action=Action.PSC_SIGNED_IN).count() == 2


def test_an_existing_account_is_linked_by_its_am_number(client, psc_settings, sophie):
    existing = UserFactory(professionnel=sophie)
    existing.groups.add(Group.objects.get_or_create(name=Role.MEDECIN.value)[0])
    next_sign_in(psc_settings, account="psc-am", acr="eidas1")

    page = through_provider(client)

    assert page.wsgi_request.user == existing
    assert LieuExercice.objects.get(numero="751234567").professionnel == sophie


def _refused(page, reason_part, user=None):
    html = page.content.decode()
    assert page.wsgi_request.path == "/compte/connexion/", page.wsgi_request.path
    assert not page.wsgi_request.user.is_authenticated
    assert 'role="alert"' in html or "alert-danger" in html, html
    event = SecurityEvent.objects.filter(action=Action.PSC_REFUSED).latest("id")
    assert reason_part in event.detail, event.detail
    assert event.user == user
    return html


def test_an_answer_with_another_state_is_refused(client, psc_settings, sophie):
    next_sign_in(psc_settings, account="psc-sophie")

    page = through_provider(client, tamper_callback=lambda q: _replace_param(q, "state", "forge"))

    html = _refused(page, "state invalide")
    assert "La connexion par Pro Santé Connect n&#x27;a pas abouti" in html
    assert not User.objects.filter(professionnel=sophie).exists()


def test_an_id_token_with_another_nonce_is_refused(client, psc_settings, sophie):
    next_sign_in(psc_settings, account="psc-sophie")

    page = through_provider(client, tamper_authorize=lambda u: _replace_param(u, "nonce", "autre"))

    _refused(page, "jeton d'identité refusé : InvalidClaimError")
    assert not User.objects.filter(professionnel=sophie).exists()


def test_an_expired_id_token_is_refused(client, psc_settings, sophie):
    next_sign_in(psc_settings, account="psc-sophie", skew=-3600)  # the provider an hour late

    page = through_provider(client)

    _refused(page, "jeton d'identité refusé : ExpiredTokenError")
    assert not User.objects.filter(professionnel=sophie).exists()


def test_an_id_token_signed_by_a_key_the_provider_does_not_publish_is_refused(
    client, psc_settings, sophie
):
    next_sign_in(psc_settings, account="psc-sophie", jwks="other")

    page = through_provider(client)

    _refused(page, "jeton d'identité refusé : BadSignatureError")
    assert not User.objects.filter(professionnel=sophie).exists()


def test_a_sign_in_below_the_required_level_is_refused(client, psc_settings, sophie):
    next_sign_in(psc_settings, account="psc-sophie", acr="mot-de-passe")

    page = through_provider(client)

    html = _refused(page, "niveau d'authentification insuffisant")
    assert "authentification forte" in html
    assert not User.objects.filter(professionnel=sophie).exists()


def test_an_unknown_professional_gets_a_message_and_no_account(client, psc_settings, sophie):
    next_sign_in(psc_settings, account="psc-inconnu")
    users = User.objects.count()

    page = through_provider(client)

    html = _refused(page, "professionnel inconnu du référentiel")
    assert "votre numéro n&#x27;est pas dans le référentiel" in html
    assert User.objects.count() == users


def test_signing_out_ends_the_session_at_the_provider_too(client, psc_settings, sophie):
    next_sign_in(psc_settings, account="psc-sophie")
    through_provider(client)
    browser = requests.Session()

    response = client.post("/compte/deconnexion/")

    # Off to the provider's end-session endpoint with our ID token as the hint…
    assert response.status_code == 302
    end_session = response["Location"]
    assert end_session.startswith(f"{psc_settings}/session/end?")
    params = dict(parse_qsl(urlsplit(end_session).query))
    assert params["post_logout_redirect_uri"] == "http://testserver/compte/connexion/"
    assert params["id_token_hint"].count(".") == 2
    # …whose confirmation page the browser submits (its script), back to our sign-in page.
    page = browser.get(end_session, timeout=10)
    form = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text))
    done = browser.post(urljoin(page.url, html.unescape(form)), data={**fields, "logout": "yes"},
                        allow_redirects=False, timeout=10)  # fmt: skip
    assert done.headers["Location"].startswith("http://testserver/compte/connexion/")
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_signing_out_of_a_password_session_stays_here(client, psc_settings, docteur):
    client.force_login(docteur)

    response = client.post("/compte/deconnexion/")

    assert not response.get("Location", "").startswith(psc_settings)

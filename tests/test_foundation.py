import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from contactcovid import errors
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    """Run manage.py in a fresh process with only the given environment variables set."""
    environ = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(ROOT)), **env}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sign_in_page_speaks_french_with_the_guides_labels(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    for label in [
        "Identification",
        "E-mail, N° d&#x27;Assurance Maladie ou N° FINESS",
        "Mot de passe",
        "Mot de passe oublié",
        "VOUS CONNECTER",
        "CRÉER UN COMPTE",
        "3608",
        "choix 2",
    ]:
        assert label in html


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get(reverse("accounts:login"))

    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("tracing:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_signed_in_doctor_sees_name_and_sign_out(client, medecin):
    client.force_login(medecin)

    response = client.get(reverse("tracing:home"))

    assert response.status_code == 200
    assert "Dr Sophie GÉNÉRALISTE" in response.content.decode()
    assert "Déconnexion" in response.content.decode()
    assert "Mes fiches" in response.content.decode()


def test_navigation_depends_on_the_role(client, administrateur, pharmacien):
    client.force_login(administrateur)
    assert "Administration" in client.get(reverse("tracing:home")).content.decode()

    client.force_login(pharmacien)
    html = client.get(reverse("tracing:home")).content.decode()
    assert "Administration" not in html
    assert "Mes fiches" not in html


def test_sign_in_by_email_rotates_the_session(client, medecin):
    client.get(reverse("accounts:login"))
    client.session["marker"] = "x"
    before = client.session.session_key

    response = client.post(
        reverse("accounts:login"), {"username": medecin.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("tracing:home")
    assert client.session.session_key != before


def test_wrong_password_gets_a_french_message_and_keeps_the_identifier(client, medecin):
    response = client.post(
        reverse("accounts:login"), {"username": medecin.email, "password": "mauvais"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in html
    assert f'value="{medecin.email}"' in html


def test_passwords_are_hashed_with_argon2(medecin):
    assert medecin.password.startswith("argon2$")


def test_help_page_lists_the_guides_useful_links(client, db):
    response = client.get(reverse("tracing:aide"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "https://sante.fr/recherche/trouver/DepistageCovid" in html
    assert "Contactez l'assistance technique" in html


def test_unknown_page_is_a_french_404_in_the_layout(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert "Contact COVID" in html


@pytest.mark.parametrize(
    ("view", "args", "status", "title"),
    [
        (errors.bad_request, (Exception(),), 400, "Requête incorrecte"),
        (errors.permission_denied, (Exception(),), 403, "Accès refusé"),
        (errors.page_not_found, (Exception(),), 404, "Page introuvable"),
        (errors.server_error, (), 500, "Le service a rencontré une erreur"),
    ],
)
def test_error_pages_render_in_french(db, view, args, status, title):
    request = RequestFactory().get("/")

    response = view(request, *args)

    assert response.status_code == status
    assert title in response.content.decode()
    assert "3608" in response.content.decode()


def test_stale_csrf_token_gets_a_french_page(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()


def test_healthz_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "queue": {"status": "ok", "oldest_waiting_seconds": 0, "emails_failed": False},
    }
    assert "sessionid" not in response.cookies


def test_production_refuses_to_serve_without_a_secret_key():
    environ = {"DEBUG": "false", "ALLOWED_HOSTS": "contact-covid.example"}
    deploy = run_manage("check", "--deploy", **environ)
    script = "import contactcovid.wsgi"
    wsgi = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert deploy.returncode != 0
    assert "SECRET_KEY is not set" in deploy.stderr
    assert wsgi.returncode != 0
    assert "SECRET_KEY is not set" in wsgi.stderr


def test_production_refuses_to_serve_or_work_without_an_email_url():
    environ = {"DEBUG": "false", "ALLOWED_HOSTS": "contact-covid.example",
               "SECRET_KEY": "a-long-random-production-like-key-" + "k" * 40}  # fmt: skip
    deploy = run_manage("check", "--deploy", **environ)
    worker = run_manage("worker", "--no-reload", **environ)
    wsgi = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import contactcovid.wsgi"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )

    for result in (deploy, worker, wsgi):
        assert result.returncode != 0
        assert "EMAIL_URL is not set" in result.stderr


def test_without_an_email_url_a_mail_is_refused_never_printed(settings, capsys):
    from django.core.exceptions import ImproperlyConfigured
    from django.core.mail import send_mail

    settings.EMAIL_BACKEND = "contactcovid.checks.NoEmailUrlBackend"

    with pytest.raises(ImproperlyConfigured):
        send_mail("Réinitialisation", "https://x/reset/MQ/abc-token/", None, ["a@exemple.fr"])
    assert "abc-token" not in capsys.readouterr().out


def test_tooling_runs_on_a_bare_checkout_without_a_secret_key():
    result = run_manage("makemigrations", "--check", "--dry-run", DEBUG="false")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-like-key-" + "k" * 40,
        ALLOWED_HOSTS="contact-covid.example",
        EMAIL_URL="smtp+tls://contact:mot-de-passe@smtp.contact-covid.example:587",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_client_address_is_read_from_the_trusted_proxy_header(rf, settings):
    from contactcovid.middleware import ForwardedForMiddleware

    seen = {}

    def view(request):
        seen["ip"] = request.META["REMOTE_ADDR"]
        return None

    settings.TRUSTED_PROXIES = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    ForwardedForMiddleware(view)(request)
    # The address the load balancer saw; the one the client typed on the left is ignored.
    assert seen["ip"] == "203.0.113.9"

    settings.TRUSTED_PROXIES = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")
    ForwardedForMiddleware(view)(request)
    assert seen["ip"] == "10.0.0.2"

import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityEvent
from accounts.tests.conftest import professional_account
from tests.factories import PASSWORD

FORGOTTEN = reverse("accounts:password_forgotten")
NEW = "Nouveau-Mot-2020!"


def ask_reset(client, identifier):
    return client.post(FORGOTTEN, {"identifiant": identifier}, follow=True)


def link_in(message):
    return re.search(r"https?://\S+/compte/reinitialiser/\S+/", message.body).group(0)


def test_reset_by_email_shows_the_address_in_clear_and_sends_a_link(client, docteur, mailoutbox):
    response = ask_reset(client, "sophie@cabinet-sophie.fr")

    assert "sophie@cabinet-sophie.fr" in response.content.decode()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["sophie@cabinet-sophie.fr"]
    assert "réinitialisation" in mailoutbox[0].subject
    assert mailoutbox[0].alternatives[0][1] == "text/html"
    assert "/compte/reinitialiser/" in mailoutbox[0].body


def test_reset_by_number_says_the_associated_address_without_showing_it(
    client, docteur, mailoutbox
):
    response = ask_reset(client, "751234568")

    html = response.content.decode()
    assert "Si ce numéro correspond à un compte, un e-mail est envoyé à l'adresse associée" in (
        html.replace("&#x27;", "'")
    )
    assert "sophie" not in html and "****" not in html
    assert mailoutbox[0].to == ["sophie@cabinet-sophie.fr"]


@pytest.mark.parametrize("identifier", ["personne@exemple.fr", "939999999"])
def test_unknown_identifier_gets_the_same_confirmation_and_no_email(
    client, db, mailoutbox, identifier
):
    response = ask_reset(client, identifier)

    assert "correspond à un compte, un e-mail" in response.content.decode()
    assert mailoutbox == []


def test_unknown_number_confirmation_is_a_known_ones_word_for_word(client, docteur):
    def said(number):
        html = ask_reset(Client(), number).content.decode()
        return html.split('data-testid="reset-sent">')[1].split("</div>")[0]

    assert said("939999999") == said("931234561")


def test_a_known_and_an_unknown_identifier_cost_the_request_the_same_work(client, docteur):
    """No e-mail, no token, no write in the request: a job does it (the answer's time does not
    tell whether an account exists). The same statements for both, counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(identifier):
        with CaptureQueriesContext(connection) as queries:
            Client().post(FORGOTTEN, {"identifiant": identifier})
        return [re.sub(r"'[^']*'|\d+", "?", q["sql"]) for q in queries.captured_queries]

    assert statements("931234561") == statements("939999999")
    assert statements("sophie@cabinet-sophie.fr") == statements("personne@exemple.fr")


def test_shared_email_is_asked_for_the_number(client, db, mailoutbox):
    professional_account(numeros=["930000013"], email="cabinet@exemple.fr")
    professional_account(numeros=["930000021"], email="cabinet@exemple.fr")

    response = ask_reset(client, "cabinet@exemple.fr")

    assert "partagée" in response.content.decode()
    assert mailoutbox == []


def test_link_sets_a_new_password_once_and_leads_to_sign_in(client, docteur, mailoutbox):
    ask_reset(client, "931234561")
    link = link_in(mailoutbox[0])

    response = client.post(link, {"new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    docteur.refresh_from_db()
    assert docteur.check_password(NEW)
    assert SecurityEvent.objects.filter(user=docteur, action="account.password_reset").exists()
    again = client.get(link)
    assert again.status_code == 400
    assert "plus valable" in again.content.decode()


def test_link_expires_after_the_reset_timeout(client, docteur, mailoutbox, settings):
    ask_reset(client, "931234561")
    link = link_in(mailoutbox[0])
    soon = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60)
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)

    with mock.patch("django.contrib.auth.tokens.PasswordResetTokenGenerator._now") as now:
        now.return_value = soon
        assert client.get(link, follow=True).status_code == 200
        now.return_value = later
        response = client.get(link)
        swapped = client.get(link.rsplit("/", 2)[0] + "/lien/")

    assert response.status_code == 400
    assert swapped.status_code == 400  # the token kept in the session expires the same


def test_the_token_leaves_the_url_at_once_and_the_form_works_from_the_new_url(
    client, docteur, mailoutbox
):
    ask_reset(client, "931234561")
    link = link_in(mailoutbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]

    response = client.get(link, follow=True)

    [(url, _status)] = response.redirect_chain
    assert token not in url and url.endswith("/lien/")
    done = client.post(url, {"new_password1": "Nouveau-Mot2passe!",
                             "new_password2": "Nouveau-Mot2passe!"})  # fmt: skip
    assert done.status_code == 302, done.content.decode()[:3000]
    docteur.refresh_from_db()
    assert docteur.check_password("Nouveau-Mot2passe!")
    assert client.get(url).status_code == 400  # used: the session no longer holds it


def test_reset_timeout_defaults_to_one_hour(settings):
    from contactcovid import settings as project_settings

    assert project_settings.PASSWORD_RESET_TIMEOUT == 3600


def test_weak_new_password_is_refused_with_french_messages(client, docteur, mailoutbox):
    ask_reset(client, "931234561")

    response = client.post(
        link_in(mailoutbox[0]), {"new_password1": "abcdefgh", "new_password2": "abcdefgh"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "majuscules et des minuscules" in html
    assert "au moins un chiffre" in html
    docteur.refresh_from_db()
    assert docteur.check_password(PASSWORD)


def test_reset_ends_the_other_sessions(client, docteur, mailoutbox):
    elsewhere = Client()
    elsewhere.force_login(docteur)
    ask_reset(client, "931234561")

    client.post(link_in(mailoutbox[0]), {"new_password1": NEW, "new_password2": NEW})

    response = elsewhere.get(reverse("tracing:home"))
    assert response.status_code == 302
    assert SESSION_KEY not in elsewhere.session


def test_reset_lifts_a_lockout(client, docteur, mailoutbox):
    docteur.bloque_jusqua = timezone.now() + timedelta(minutes=20)
    docteur.save()
    ask_reset(client, "931234561")

    client.post(link_in(mailoutbox[0]), {"new_password1": NEW, "new_password2": NEW})

    response = client.post(reverse("accounts:login"), {"username": "931234561", "password": NEW})
    assert response.status_code == 302


def test_a_second_request_within_a_minute_sends_no_second_email(client, docteur, mailoutbox):
    ask_reset(client, "931234561")
    response = ask_reset(client, "931234561")

    assert "****" not in response.content.decode()
    assert len(mailoutbox) == 1

    docteur.refresh_from_db()
    docteur.reinitialisation_envoyee_le -= timedelta(minutes=2)
    docteur.save()
    ask_reset(client, "931234561")
    assert len(mailoutbox) == 2

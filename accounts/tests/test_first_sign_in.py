import re

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.conftest import professional_account
from tests.factories import PASSWORD

HOME = reverse("tracing:home")
WELCOME = reverse("accounts:bienvenue")
DECLARE = reverse("accounts:declarer_identifiants")
NEW = "Personnel-Olivier-2020!"


@pytest.fixture
def olivier(db):
    user = professional_account(numeros=["930000013"], email="cabinet@exemple.fr")
    user.bienvenue_vue = False
    user.save()
    professional_account(numeros=["930000021"], email="cabinet@exemple.fr")
    return user


def sign_in(client, identifier, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": identifier, "password": password})


def test_welcome_window_shows_once_then_never_again(client, docteur):
    docteur.bienvenue_vue = False
    docteur.save()
    sign_in(client, "931234561")

    assert client.get(HOME).url == WELCOME
    assert "Continuer" in client.get(WELCOME).content.decode()
    assert client.post(WELCOME).url == HOME

    client.logout()
    sign_in(client, "931234561")
    assert client.get(HOME).status_code == 200


def test_shared_email_professional_declares_a_personal_email_and_password(
    client, olivier, mailoutbox
):
    sign_in(client, "930000013")
    client.post(WELCOME)

    assert client.get(HOME).url == DECLARE
    page = client.get(DECLARE).content.decode()
    assert "Mettez vos identifiants e-mail et mot de passe à jour" in page
    assert "Au moins 8 caractères" in page

    response = client.post(
        DECLARE,
        {
            "email": "yves.olivier@exemple.fr",
            "email_confirmation": "yves.olivier@exemple.fr",
            "new_password1": NEW,
            "new_password2": NEW,
        },
    )

    assert response.url == HOME
    assert client.get(HOME).status_code == 200  # same session, not asked again
    olivier.refresh_from_db()
    assert olivier.check_password(NEW)
    assert olivier.email == "cabinet@exemple.fr"  # until the link is followed
    link = re.search(r"https?://\S+/compte/valider-email/\S+/", mailoutbox[0].body).group(0)
    client.post(link)
    olivier.refresh_from_db()
    assert olivier.email == "yves.olivier@exemple.fr"
    client.logout()
    assert sign_in(client, "yves.olivier@exemple.fr", NEW).status_code == 302


def test_declaration_refuses_an_email_another_account_uses(client, olivier, docteur):
    sign_in(client, "930000013")
    client.post(WELCOME)

    response = client.post(
        DECLARE,
        {
            "email": docteur.email,
            "email_confirmation": docteur.email,
            "new_password1": NEW,
            "new_password2": NEW,
        },
    )

    assert "déjà utilisée" in response.content.decode()
    assert User.objects.get(pk=olivier.pk).email_en_attente == ""


def test_staff_see_no_welcome_window(client, db):
    from tests.factories import UserFactory

    UserFactory(email="conseiller@exemple.fr")
    sign_in(client, "conseiller@exemple.fr")

    assert client.get(HOME).status_code == 200

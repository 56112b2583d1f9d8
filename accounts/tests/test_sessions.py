import time
from unittest import mock

from django.urls import reverse

from accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from tests.factories import PASSWORD

HOME = reverse("tracing:home")


def test_session_ends_after_the_idle_timeout(client, docteur, settings):
    client.force_login(docteur)
    assert client.get(HOME).status_code == 200

    later = time.time() + settings.SESSION_IDLE_TIMEOUT + 1
    with mock.patch("accounts.middleware.time.time", return_value=later):
        response = client.get(HOME)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_session_alive(client, docteur, settings):
    client.force_login(docteur)
    client.get(HOME)
    start = time.time()

    for step in range(1, 4):
        moment = start + step * (settings.SESSION_IDLE_TIMEOUT - 60)
        with mock.patch("accounts.middleware.time.time", return_value=moment):
            assert client.get(HOME).status_code == 200


def test_session_ends_after_twelve_hours_even_when_active(client, docteur, settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    client.force_login(docteur)
    client.get(HOME)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - settings.SESSION_COOKIE_AGE - 1
    session[LAST_SEEN] = time.time()
    session.save()

    assert client.get(HOME).status_code == 302


# --- A form posted after the session expired is kept --------------------------------------------

NEW_PZ = {"nir": "1 85 05 78 006 084 91", "nom": "Shneidez", "prenom": "Kevan",
          "information_patient": "on", "collectivite": "non", "action": "valider",
          "commentaire_prive": "", "password": "jamais-garde"}  # fmt: skip
CREATE = reverse("tracing:patient_zero_create")


def expire(client, settings):
    session = client.session
    session[LAST_SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()


def test_a_form_posted_after_expiry_is_kept_and_given_back_after_signing_in_again(
    client, docteur, settings
):
    from fiches.models import Fiche

    client.force_login(docteur)
    client.get(HOME)
    expire(client, settings)

    expired = client.post(CREATE, NEW_PZ, follow=True)

    assert not Fiche.objects.exists()
    assert "Votre saisie n&#x27;a pas été enregistrée, mais elle est conservée" in (
        expired.content.decode()
    )
    signed_in = client.post(
        reverse("accounts:login"), {"username": "931234561", "password": PASSWORD}
    )
    assert signed_in.url == reverse("accounts:reprendre")
    page = client.get(signed_in.url).content.decode()
    assert "Reprendre votre saisie" in page
    assert "Shneidez" in page and "Kevan" in page
    assert "jamais-garde" not in page  # passwords are never kept
    assert f'action="{CREATE}"' in page

    sent = client.post(CREATE, {k: v for k, v in NEW_PZ.items() if k != "password"})

    fiche = Fiche.objects.get()
    assert sent.status_code == 302
    assert (fiche.nom, fiche.declarant) == ("Shneidez", docteur)
    assert client.get(reverse("accounts:reprendre")).status_code == 302  # given back once


def test_a_kept_form_is_never_given_to_another_account(client, docteur, settings):
    from accounts.tests.conftest import professional_account
    from fiches.models import Fiche

    autre = professional_account(numeros=["931111116"], email="autre@exemple.fr")
    client.force_login(docteur)
    client.get(HOME)
    expire(client, settings)
    client.post(CREATE, NEW_PZ)

    signed_in = client.post(
        reverse("accounts:login"), {"username": "931111116", "password": PASSWORD}
    )

    assert signed_in.url != reverse("accounts:reprendre")
    assert client.get(reverse("accounts:reprendre")).status_code == 302
    assert "Shneidez" not in client.get(HOME).content.decode()
    assert not Fiche.objects.exists()
    assert autre.pk != docteur.pk


def test_abandoning_a_kept_form_forgets_it(client, docteur, settings):
    client.force_login(docteur)
    client.get(HOME)
    expire(client, settings)
    client.post(CREATE, NEW_PZ)
    client.post(reverse("accounts:login"), {"username": "931234561", "password": PASSWORD})

    client.post(reverse("accounts:reprendre"))

    assert client.get(reverse("accounts:reprendre")).status_code == 302
    assert "accounts.formulaire_conserve" not in client.session


def test_rester_connecte_resets_the_idle_timeout(client, docteur, settings):
    client.force_login(docteur)
    client.get(HOME)
    almost = time.time() + settings.SESSION_IDLE_TIMEOUT - 30

    with mock.patch("accounts.middleware.time.time", return_value=almost):
        kept = client.post(reverse("accounts:rester_connecte"))
    with mock.patch("accounts.middleware.time.time", return_value=almost + 60):
        still = client.get(HOME)

    assert kept.status_code == 204
    assert still.status_code == 200


def test_pages_of_a_signed_in_person_carry_the_rester_connecte_notice(client, docteur, settings):
    client.force_login(docteur)

    html = client.get(HOME).content.decode()

    assert f'data-idle="{settings.SESSION_IDLE_TIMEOUT}"' in html
    assert "Rester connecté" in html
    assert "/static/js/session.js" in html

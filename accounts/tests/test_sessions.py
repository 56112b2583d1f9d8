import time
from unittest import mock

from django.urls import reverse

from accounts.middleware import LAST_SEEN, SIGNED_IN_AT

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

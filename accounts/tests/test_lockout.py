import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.admin.sites import site
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import SecurityEvent, User
from accounts.tests.conftest import professional_account
from tests.factories import PASSWORD

LOGIN = reverse("accounts:login")
WRONG = "Pas-le-bon-2020!"


def sign_in(client, identifier, password=PASSWORD):
    return client.post(LOGIN, {"username": identifier, "password": password})


def test_third_wrong_password_locks_the_account_whatever_the_identifier(client, docteur):
    sign_in(client, "sophie@cabinet-sophie.fr", WRONG)
    sign_in(client, "931234561", WRONG)
    response = sign_in(client, "751234568", WRONG)

    assert "Votre compte est bloqué. Veuillez réessayer dans 20 min" in response.content.decode()
    docteur.refresh_from_db()
    assert docteur.bloque_jusqua > timezone.now() + timedelta(minutes=19)


def _said(response):
    from html import unescape

    return " ".join(unescape(response.content.decode()).split())


def test_the_try_before_the_last_says_it_and_the_block_says_how_to_lift_it(client, docteur):
    first = sign_in(client, "931234561", WRONG)
    second = sign_in(client, "931234561", WRONG)
    third = sign_in(client, "931234561", WRONG)

    assert "encore 1 essai" not in _said(first)
    assert "Attention : encore 1 essai avant le blocage du compte pendant 20 min" in _said(second)
    assert "« Mot de passe oublié » le débloque" in _said(second)
    assert "Votre compte est bloqué" in _said(third)
    assert "débloquez-le dès maintenant avec « Mot de passe oublié »" in _said(third)


def test_an_unknown_identifier_gets_the_same_answers_as_an_account_even_without_cookies(db):
    from django.test import Client

    from accounts.models import EssaiInconnu

    # Each try from a new session: counted on the server, as an account's are.
    answers = [_said(sign_in(Client(), "999999999", WRONG)) for _ in range(4)]

    assert "Identifiant ou mot de passe incorrect" in answers[0]
    assert "encore 1 essai" not in answers[0]
    assert "Attention : encore 1 essai avant le blocage" in answers[1]
    assert "Votre compte est bloqué. Veuillez réessayer dans 20 min" in answers[2]
    assert "Votre compte est bloqué" in answers[3]  # still, as an account would be
    assert "999999999" not in EssaiInconnu.objects.get().cle  # a keyed digest, not the number


def test_two_wrong_passwords_do_not_lock(client, docteur):
    sign_in(client, "931234561", WRONG)
    sign_in(client, "931234561", WRONG)

    assert sign_in(client, "931234561").status_code == 302


def test_right_password_is_refused_while_blocked_with_the_real_minutes_left(client, docteur):
    docteur.bloque_jusqua = timezone.now() + timedelta(minutes=7, seconds=30)
    docteur.save()

    response = sign_in(client, "sophie@cabinet-sophie.fr")

    assert response.status_code == 200
    assert "Veuillez réessayer dans 8 min" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_account_opens_again_once_the_time_has_passed(client, docteur):
    docteur.bloque_jusqua = timezone.now() - timedelta(seconds=1)
    docteur.echecs_connexion = 0
    docteur.save()

    assert sign_in(client, "931234561").status_code == 302


def test_correct_sign_in_resets_the_counter(client, docteur):
    sign_in(client, "931234561", WRONG)
    sign_in(client, "931234561", WRONG)
    sign_in(client, "931234561")
    client.logout()
    sign_in(client, "931234561", WRONG)
    sign_in(client, "931234561", WRONG)

    docteur.refresh_from_db()
    assert docteur.bloque_jusqua is None
    assert docteur.echecs_connexion == 2


def test_lockout_length_comes_from_the_setting(client, docteur, settings):
    settings.ACCOUNT_LOCKOUT_MINUTES = 5
    for _ in range(3):
        response = sign_in(client, "931234561", WRONG)

    assert "Veuillez réessayer dans 5 min" in response.content.decode()


def test_failures_and_lockout_are_recorded_without_the_password(client, docteur):
    for _ in range(3):
        sign_in(client, "931234561", WRONG)

    actions = list(SecurityEvent.objects.filter(user=docteur).values_list("action", flat=True))
    assert actions.count(SecurityEvent.Action.SIGN_IN_FAILED) == 3
    assert SecurityEvent.Action.LOCKED in actions
    for event in SecurityEvent.objects.all():
        assert WRONG not in event.detail


def test_admin_unblocks_an_account_with_an_action(admin_client, docteur):
    docteur.bloque_jusqua = timezone.now() + timedelta(minutes=20)
    docteur.save()

    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "debloquer", "_selected_action": [docteur.pk]},
    )

    assert response.status_code == 302
    docteur.refresh_from_db()
    assert docteur.bloque_jusqua is None
    assert SecurityEvent.objects.filter(user=docteur, action="account.unlocked").exists()
    assert site.is_registered(User)


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_wrong_sign_ins_check_at_most_three_passwords():
    if connection.vendor != "postgresql":
        print("\nSkipped: the row-lock test needs PostgreSQL (SQLite has no SELECT FOR UPDATE).")
        pytest.skip("needs PostgreSQL (row locks); run with DATABASE_URL=postgres://…")
    user = professional_account(numeros=["931234561"], email="sophie@cabinet-sophie.fr")
    checked = []
    guard = threading.Lock()
    real_check = User.check_password

    def counting_check(self, raw_password):
        with guard:
            checked.append(raw_password)
        return real_check(self, raw_password)

    barrier = threading.Barrier(50)
    results = []

    def attempt(index):
        try:
            barrier.wait()
            identifier = ["931234561", "sophie@cabinet-sophie.fr"][index % 2]
            result = services.sign_in(identifier=identifier, password=WRONG)
            with guard:
                results.append(result.error)
        finally:
            connections.close_all()

    with mock.patch.object(User, "check_password", counting_check):
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert len(results) == 50
    assert len(checked) <= 3
    assert results.count("locked") >= 47
    user.refresh_from_db()
    assert user.bloque_jusqua is not None


def test_an_admin_signing_in_for_the_admin_counts_towards_the_same_lockout(client, db):
    from tests.factories import UserFactory

    admin = UserFactory(email="admin@exemple.fr", is_staff=True, is_superuser=True)
    for _ in range(3):
        client.post(reverse("accounts:login") + "?next=/admin/",
                    {"username": admin.email, "password": WRONG})  # fmt: skip

    admin.refresh_from_db()
    assert admin.bloque_jusqua is not None
    response = client.post(reverse("accounts:login") + "?next=/admin/",
                           {"username": admin.email, "password": PASSWORD})  # fmt: skip
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

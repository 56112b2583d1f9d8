"""The second factor (issue 15): a TOTP application, enrolled from « Gestion de compte » with a
QR code drawn here, asked after the password, counted in the same lockout; recovery codes shown
once and kept as digests; mandatory for the roles the settings name."""

import hashlib
import re
import time

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import TOTP

from accounts.models import CodeSecours, SecurityEvent
from accounts.roles import Role
from tests.factories import UserFactory

PASSWORD = "Cabinet-2020!x"
LOGIN, CODE = "/compte/connexion/", "/compte/connexion/code/"
ENROL = "/compte/securite/double-authentification/"
Action = SecurityEvent.Action


def totp_now(device, *, drift=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + drift * device.step
    return f"{totp.token():06d}"


@pytest.fixture
def person(db):
    user = UserFactory(email="agent@ars-test.fr")
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.ARS.value)[0])
    return user


def enrol(client, user):
    from accounts import second_factor

    client.force_login(user)
    page = client.get(ENROL).content.decode()
    device = second_factor.pending_device(user)
    response = client.post(ENROL, {"code": totp_now(device)})
    client.logout()
    device.refresh_from_db()
    return page, response, device


def test_enrolment_shows_a_qr_code_and_the_secret_then_the_recovery_codes_once(client, person):
    page, response, device = enrol(client, person)

    assert '<svg width="' in page and "<title>QR code à scanner" in page
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert len(secret) >= 32
    assert device.confirmed
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", response.content.decode())
    assert len(codes) == 10
    stored = set(CodeSecours.objects.filter(user=person).values_list("empreinte", flat=True))
    assert not any(code in digest for code in codes for digest in stored)  # hashed at rest
    assert hashlib.sha256(codes[0].replace("-", "").encode()).hexdigest() in stored
    assert person.security_events.filter(action=Action.SECOND_FACTOR_ENABLED).exists()


def test_a_wrong_first_code_does_not_enable_it(client, person):
    client.force_login(person)
    client.get(ENROL)

    response = client.post(ENROL, {"code": "000000"})

    assert response.status_code == 400
    assert "Code incorrect" in response.content.decode()
    assert not person.totpdevice_set.filter(confirmed=True).exists()


def test_after_the_password_the_code_is_asked_and_signs_in(client, person):
    _, _, device = enrol(client, person)

    response = client.post(LOGIN, {"username": person.email, "password": PASSWORD})

    assert response["Location"] == CODE
    assert not client.get("/").wsgi_request.user.is_authenticated  # not yet
    before = client.session.session_key
    done = client.post(CODE, {"code": totp_now(device, drift=1)}, follow=True)
    assert done.wsgi_request.user == person
    assert client.session.session_key != before
    assert person.security_events.filter(action=Action.SIGNED_IN, detail="code vérifié").exists()


def test_the_right_code_right_after_a_wrong_one_signs_in(client, person):
    _, _, device = enrol(client, person)
    client.post(LOGIN, {"username": person.email, "password": PASSWORD})

    client.post(CODE, {"code": "000000"})
    done = client.post(CODE, {"code": totp_now(device, drift=1)}, follow=True)

    assert done.wsgi_request.user == person


def test_wrong_codes_count_in_the_lockout_and_warn_before_the_last_try(client, person, settings):
    settings.ACCOUNT_LOCKOUT_ATTEMPTS = 3
    enrol(client, person)
    client.post(LOGIN, {"username": person.email, "password": PASSWORD})

    first = client.post(CODE, {"code": "000000"})
    second = client.post(CODE, {"code": "111111"})
    assert first.status_code == second.status_code == 400
    assert "encore 1 essai avant le blocage" in second.content.decode()
    # The password again does not start the count anew.
    client.post(LOGIN, {"username": person.email, "password": PASSWORD})
    third = client.post(CODE, {"code": "222222"}, follow=True)

    assert "Votre compte est bloqué" in third.content.decode()
    person.refresh_from_db()
    assert person.bloque_jusqua is not None
    assert person.security_events.filter(action=Action.SECOND_FACTOR_FAILED).count() == 3
    assert person.security_events.filter(action=Action.LOCKED).exists()


def test_a_recovery_code_signs_in_once(client, person):
    _, response, _ = enrol(client, person)
    code = re.findall(r"<li>([a-z2-9-]{11})</li>", response.content.decode())[0]

    client.post(LOGIN, {"username": person.email, "password": PASSWORD})
    assert client.post(CODE, {"code": code.upper()}, follow=True).wsgi_request.user == person
    client.logout()
    client.post(LOGIN, {"username": person.email, "password": PASSWORD})

    again = client.post(CODE, {"code": code})
    assert again.status_code == 400
    assert person.security_events.filter(action=Action.RECOVERY_CODE_USED).count() == 1


def test_a_role_that_requires_it_must_enrol_before_anything_else(client, person, settings):
    settings.DOUBLE_AUTHENTIFICATION_ROLES = [Role.ARS.value]
    client.force_login(person)

    response = client.get("/ars/")

    assert response["Location"] == ENROL
    page = client.get(ENROL).content.decode()
    assert "la double authentification est obligatoire" in page


def test_a_role_that_does_not_require_it_is_offered_it(client, person, settings):
    settings.DOUBLE_AUTHENTIFICATION_ROLES = [Role.ADMIN.value]
    client.force_login(person)

    assert client.get("/ars/").status_code == 200
    assert "Activer la double authentification" in client.get("/compte/securite/").content.decode()


def test_the_code_page_expires_and_sends_back_to_the_sign_in(client, person, settings):
    enrol(client, person)
    client.post(LOGIN, {"username": person.email, "password": PASSWORD})
    session = client.session
    step = session["accounts.second_step"]
    step["at"] -= 10 * 60
    session["accounts.second_step"] = step
    session.save()

    response = client.get(CODE, follow=True)

    assert response.wsgi_request.path == LOGIN
    assert "Le délai de saisie du code est dépassé" in response.content.decode()


def test_the_admins_own_sign_in_page_sends_to_ours_and_a_password_alone_opens_nothing(
    client, person
):
    from django.contrib.auth import authenticate

    enrol(client, person)

    assert client.get("/admin/login/?next=/admin/")["Location"] == "/compte/connexion/?next=/admin/"
    assert authenticate(username=person.email, password=PASSWORD) is None

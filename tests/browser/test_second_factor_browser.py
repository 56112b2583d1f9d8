"""The second factor in the browser (issue 15): an agent ARS enrols an authenticator from
« Gestion de compte » (the code computed here, from the secret the page shows, as a phone
would), signs out, then signs in with the password and the code; a recovery code too."""

import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts.demo import load_demo_accounts

DEMO = "Demo-Covid-2020!"
ARS = "agent.ars-idf@demo.contact-covid.fr"


@pytest.fixture
def demo(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_accounts()


def code_from(secret_text, *, later=0):
    from base64 import b32decode

    secret = secret_text.replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + later
    return f"{totp.token():06d}"


def test_an_agent_enrols_an_authenticator_then_signs_in_with_password_and_code(
    page, sign_in, demo, settings
):
    settings.DOUBLE_AUTHENTIFICATION_ROLES = ["Agent ARS"]
    sign_in(ARS, DEMO)

    # Mandatory for the role: the first page is the enrolment, with its QR code drawn here.
    expect(page.get_by_text("la double authentification est obligatoire")).to_be_visible()
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("secret").inner_text()
    page.get_by_label("Code à 6 chiffres affiché par l'application").fill(code_from(secret))
    page.get_by_role("button", name="ACTIVER").click()
    expect(page.get_by_text("ils ne seront plus jamais affichés")).to_be_visible()
    codes = page.get_by_test_id("codes").inner_text().split()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    page.get_by_role("link", name="J'AI NOTÉ MES CODES").click()
    page.get_by_role("button", name="Déconnexion").click()

    sign_in(ARS, DEMO)
    expect(page.get_by_role("heading", name="Saisissez votre code")).to_be_visible()
    field = page.get_by_label("Code à 6 chiffres (ou code de secours)")
    field.fill("000000")
    page.get_by_role("button", name="VALIDER").click()
    expect(page.get_by_text("Code incorrect")).to_be_visible()
    page.get_by_label("Code à 6 chiffres (ou code de secours)").fill(code_from(secret, later=30))
    page.get_by_role("button", name="VALIDER").click()
    expect(page.get_by_role("link", name="Gestion de compte")).to_be_visible()

    page.get_by_role("button", name="Déconnexion").click()
    sign_in(ARS, DEMO)
    page.get_by_label("Code à 6 chiffres (ou code de secours)").fill(codes[0])
    page.get_by_role("button", name="VALIDER").click()
    expect(page.get_by_role("link", name="Gestion de compte")).to_be_visible()

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from accounts.models import LieuExercice, Professionnel, User


@pytest.fixture
def demo(db, settings):
    # A fast hasher: these tests are about who signs in with what, not about Argon2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo")


@pytest.mark.parametrize(
    "identifier",
    [
        "sophie.generaliste@demo.contact-covid.fr",
        "931234561",
        "751234568",
        "930000013",
        "930000021",
        "930012349",
        "labo.biodemo@demo.contact-covid.fr",
        "930054325",
        "pharmacie.demo@demo.contact-covid.fr",
        "conseiller.cpam93@demo.contact-covid.fr",
        "agent.ars-idf@demo.contact-covid.fr",
        "admin@demo.contact-covid.fr",
    ],
)
def test_every_demo_identifier_signs_in_with_the_demo_password(client, demo, identifier):
    response = client.post(
        reverse("accounts:login"), {"username": identifier, "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302


def test_the_shared_demo_email_is_refused(client, demo):
    response = client.post(
        reverse("accounts:login"),
        {"username": "cabinet.republique@demo.contact-covid.fr", "password": DEMO_PASSWORD},
    )

    assert "partagée" in response.content.decode()


def test_olivier_has_never_signed_in_and_the_others_have(demo):
    assert not User.objects.get(username="yves.olivier").bienvenue_vue
    assert User.objects.get(username="sophie.generaliste").bienvenue_vue


def test_referentiel_has_the_entries_without_account_for_account_creation(demo):
    nouveau = LieuExercice.objects.get(numero="931111116").professionnel
    assert nouveau.nir == "180019304812323"
    assert nouveau.iban_fin == "0140"
    assert not hasattr(nouveau, "compte")
    nouvelle = LieuExercice.objects.get(numero="930099999").professionnel
    assert nouvelle.is_etablissement
    assert not hasattr(nouvelle, "compte")


def test_load_demo_is_idempotent(demo):
    counts = (User.objects.count(), Professionnel.objects.count(), LieuExercice.objects.count())

    call_command("load_demo")

    assert counts == (
        User.objects.count(),
        Professionnel.objects.count(),
        LieuExercice.objects.count(),
    )

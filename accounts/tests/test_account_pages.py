import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityEvent
from tests.factories import PASSWORD

NEW = "Encore-Nouveau-2020!"


@pytest.mark.parametrize(
    "name",
    ["informations", "securite", "parametres", "changer_email", "changer_mot_de_passe"],
)
def test_account_pages_send_anonymous_visitors_to_sign_in(client, db, name):
    response = client.get(reverse(f"accounts:{name}"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_header_links_to_gestion_de_compte(client, docteur):
    client.force_login(docteur)

    html = client.get(reverse("tracing:home")).content.decode()

    assert "Gestion de compte" in html
    assert reverse("accounts:informations") in html


def test_informations_show_every_practice_place_with_its_caisse(
    client, docteur, django_assert_max_num_queries
):
    client.force_login(docteur)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:informations"))

    html = response.content.decode()
    assert "931234561" in html
    assert "751234568" in html
    assert "CPAM de Bobigny (931)" in html
    assert "195 avenue Paul Vaillant Couturier" in html
    assert "Si vous constatez une erreur sur vos informations, vous pouvez la signaler" in html
    assert "<input" not in html.split("<main")[1].split("</main>")[0]  # read-only


def test_security_page_lists_the_last_events(client, docteur):
    client.post(reverse("accounts:login"), {"username": "931234561", "password": "Faux-2020!"})
    client.post(reverse("accounts:login"), {"username": "931234561", "password": PASSWORD})

    html = client.get(reverse("accounts:securite")).content.decode()

    assert "Mes derniers évènements" in html
    assert "Connexion par identifiant et mot de passe" in html
    assert "Échec de connexion" in html
    assert re.search(r"\d\d/\d\d/\d{4} - \d\d:\d\d", html)


def test_changing_password_needs_the_current_one(client, docteur):
    client.force_login(docteur)

    response = client.post(
        reverse("accounts:changer_mot_de_passe"),
        {"current_password": "Pas-le-bon-1!", "new_password1": NEW, "new_password2": NEW},
    )

    assert "Le mot de passe actuel est incorrect" in response.content.decode()
    docteur.refresh_from_db()
    assert docteur.check_password(PASSWORD)


def test_changing_password_keeps_this_session_and_ends_the_others(client, docteur):
    elsewhere = Client()
    elsewhere.force_login(docteur)
    client.force_login(docteur)

    response = client.post(
        reverse("accounts:changer_mot_de_passe"),
        {"current_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert response.url == reverse("accounts:securite")
    assert client.get(reverse("tracing:home")).status_code == 200
    assert elsewhere.get(reverse("tracing:home")).status_code == 302
    assert SESSION_KEY not in elsewhere.session
    assert SecurityEvent.objects.filter(user=docteur, action="account.password_changed").exists()


def test_changing_email_needs_the_current_password(client, docteur, mailoutbox):
    client.force_login(docteur)

    response = client.post(
        reverse("accounts:changer_email"),
        {
            "email": "nouvelle@exemple.fr",
            "email_confirmation": "nouvelle@exemple.fr",
            "current_password": "Pas-le-bon-1!",
        },
    )

    html = response.content.decode()
    assert "Le mot de passe actuel est incorrect" in html
    assert 'value="nouvelle@exemple.fr"' in html
    assert mailoutbox == []


def test_changing_email_sends_a_link_to_the_new_and_a_notice_to_the_old(
    client, docteur, mailoutbox
):
    client.force_login(docteur)

    client.post(
        reverse("accounts:changer_email"),
        {
            "email": "nouvelle@exemple.fr",
            "email_confirmation": "nouvelle@exemple.fr",
            "current_password": PASSWORD,
        },
    )

    assert {tuple(m.to) for m in mailoutbox} == {
        ("nouvelle@exemple.fr",),
        ("sophie@cabinet-sophie.fr",),
    }
    docteur.refresh_from_db()
    assert docteur.email == "sophie@cabinet-sophie.fr"
    link_mail = next(m for m in mailoutbox if m.to == ["nouvelle@exemple.fr"])
    link = re.search(r"https?://\S+/compte/valider-email/\S+/", link_mail.body).group(0)
    client.post(link)
    docteur.refresh_from_db()
    assert docteur.email == "nouvelle@exemple.fr"
    assert SecurityEvent.objects.filter(user=docteur, action="account.email_changed").exists()


def test_settings_page_is_the_third_section(client, docteur):
    client.force_login(docteur)

    html = client.get(reverse("accounts:parametres")).content.decode()

    assert "Paramètres de compte" in html
    assert "Informations professionnelles" in html
    assert "Connexion et sécurité" in html


def test_guessing_the_current_password_counts_against_the_lockout(client, docteur):
    client.force_login(docteur)
    url = reverse("accounts:changer_mot_de_passe")
    wrong = {"current_password": "pas-le-bon", "new_password1": "Nouveau-Mdp-2020!",
             "new_password2": "Nouveau-Mdp-2020!"}  # fmt: skip

    for _ in range(2):
        assert "Le mot de passe actuel est incorrect" in client.post(url, wrong).content.decode()
    third = client.post(url, wrong).content.decode()

    assert "Votre compte est bloqué. Veuillez réessayer dans 20 min" in third
    docteur.refresh_from_db()
    assert docteur.bloque_jusqua is not None
    # Even the right password is refused now, here and at sign-in.
    right = {**wrong, "current_password": PASSWORD}
    assert "Votre compte est bloqué" in client.post(url, right).content.decode()
    docteur.refresh_from_db()
    assert docteur.check_password(PASSWORD)

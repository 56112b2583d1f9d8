import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import SecurityEvent
from accounts.roles import Role
from accounts.tests.conftest import professional_account
from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("accounts:login")
INVALID = "Identifiant ou mot de passe incorrect"


def sign_in(client, identifier, password=PASSWORD):
    return client.post(LOGIN, {"username": identifier, "password": password})


@pytest.mark.parametrize("identifier", ["sophie@cabinet-sophie.fr", "931234561", "751234568"])
def test_professional_signs_in_by_email_or_any_practice_place_number(client, docteur, identifier):
    response = sign_in(client, identifier)

    assert response.status_code == 302
    assert response.url == reverse("tracing:home")
    assert client.session["_auth_user_id"] == str(docteur.pk)


def test_numbers_are_accepted_with_spaces_and_emails_in_any_case(client, docteur):
    assert sign_in(client, " 93 123 456 1 ").status_code == 302
    client.logout()
    assert sign_in(client, "SOPHIE@Cabinet-Sophie.FR").status_code == 302


def test_establishment_signs_in_by_finess_number(client, pharmacie):
    response = sign_in(client, "930054325")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(pharmacie.pk)


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.ARS, Role.ADMIN])
def test_staff_sign_in_with_their_email(client, db, role):
    user = UserFactory(email=f"{role.name.lower()}@assurance-maladie.fr")
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])

    assert sign_in(client, user.email).status_code == 302


def test_shared_email_is_refused_with_a_message_to_use_the_number(client, db):
    professional_account(numeros=["930000013"], email="cabinet@exemple.fr")
    professional_account(numeros=["930000021"], email="cabinet@exemple.fr")

    response = sign_in(client, "cabinet@exemple.fr")

    html = response.content.decode()
    assert response.status_code == 200
    assert "partagée avec d&#x27;autres professionnels" in html
    assert "N° d&#x27;Assurance Maladie ou votre N° FINESS" in html
    assert "_auth_user_id" not in client.session


def test_professional_with_a_shared_email_signs_in_with_their_number(client, db):
    olivier = professional_account(numeros=["930000013"], email="cabinet@exemple.fr")
    professional_account(numeros=["930000021"], email="cabinet@exemple.fr")

    assert sign_in(client, "930000013").status_code == 302
    assert client.session["_auth_user_id"] == str(olivier.pk)


def test_unknown_identifier_and_wrong_password_get_the_same_message(client, docteur):
    unknown = sign_in(client, "inconnu@exemple.fr").content.decode()
    unknown_number = sign_in(client, "939999999").content.decode()
    wrong = sign_in(client, "931234561", "Mauvais-mot-2020!").content.decode()

    for html in (unknown, unknown_number, wrong):
        assert INVALID in html


def test_wrong_password_keeps_what_was_typed(client, docteur):
    html = sign_in(client, "931234561", "faux").content.decode()

    assert 'value="931234561"' in html
    assert "faux" not in html


def test_successful_sign_in_is_recorded_with_the_ip(client, docteur):
    client.post(LOGIN, {"username": "931234561", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")

    event = SecurityEvent.objects.get(user=docteur, action=SecurityEvent.Action.SIGNED_IN)
    assert event.ip == "10.1.2.3"


def test_unvalidated_account_is_told_to_validate_its_email_and_gets_a_new_link(
    client, docteur, mailoutbox
):
    docteur.is_active = False
    docteur.email_en_attente = docteur.email
    docteur.save()

    html = sign_in(client, "931234561").content.decode()

    assert "Valider adresse e-mail" in html
    assert "_auth_user_id" not in client.session
    assert mailoutbox[0].to == [docteur.email]
    assert sign_in(client, "931234561", "Faux-2020!").status_code == 200
    assert len(mailoutbox) == 1  # only the right password sends a link


def test_disabled_account_is_told_to_call_the_assistance(client, docteur, mailoutbox):
    docteur.is_active = False
    docteur.save()

    html = sign_in(client, "931234561").content.decode()

    assert "Ce compte est désactivé" in html
    assert "_auth_user_id" not in client.session
    assert mailoutbox == []


def test_sign_in_rotates_the_session_key(client, docteur):
    client.get(LOGIN)
    session = client.session
    session["marker"] = "x"
    session.save()
    before = session.session_key

    sign_in(client, "931234561")

    assert client.session.session_key != before


def test_admins_sign_in_on_the_same_page_as_everyone_then_reach_the_admin(client, db):
    admin = UserFactory(email="admin@exemple.fr", is_staff=True, is_superuser=True)

    # The admin's own page (and its second-factor-less form) sends to ours.
    posted = client.post(reverse("admin:login"), {"username": admin.email, "password": PASSWORD})
    assert posted["Location"].startswith(LOGIN) and "_auth_user_id" not in client.session
    response = client.post(LOGIN + "?next=/admin/", {"username": admin.email,
                                                      "password": PASSWORD})  # fmt: skip

    assert response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert client.get("/admin/").status_code == 200


def test_sign_in_page_offers_reset_creation_and_says_when_cps_is_not_configured(
    client, db, settings
):
    settings.PSC_URL = ""
    html = client.get(LOGIN).content.decode()

    assert reverse("accounts:password_forgotten") in html
    assert reverse("accounts:create_start") in html
    assert "carte CPS (Pro Santé Connect) n'est pas configurée" in html

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import PASSWORD


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!", "trop court"),
        ("abcdefg1!", "majuscules et des minuscules"),
        ("ABCDEFG1!", "majuscules et des minuscules"),
        ("Abcdefgh!", "au moins un chiffre"),
        ("Abcdefgh1", "caractère spécial"),
        ("Password1!", "trop courant"),
    ],
)
def test_weak_passwords_are_refused_in_french(db, password, message):
    with pytest.raises(ValidationError) as error:
        validate_password(password)

    assert any(message in text for text in error.value.messages)


def test_a_password_following_every_rule_is_accepted(db):
    validate_password("Demo-Covid-2020!")
    validate_password("Zq8 trv&x")  # a space counts as a special character


def test_forms_show_the_checklist_that_ticks_as_one_types(client, docteur):
    client.force_login(docteur)

    html = client.get("/compte/securite/mot-de-passe/").content.decode()

    assert 'data-password-rules="regles-mdp"' in html
    for rule in [
        "Au moins 8 caractères",
        "Des majuscules et des minuscules",
        "Au moins un chiffre",
    ]:
        assert rule in html
    assert "js/password-rules.js" in html


def test_a_password_like_ones_own_name_or_email_is_no_hidden_rule(client, docteur):
    from accounts.forms import SetPasswordForm

    docteur.last_name, docteur.first_name = "Olivier", "Yves"
    docteur.email = "cabinet@exemple.fr"

    for password in ("Olivier-2020!", "Cabinet#2020x"):
        form = SetPasswordForm(docteur, data={"new_password1": password,
                                              "new_password2": password})  # fmt: skip
        assert form.is_valid(), form.errors


def test_every_rule_the_server_applies_is_in_the_checklist(settings):
    from accounts.validators import RULES

    codes = {code for code, _label in RULES}
    shown = {
        "MinimumLengthValidator": "length",
        "CommonPasswordValidator": "common",
        "ComplexityValidator": "case",  # and digit, special
        "NumericPasswordValidator": "digit",  # all digits can't have the case rule either
    }
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        name = validator["NAME"].rsplit(".", 1)[1]
        assert name in shown, f"{name}: a rule the checklist does not show"
        assert shown[name] in codes


def test_a_refused_password_gives_back_everything_typed(client, docteur):
    from django.urls import reverse

    client.force_login(docteur)

    response = client.post(
        reverse("accounts:changer_mot_de_passe"),
        {
            "current_password": PASSWORD,
            "new_password1": "Password1!",
            "new_password2": "Password1!",
        },
    )

    html = response.content.decode()
    assert "trop courant" in html
    assert html.count('value="Password1!"') == 2  # both fields, as typed
    assert "Pas un mot de passe courant" in html

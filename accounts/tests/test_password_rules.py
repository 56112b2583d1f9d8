import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


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

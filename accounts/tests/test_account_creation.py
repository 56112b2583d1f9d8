import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.forms import SecurityKeyForm
from accounts.models import CourrierPostal, LieuExercice, SecurityEvent, User
from accounts.roles import Role
from tests.factories import LieuExerciceFactory, ProfessionnelFactory

START = reverse("accounts:create_start")
KEY = reverse("accounts:create_key")
CREDENTIALS = reverse("accounts:create_credentials")
POSTAL = reverse("accounts:create_postal")
PASSWORD = "Nouveau-Compte-2020!"


@pytest.fixture
def nouveau(db):
    """Dr Paul NOUVEAU: in the référentiel, no account yet."""
    pro = ProfessionnelFactory(nom="Nouveau", prenom="Paul", nir="180019304812323", iban_fin="0140")
    LieuExerciceFactory(professionnel=pro, numero="931111116")
    return pro


@pytest.fixture
def pharmacie_nouvelle(db):
    pro = ProfessionnelFactory(
        civilite="",
        nom="",
        prenom="",
        raison_sociale="Pharmacie NOUVELLE",
        profession="pharmacien",
        nir="",
        iban_fin="",
    )
    LieuExerciceFactory(
        professionnel=pro,
        numero="930099999",
        type_numero=LieuExercice.TypeNumero.FINESS,
        adresse="12 boulevard Rouget de Lisle",
    )
    return pro


def credentials(email="paul.nouveau@exemple.fr", **overrides):
    data = {
        "email": email,
        "email_confirmation": email,
        "new_password1": PASSWORD,
        "new_password2": PASSWORD,
        "conditions": "on",
    }
    data.update(overrides)
    return data


def through_the_key(client):
    client.post(START, {"numero": "931111116"})
    return client.post(KEY, {"nir": "1 80 01 93 048 123 23", "iban_fin": "0140"})


def test_security_key_creates_an_account_that_works_once_the_email_is_validated(
    client, nouveau, mailoutbox
):
    assert client.post(START, {"numero": "931 111 116"}).url == KEY
    assert through_the_key(client).url == CREDENTIALS

    response = client.post(CREDENTIALS, credentials(), follow=True)

    assert "Valider adresse e-mail" in response.content.decode()
    user = User.objects.get(professionnel=nouveau)
    assert not user.is_active
    assert user.has_role(Role.MEDECIN)
    refused = client.post(
        reverse("accounts:login"), {"username": "931111116", "password": PASSWORD}
    )
    assert "pas encore actif" in refused.content.decode()
    assert len(mailoutbox) == 2  # signing in with the right password sends a fresh link

    assert mailoutbox[0].to == ["paul.nouveau@exemple.fr"]
    link = re.search(r"https?://\S+/compte/valider-email/\S+/", mailoutbox[0].body).group(0)
    opened = client.get(link, follow=True)
    assert "Valider adresse e-mail" in opened.content.decode()
    [(without_token, _status)] = opened.redirect_chain
    assert link.rstrip("/").rsplit("/", 1)[1] not in without_token
    client.post(without_token)

    user.refresh_from_db()
    assert user.is_active
    signed_in = client.post(
        reverse("accounts:login"), {"username": "paul.nouveau@exemple.fr", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.post(link).status_code == 400  # the link works once


def test_wrong_security_key_is_refused_and_typing_is_kept(client, nouveau):
    client.post(START, {"numero": "931111116"})

    response = client.post(KEY, {"nir": "1 80 01 93 048 123 23", "iban_fin": "9999"})

    html = response.content.decode()
    assert "ne correspondent pas" in html
    assert 'value="1 80 01 93 048 123 23"' in html
    assert client.get(CREDENTIALS).url == START


def test_security_key_accepts_the_13_digits_without_the_key(client, nouveau):
    client.post(START, {"numero": "931111116"})

    response = client.post(KEY, {"nir": "1 80 01 93 048 123", "iban_fin": "0140"})

    assert response.status_code == 302
    assert response.url == CREDENTIALS


def test_security_key_form_accepts_the_example_it_shows(client, nouveau):
    client.post(START, {"numero": "931111116"})
    page = client.get(KEY).content.decode()
    example = re.search(r"Exemple : ([\d ]+)", page).group(1).strip()

    form = SecurityKeyForm({"nir": example, "iban_fin": "0140"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["nir"] == "269054958815780"


@pytest.mark.parametrize(
    ("nir", "message"),
    [
        ("1 80 01 93 048 123 24", "La clé du NIR ne correspond pas au numéro"),
        ("1 80 01 93 048 12", "13 chiffres, ou 15 avec la clé"),
        ("1 80 01 93 048 123 2", "13 chiffres, ou 15 avec la clé"),
        ("1 80 01 93 048 123 2A", "13 chiffres, ou 15 avec la clé"),
        ("1 80 01 93 0X8 123", "13 chiffres, ou 15 avec la clé"),
    ],
)
def test_security_key_says_what_is_wrong_with_the_nir_and_keeps_it(client, nouveau, nir, message):
    client.post(START, {"numero": "931111116"})

    response = client.post(KEY, {"nir": nir, "iban_fin": "0140"})

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'value="{nir}"' in html
    nouveau.refresh_from_db()
    assert nouveau.cle_echecs == 0  # a typing error is not a guess


def test_security_key_is_throttled_after_three_wrong_keys(client, nouveau):
    client.post(START, {"numero": "931111116"})
    for _ in range(3):
        client.post(KEY, {"nir": "180019304812323", "iban_fin": "0000"})

    response = client.post(KEY, {"nir": "180019304812323", "iban_fin": "0140"})

    assert "Trop d&#x27;essais" in response.content.decode()


def test_invalid_nir_gets_the_same_french_message_per_cause_as_every_other_screen(client, nouveau):
    client.post(START, {"numero": "931111116"})

    short = client.post(KEY, {"nir": "1234", "iban_fin": "0140"}).content.decode()
    wrong_key = client.post(
        KEY, {"nir": "2 69 05 49 588 157 81", "iban_fin": "0140"}
    ).content.decode()

    assert "Le NIR doit comporter 13 chiffres, ou 15 avec la clé" in short
    assert "La clé du NIR ne correspond pas au numéro" in wrong_key


def test_credentials_form_checks_pairs_rules_and_conditions(client, nouveau):
    through_the_key(client)

    response = client.post(
        CREDENTIALS,
        credentials(email_confirmation="autre@exemple.fr", new_password1="faible", conditions=""),
    )

    html = response.content.decode()
    assert "Les deux adresses e-mail ne sont pas identiques" in html
    assert "Vous devez accepter les conditions juridiques" in html
    assert not User.objects.filter(professionnel=nouveau).exists()


def test_establishment_is_not_offered_the_security_key(client, pharmacie_nouvelle):
    response = client.post(START, {"numero": "930099999"})

    assert response.url == POSTAL
    assert client.get(KEY).url == POSTAL
    assert "clé de sécurité n'est pas disponible" in client.get(POSTAL).content.decode()


def test_unknown_number_and_existing_account_are_explained(client, nouveau, docteur):
    unknown = client.post(START, {"numero": "939999999"}).content.decode()
    existing = client.post(START, {"numero": "931234561"}).content.decode()
    malformed = client.post(START, {"numero": "12"}).content.decode()

    assert "pas connu de nos référentiels" in unknown
    assert "Un compte existe déjà" in existing
    assert "9 caractères" in malformed


def test_postal_mode_puts_an_a4_letter_in_the_outbox_and_the_password_works_once(
    client, pharmacie_nouvelle, admin_client
):
    client.post(START, {"numero": "930099999"})

    response = client.post(
        POSTAL,
        {
            "email": "pharmacie.nouvelle@exemple.fr",
            "email_confirmation": "pharmacie.nouvelle@exemple.fr",
            "conditions": "on",
        },
        follow=True,
    )

    assert "12 boulevard Rouget de Lisle" in response.content.decode()
    courrier = CourrierPostal.objects.get()
    pdf = bytes(courrier.pdf)
    assert pdf.startswith(b"%PDF")
    temporary = _password_in_letter(pdf)
    user = courrier.user
    assert user.has_role(Role.PHARMACIEN)
    assert user.doit_changer_mot_de_passe
    pdf_link = reverse("admin:accounts_courrierpostal_pdf", args=[courrier.pk])
    assert admin_client.get(pdf_link)["Content-Type"] == "application/pdf"  # to print it
    from fiches.audit import AuditLog

    assert AuditLog.objects.for_object(courrier).filter(action="admin.letter_downloaded").exists()

    first = client.post(reverse("accounts:login"), {"username": "930099999", "password": temporary})
    assert first.status_code == 302
    assert client.get(reverse("tracing:home")).url == reverse("accounts:nouveau_mot_de_passe")
    chosen = client.post(
        reverse("accounts:nouveau_mot_de_passe"),
        {
            "email": "pharmacie.nouvelle@exemple.fr",
            "email_confirmation": "pharmacie.nouvelle@exemple.fr",
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
    )
    assert chosen.status_code == 302, chosen.content.decode()
    client.logout()
    again = client.post(reverse("accounts:login"), {"username": "930099999", "password": temporary})
    assert again.status_code == 200
    assert (
        client.post(
            reverse("accounts:login"), {"username": "930099999", "password": PASSWORD}
        ).status_code
        == 302
    )

    assert (
        pdf_link
        in admin_client.get(reverse("admin:accounts_courrierpostal_changelist")).content.decode()
    )
    # Used: the letter's PDF (a temporary password in clear) is no longer kept.
    courrier.refresh_from_db()
    assert courrier.utilise_le is not None and bytes(courrier.pdf) == b""
    assert admin_client.get(pdf_link).status_code == 302


def test_only_the_letter_holder_chooses_the_postal_accounts_email(
    client, pharmacie_nouvelle, mailoutbox
):
    """AM and FINESS numbers are public: whoever asked for the letter may be an attacker who
    typed their own address. They must not get the account without the letter."""
    client.post(START, {"numero": "930099999"})
    client.post(
        POSTAL,
        {
            "email": "attaquant@exemple.fr",
            "email_confirmation": "attaquant@exemple.fr",
            "conditions": "on",
        },
    )
    user = User.objects.get(professionnel=pharmacie_nouvelle)
    assert user.email == ""

    client.post(reverse("accounts:password_forgotten"), {"identifiant": "930099999"})
    client.post(reverse("accounts:password_forgotten"), {"identifiant": "attaquant@exemple.fr"})
    assert mailoutbox == []

    temporary = _password_in_letter(bytes(CourrierPostal.objects.get().pdf))
    client.post(reverse("accounts:login"), {"username": "930099999", "password": temporary})
    client.post(
        reverse("accounts:nouveau_mot_de_passe"),
        {
            "email": "p@exemple.fr",
            "email_confirmation": "p@exemple.fr",
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
    )
    assert [message.to for message in mailoutbox] == [["p@exemple.fr"]]
    link = re.search(r"https?://\S+/compte/valider-email/\S+/", mailoutbox[0].body).group(0)
    client.post(link)
    user.refresh_from_db()
    assert user.email == "p@exemple.fr"


def test_first_sign_in_pages_are_closed_once_their_step_is_done(client, docteur):
    """They change identifiers without the current password: only at their step."""
    client.force_login(docteur)
    before = docteur.password

    for name, data in [
        ("accounts:nouveau_mot_de_passe", {"new_password1": "Autre-Mdp-2020!"}),
        ("accounts:declarer_identifiants", {"email": "pirate@exemple.fr"}),
    ]:
        data = {
            **data,
            "new_password2": "Autre-Mdp-2020!",
            "email_confirmation": "pirate@exemple.fr",
        }
        response = client.post(reverse(name), data)
        assert response.status_code == 302
        assert response.url == reverse("tracing:home")

    docteur.refresh_from_db()
    assert docteur.password == before
    assert docteur.email_en_attente == ""


def test_temporary_password_is_spent_even_when_no_new_one_is_chosen(client, pharmacie_nouvelle):
    client.post(START, {"numero": "930099999"})
    client.post(
        POSTAL,
        {"email": "p@exemple.fr", "email_confirmation": "p@exemple.fr", "conditions": "on"},
    )
    temporary = _password_in_letter(bytes(CourrierPostal.objects.get().pdf))
    client.post(reverse("accounts:login"), {"username": "930099999", "password": temporary})
    client.logout()

    again = client.post(reverse("accounts:login"), {"username": "930099999", "password": temporary})

    assert again.status_code == 200


def test_creation_is_recorded_as_a_security_event(client, nouveau):
    through_the_key(client)
    client.post(CREDENTIALS, credentials())

    user = User.objects.get(professionnel=nouveau)
    assert SecurityEvent.objects.filter(user=user, action="account.created").exists()


def test_email_already_used_is_refused(client, nouveau, docteur):
    through_the_key(client)

    response = client.post(CREDENTIALS, credentials(email=docteur.email))

    assert "déjà utilisée" in response.content.decode()
    assert not User.objects.filter(professionnel=nouveau).exists()


def _password_in_letter(pdf):
    """Read the temporary password back from the PDF, as the professional reads the letter."""
    import shutil
    import subprocess

    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is needed to read the letter")
    text = subprocess.run(  # noqa: S603
        [pdftotext, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    lines = [line.strip() for line in text.splitlines()]
    index = lines.index(next(line for line in lines if "mot de passe provisoire :" in line))
    return next(line for line in lines[index + 1 :] if line)


@pytest.mark.parametrize("iban_fin", ["€€€€", "0 14", "ab-1"])
def test_a_malformed_iban_end_gets_a_french_message_not_an_error_page(client, nouveau, iban_fin):
    client.post(START, {"numero": "931111116"})

    response = client.post(KEY, {"nir": "1 80 01 93 048 123 23", "iban_fin": iban_fin})

    assert response.status_code == 200
    assert "Saisissez les 4 derniers caractères de votre IBAN" in response.content.decode()


# --- Enumeration and forced postal mode (issue 12, 8) --------------------------------------------


def test_creation_tries_are_limited_per_number(client, nouveau, settings):
    settings.ACCOUNT_CREATION_PER_NUMBER = 3
    for _ in range(3):
        assert client.post(START, {"numero": "931111116"}).status_code == 302

    refused = client.post(START, {"numero": "931111116"})

    assert refused.status_code == 429
    assert "Trop de tentatives de création de compte" in refused.content.decode()


def test_creation_tries_are_limited_per_address_whatever_the_numbers(client, db, settings):
    settings.ACCOUNT_CREATION_PER_IP = 5
    answers = [
        client.post(START, {"numero": f"93{n:07d}"}, REMOTE_ADDR="198.51.100.4").status_code
        for n in range(6)
    ]
    other_address = client.post(START, {"numero": "930000077"}, REMOTE_ADDR="198.51.100.5")

    assert answers[:5] == [200] * 5 and answers[5] == 429  # unknown numbers: the form again
    assert other_address.status_code == 200


def _postal_for_the_doctor(client):
    client.post(START, {"numero": "931111116"})
    email = "intrus@exemple.fr"
    return client.post(POSTAL, {"email": email, "email_confirmation": email, "conditions": "on"})


def test_a_letter_asked_by_anyone_does_not_stop_the_doctor_creating_the_account_by_key(
    client, nouveau, mailoutbox
):
    assert _postal_for_the_doctor(Client()).status_code == 302
    courrier = CourrierPostal.objects.get()
    temporary = _password_in_letter(bytes(courrier.pdf))

    assert through_the_key(client).url == CREDENTIALS
    assert client.post(CREDENTIALS, credentials()).status_code == 302

    courrier.refresh_from_db()
    assert courrier.annule_le is not None and bytes(courrier.pdf) == b""
    user = User.objects.get(professionnel=nouveau)
    assert user.email_en_attente == "paul.nouveau@exemple.fr"
    assert not user.check_password(temporary)  # the letter no longer opens the account
    assert User.objects.filter(professionnel=nouveau).count() == 1


def test_once_the_letter_is_used_the_key_can_no_longer_create_the_account(client, nouveau):
    _postal_for_the_doctor(Client())
    courrier = CourrierPostal.objects.get()
    holder = Client()
    temporary = _password_in_letter(bytes(courrier.pdf))
    holder.post(reverse("accounts:login"), {"username": "931111116", "password": temporary})

    response = client.post(START, {"numero": "931111116"})

    assert response.status_code == 200
    assert "Un compte existe déjà" in response.content.decode()

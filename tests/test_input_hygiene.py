"""Odd input gets a French message next to its field, never a 500 nor a silently wrong value."""

import importlib

import pytest
from django import forms
from django.urls import reverse
from django.utils.html import escape

from contactcovid.forms import INVISIBLE_MESSAGE, SafeTextMixin, has_invisible_characters
from fiches.models import Fiche

NEW_PZ = {"nir": "1 85 05 78 006 084 91", "nom": "Shneidez", "prenom": "Kevan",
          "information_patient": "on", "collectivite": "non", "action": "valider"}  # fmt: skip


def all_forms():
    for module in ("accounts.forms", "fiches.forms", "tracing.forms", "api.forms", "api.admin"):
        for name, value in vars(importlib.import_module(module)).items():
            form = isinstance(value, type) and issubclass(value, forms.BaseForm)
            if form and value.__module__ == module:
                yield name, value


def test_every_form_of_the_service_refuses_invisible_characters():
    found = dict(all_forms())

    assert len(found) > 20
    assert [name for name, form in found.items() if not issubclass(form, SafeTextMixin)] == []


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("Dupont", False),
        ("Vue le 3 mai\r\nTousse\tdepuis hier", False),
        ("Benoît Œdipe-Müller", False),
        ("Dupont\u202e", True),  # right-to-left override
        ("Du\x01pont", True),
        ("Dupont\x7f", True),
        ("Du\u200bpont", True),  # zero-width space
        ("\u2066Dupont\u2069", True),  # isolates
    ],
)
def test_invisible_characters_are_told_apart_from_accents_and_line_breaks(text, refused):
    assert has_invisible_characters(text) is refused


@pytest.mark.parametrize("bad", ["\u202e", "\x01", "\x7f", "\u200b"])
def test_a_name_with_an_invisible_character_is_refused_next_to_the_field_and_kept(
    client, medecin, bad
):
    client.force_login(medecin)

    response = client.post(
        reverse("tracing:patient_zero_create"), {**NEW_PZ, "nom": f"Dup{bad}ont"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    # next to the field, and announced with it
    assert 'aria-describedby="id_nom_error"' in html
    message = escape(str(INVISIBLE_MESSAGE))
    assert f'id="id_nom_error"><div>{message}</div>' in html
    assert 'value="Shneidez"' not in html and "Dup" in html
    assert not Fiche.objects.exists()


def test_fullwidth_digits_are_read_as_the_digits_they_are(client, medecin):
    client.force_login(medecin)
    data = {**NEW_PZ, "nir": "１ ８５ ０５ ７８ ００６ ０８４ ９１", "code_postal": "９３１００",
            "commune": "Montreuil"}  # fmt: skip

    response = client.post(reverse("tracing:patient_zero_create"), data)

    assert response.status_code == 302
    fiche = Fiche.objects.get()
    assert (fiche.nir, fiche.code_postal, fiche.departement) == ("185057800608491", "93100", "93")


@pytest.mark.parametrize("code_postal", ["9310½", "93 1OO", "٩٣١٠٠"])
def test_a_code_postal_that_is_not_five_digits_is_refused(client, medecin, code_postal):
    client.force_login(medecin)

    response = client.post(
        reverse("tracing:patient_zero_create"), {**NEW_PZ, "code_postal": code_postal}
    )

    assert response.status_code == 200
    assert "Le code postal comporte 5 chiffres" in response.content.decode()
    assert not Fiche.objects.exists()


def test_a_superscript_cursor_in_the_list_is_no_500(client, medecin):
    import base64

    client.force_login(medecin)
    cursor = base64.urlsafe_b64encode("2020-05-09T17:14:00+02:00|1²".encode()).decode()

    response = client.get(reverse("tracing:home"), {"apres": cursor})

    assert response.status_code == 200

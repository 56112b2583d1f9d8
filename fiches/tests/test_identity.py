import pytest
from django.core.exceptions import ValidationError

from fiches import identity


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("1 85 05 78 006 084 91", "185057800608491"),
        ("2 69 05 49 588 157 80", "269054958815780"),
        ("1850578006084", "1850578006084"),
        ("", ""),
    ],
)
def test_nir_is_stored_without_spaces(typed, stored):
    assert identity.normalize_nir(typed) == stored


def test_corsican_nir_key_counts_2a_as_19():
    body = "159032A012345"
    nir = body + identity.nir_key(body)
    assert identity.normalize_nir(nir) == nir
    assert identity.nir_key(body) == identity.nir_key("1590319012345")


@pytest.mark.parametrize("typed", ["1 85 05 78 006 084 92", "12345", "9850578006084", "1850X"])
def test_invalid_nir_gets_a_french_message(typed):
    with pytest.raises(ValidationError) as error:
        identity.normalize_nir(typed)
    assert "NIR" in str(error.value)


def test_phone_is_stored_in_e164_and_shown_the_french_way():
    stored = identity.normalize_phone("01 43 43 43 43")
    assert stored == "+33143434343"
    assert identity.format_phone(stored) == "01 43 43 43 43"


def test_bad_phone_is_refused():
    with pytest.raises(ValidationError):
        identity.normalize_phone("01 43")


@pytest.mark.parametrize(
    "code_postal, departement",
    [("75011", "75"), ("20000", "2A"), ("20190", "2A"), ("20200", "2B"), ("97400", "974"),
     ("01000", "01")],
)  # fmt: skip
def test_code_postal_gives_the_departement(code_postal, departement):
    assert identity.departement_from_code_postal(code_postal) == departement


def test_names_are_compared_without_case_or_accents():
    assert identity.normalize_name("  Célia  Lætitia ") == "celia laetitia"


def test_nir_is_masked_in_lists():
    assert identity.mask_nir("185057800608491") == "1 85 05"

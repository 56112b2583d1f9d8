import pytest
from django.core.exceptions import ValidationError

from fiches import identity
from fiches.identity import departement_from_code_postal, normalize_code_postal


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


@pytest.mark.parametrize(
    ("typed", "stored", "departement"),
    [("93", "93", "93"), ("2a", "2A", "2A"), ("971", "971", "971"), ("93 100", "93100", "93"),
     ("01", "01", "01"), ("95", "95", "95")],
)  # fmt: skip
def test_a_contacts_departement_alone_is_accepted_and_gives_the_departement(
    typed, stored, departement
):
    value = normalize_code_postal(typed, departement_accepted=True)

    assert (value, departement_from_code_postal(value)) == (stored, departement)


@pytest.mark.parametrize("typed", ["20", "96", "977", "00", "9", "2C"])
def test_what_is_no_departement_nor_code_postal_is_refused_in_french(typed):
    with pytest.raises(ValidationError, match="ou un département"):
        normalize_code_postal(typed, departement_accepted=True)


def test_a_patient_zeros_code_postal_still_has_five_digits():
    with pytest.raises(ValidationError, match="5 chiffres"):
        normalize_code_postal("93")

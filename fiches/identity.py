"""Identity values of a fiche, checked and normalised once, at the edge of the domain.

Each function takes what a person typed and returns the value stored, or raises a
`ValidationError` with a French message the form shows next to the field.
"""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as stdnum_nir

# Sex digit (1, 2; 3, 4, 7, 8 for temporary numbers), year, month, département (2 digits or
# Corsica's 2A/2B), commune, order: 13 characters; the 2-digit key makes 15.
_NIR_BODY = re.compile(r"^[1-478][0-9]{4}([0-9]{2}|2A|2B)[0-9]{6}$")


def ascii_form(value: str) -> str:
    """NFKC: the digits and letters a keyboard, a phone or a copy-paste may give in another form
    ("９３１００", "²") become plain ASCII ones; what stays non-ASCII is then refused."""
    return unicodedata.normalize("NFKC", value or "")


def normalize_nir(value: str) -> str:
    """A NIR without spaces, 13 characters or 15 with a key that must be right."""
    compact = re.sub(r"[\s.\-]", "", ascii_form(value)).upper()
    if not compact:
        return ""
    if len(compact) not in (13, 15) or not _NIR_BODY.match(compact[:13]):
        raise ValidationError(
            _(
                "Le NIR doit comporter 13 chiffres, ou 15 avec la clé "
                "(ex. : 1 85 05 78 006 084 91)."
            ),
            code="nir_format",
        )
    if len(compact) == 15:
        if not re.fullmatch(r"[0-9]{2}", compact[13:]):
            raise ValidationError(_("La clé du NIR doit comporter 2 chiffres."), code="nir_format")
        try:
            stdnum_nir.validate(compact)
        except StdnumError:
            raise ValidationError(
                _("La clé du NIR ne correspond pas au numéro : vérifiez la saisie."),
                code="nir_key",
            ) from None
    return compact


def nir_key(nir13: str) -> str:
    """The 2-digit key of a 13-character NIR (Corsica 2A/2B counts as 19/18)."""
    return stdnum_nir.calc_check_digits(nir13)


def format_nir(nir: str) -> str:
    """1 85 05 78 006 084 91, as printed on a carte Vitale."""
    if not nir:
        return ""
    parts = [nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:15]]
    return " ".join(part for part in parts if part)


def mask_nir(nir: str) -> str:
    """The beginning of the NIR only, as the guide's lists show it ("1 85 05")."""
    return format_nir(nir[:5]) if nir else ""


def normalize_phone(value: str) -> str:
    """A French phone number in E.164 ("+33143434343"), from "01 43 43 43 43" or "+33 1…"."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Numéro de téléphone invalide (ex. : 01 43 43 43 43 ou 06 12 34 56 78)."),
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    """The stored E.164 number as a French person reads it: 01 43 43 43 43."""
    if not value:
        return ""
    number = phonenumbers.parse(value, "FR")
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# A département's code: 01–95 (Corsica is 2A and 2B, not 20), 971–976 overseas.
_DEPARTEMENT = re.compile(r"0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6]")


def is_departement(code: str) -> bool:
    return bool(_DEPARTEMENT.fullmatch(code or ""))


def normalize_code_postal(value: str, *, departement_accepted: bool = False) -> str:
    """A 5-digit code postal; with `departement_accepted` (a contact: "il habite dans le 93"),
    a département code alone too (93, 2A, 971), which then gives the département."""
    value = re.sub(r"\s", "", ascii_form(value)).upper()
    if not value:
        return ""
    if departement_accepted and is_departement(value):
        return value
    if not re.fullmatch(r"[0-9]{5}", value) or value.startswith("00"):
        message = (
            _("Indiquez un code postal de 5 chiffres (ex. : 75011) ou un département (ex. : 93, "
              "2A, 971).")
            if departement_accepted
            else _("Le code postal comporte 5 chiffres (ex. : 75011).")
        )  # fmt: skip
        raise ValidationError(message, code="code_postal")
    if departement_from_code_postal(value) == "":
        raise ValidationError(_("Ce code postal n'existe pas."), code="code_postal")
    return value


def departement_from_code_postal(code_postal: str) -> str:
    """The département of a postcode (2A/2B for Corsica, 971…976 overseas), or of a contact's
    département typed alone."""
    if is_departement(code_postal):
        return code_postal
    if not code_postal or len(code_postal) != 5:
        return ""
    if code_postal.startswith("20"):
        return "2A" if code_postal[2] in "01" else "2B"
    if code_postal.startswith("97"):
        return code_postal[:3] if code_postal[2] in "123456" else ""
    if code_postal.startswith("98"):
        return ""  # collectivités d'outre-mer: no département
    return code_postal[:2]


# The stored searchable form's length (fiches.Fiche.nom_normalise): "œ" → "oe" may lengthen a
# name, so the form is cut there; searches, by prefix or exact, cut what they compare the same way.
NAME_SEARCH_LENGTH = 100


def normalize_name(value: str) -> str:
    """What searches compare: lowercase, no accents, single spaces ("Célia" → "celia")."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    spaced = " ".join(stripped.lower().replace("œ", "oe").replace("æ", "ae").split())
    return spaced[:NAME_SEARCH_LENGTH]

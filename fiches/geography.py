"""French geography for routing fiches: postcode → département → région.

The régions come from pycountry's ISO 3166-2 data, with its special cases: Paris is FR-75C, the
Lyon metropolis FR-69M (its postcodes are Rhône's, 69), Corsica's départements belong to FR-20R,
and each overseas département (971…976) is its own région.
"""

import re
from functools import cache

import pycountry

_POSTCODE = re.compile(r"^\d{5}$")
_SPECIAL_SUBDIVISIONS = {"75": "FR-75C"}


def departement_from_postcode(postcode):
    """'93100' → '93', '20090' → '2A', '20200' → '2B', '97110' → '971'; None when malformed."""
    postcode = (postcode or "").strip().replace(" ", "")
    if not _POSTCODE.match(postcode):
        return None
    if postcode.startswith("20"):
        return "2A" if postcode[2] in "01" else "2B"
    if postcode.startswith("97") or postcode.startswith("98"):
        return postcode[:3]
    return postcode[:2]


@cache
def region_for_departement(departement):
    """The ISO 3166-2 code of the département's région ('93' → 'FR-IDF'), or None if unknown."""
    if not departement:
        return None
    code = _SPECIAL_SUBDIVISIONS.get(departement, f"FR-{departement}")
    subdivision = pycountry.subdivisions.get(code=code)
    if subdivision is None:
        return None
    return subdivision.parent_code or subdivision.code


@cache
def departements_of_region(region):
    """Every département code of a région ('FR-20R' → {'2A', '2B'}), for scoping ARS agents."""
    codes = set()
    for subdivision in pycountry.subdivisions.get(country_code="FR"):
        code = subdivision.code.removeprefix("FR-")
        if code == "75C":
            code = "75"
        if not re.fullmatch(r"\d{2,3}|2[AB]", code):
            continue
        if region_for_departement(code) == region:
            codes.add(code)
    return frozenset(codes)


@cache
def region_name(region):
    subdivision = pycountry.subdivisions.get(code=region)
    return subdivision.name if subdivision else region

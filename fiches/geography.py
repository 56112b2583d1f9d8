"""French geography for routing fiches: département → région (the postcode gives the
département in `fiches.identity.departement_from_code_postal`).

The régions come from pycountry's ISO 3166-2 data, with its special cases: Paris is FR-75C, the
Lyon metropolis FR-69M (its postcodes are Rhône's, 69), Corsica's départements belong to FR-20R,
and each overseas département (971…976) is its own région.
"""

import re
import unicodedata
from functools import cache

import pycountry

_SPECIAL_SUBDIVISIONS = {"75": "FR-75C"}


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
        if not re.fullmatch(r"[0-9]{2,3}|2[AB]", code):
            continue
        if region_for_departement(code) == region:
            codes.add(code)
    return frozenset(codes)


@cache
def region_name(region):
    subdivision = pycountry.subdivisions.get(code=region)
    return subdivision.name if subdivision else region


@cache
def departement_name(departement):
    """'93' → 'Seine-Saint-Denis' (the code itself when unknown)."""
    code = _SPECIAL_SUBDIVISIONS.get(departement, f"FR-{departement}")
    subdivision = pycountry.subdivisions.get(code=code) if departement else None
    return subdivision.name if subdivision else departement


@cache
def all_regions() -> tuple[str, ...]:
    """The ISO 3166-2 codes of the régions that have départements, sorted by name."""
    regions = set()
    for subdivision in pycountry.subdivisions.get(country_code="FR"):
        code = subdivision.code.removeprefix("FR-")
        if code == "75C":
            code = "75"
        if re.fullmatch(r"[0-9]{2,3}|2[AB]", code):
            region = region_for_departement(code)
            if region:
                regions.add(region)
    return tuple(sorted(regions, key=lambda code: unicodedata.normalize("NFKD", region_name(code))))

import pytest

from fiches.geography import (
    departements_of_region,
    region_for_departement,
    region_name,
)


@pytest.mark.parametrize(
    ("departement", "region"),
    [
        ("93", "FR-IDF"),
        ("75", "FR-IDF"),
        ("69", "FR-ARA"),
        ("2A", "FR-20R"),
        ("2B", "FR-20R"),
        ("971", "FR-971"),
        ("976", "FR-976"),
        ("99", None),
        (None, None),
    ],
)
def test_departement_belongs_to_its_region(departement, region):
    assert region_for_departement(departement) == region


def test_a_region_lists_its_departements():
    assert departements_of_region("FR-IDF") == {"75", "77", "78", "91", "92", "93", "94", "95"}
    assert departements_of_region("FR-20R") == {"2A", "2B"}
    assert region_name("FR-IDF") == "Île-de-France"

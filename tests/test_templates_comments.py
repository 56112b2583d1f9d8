"""A template comment never reaches the page: `{# #}` is one line only in Django, a longer one
showed its text on the doctor's form (issue 14's walk-through)."""

from pathlib import Path

from django.conf import settings


def test_no_template_has_a_comment_spread_over_lines():
    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
    opened = []
    for root in roots:
        for template in root.rglob("*.html"):
            for number, line in enumerate(template.read_text().splitlines(), start=1):
                if line.count("{#") > line.count("#}"):
                    opened.append(f"{template.relative_to(settings.BASE_DIR)}:{number}")

    assert not opened, opened


def test_the_doctors_form_shows_no_template_comment(client, medecin):
    client.force_login(medecin)

    html = client.get("/fiches/nouveau-patient-zero/").content.decode()

    assert "{#" not in html and "#}" not in html and "Enter in any field" not in html

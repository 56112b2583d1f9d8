"""The "Formulaire de contact" (guide § 3–4): an A4 PDF the patient zéro fills in by hand with
the people they met, to hand back to their doctor."""

from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from fiches.models import Fiche

STYLESHEET = Path(__file__).parent / "pdf" / "formulaire_contact.css"
ROWS = 10


@cache
def _stylesheet():
    """Parsed once per process: WeasyPrint's CSS parsing is not free."""
    from weasyprint import CSS

    return CSS(filename=str(STYLESHEET))


def formulaire_contact_pdf(*, fiche: Fiche | None, medecin) -> bytes:
    """The form, headed with the patient zéro's and the doctor's names (blank without fiche)."""
    from weasyprint import HTML

    html = render_to_string(
        "fiches/formulaire_contact.html",
        {
            "fiche": fiche,
            "medecin": medecin,
            "rows": range(ROWS),
            "today": timezone.localdate(),
        },
    )
    return HTML(string=html).write_pdf(stylesheets=[_stylesheet()])

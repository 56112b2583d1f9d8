"""The "Formulaire de contact" (guide § 3–4): an A4 PDF the patient zéro fills in by hand with
the people they met, to hand back to their doctor."""

import threading
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from fiches.models import Fiche

STYLESHEET = Path(__file__).parent / "pdf" / "formulaire_contact.css"
ROWS = 10


_local = threading.local()


def _renderer():
    """One font configuration and the parsed stylesheet per thread, kept for its life: a new
    FontConfiguration per render leaks fontconfig memory (≈ 240 KB a PDF, WeasyPrint #2130,
    #2319) and costs time; WeasyPrint objects are not shared between threads (gunicorn's
    gthread workers render in several)."""
    if not hasattr(_local, "fonts"):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        _local.fonts = FontConfiguration()
        _local.stylesheet = CSS(filename=str(STYLESHEET), font_config=_local.fonts)
    return _local.fonts, _local.stylesheet


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
    fonts, stylesheet = _renderer()
    return HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts)

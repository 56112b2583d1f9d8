"""The "Formulaire de contact" (guide § 3–4): an A4 PDF the patient zéro fills in by hand with
the people they met, to hand back to their doctor."""

import threading
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from fiches.models import Fiche

STYLESHEET = Path(__file__).parent / "pdf" / "formulaire_contact.css"
ROWS = 10


_lock = threading.Lock()
_renderer_state = {}


def _renderer():
    """One font configuration and the parsed stylesheet per process, kept for its life: a new
    FontConfiguration per render leaks fontconfig memory (≈ 240 KB a PDF, WeasyPrint #2130,
    #2319) and costs time. WeasyPrint objects are not shared between threads at the same time:
    renders take `_lock` (gunicorn's gthread workers serve other pages meanwhile). One per
    thread instead kept four copies of the fonts in each worker (+40 MB after a mixed load)."""
    if not _renderer_state:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        _renderer_state["fonts"] = fonts
        _renderer_state["stylesheet"] = CSS(filename=str(STYLESHEET), font_config=fonts)
    return _renderer_state["fonts"], _renderer_state["stylesheet"]


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
    with _lock:
        fonts, stylesheet = _renderer()
        return HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts)

"""The temporary-password letter, an A4 PDF made with WeasyPrint."""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone


def temporary_password_letter(*, lieu, password):
    from weasyprint import CSS, HTML

    html = render_to_string(
        "accounts/courrier_mot_de_passe.html",
        {
            "lieu": lieu,
            "professionnel": lieu.professionnel,
            "password": password,
            "date": timezone.localdate(),
        },
    )
    stylesheet = CSS(filename=finders.find("css/courrier.css"))
    return HTML(string=html).write_pdf(stylesheets=[stylesheet])

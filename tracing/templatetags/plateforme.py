"""A person in a platform's lists (the queue, the recalls, a search), built in Python: the
queue's page included a template per row (issue 14: includes and their ~10 variables a row
were a quarter of the page). Same markup as the former `_personne_ligne.html`; values escaped
with `html.escape`, as Django's `escape` does."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def personne_ligne(context, f) -> SafeString:
    """The name (a link to the fiche; a patient zéro says so), and who has them on the phone."""
    prefix = context.render_context.get("_plateforme_fiche_prefix")
    if prefix is None:  # reversed once per page: "/plateforme/fiches/0/" without "0/"
        prefix = escape(reverse("tracing:plateforme_fiche", args=[0])[: -len("0/")])
        context.render_context["_plateforme_fiche_prefix"] = prefix
    nom = escape(f.nom_complet or "Fiche sans nom")
    html = f'<a class="fw-semibold" href="{prefix}{int(f.pk)}/">{nom}</a>'
    if f.is_patient_zero:
        html += ' <span class="badge text-bg-secondary">Patient zéro</span>'
    if f.reservee_par_id and f.reservee_jusqua > context["now"]:
        if f.reservee_par_id == context["user"].pk:
            who = "Réservée pour vous"
        else:
            who = f"En cours de traitement par {escape(f.reservee_par.display_name)}"
        html += f'\n<span class="badge badge-reservee" data-testid="reservee">{who}</span>'
    return mark_safe(html)  # noqa: S308 — every value escaped above

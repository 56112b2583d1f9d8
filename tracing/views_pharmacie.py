"""Pharmacien: exact lookup, then mask deliveries. It sees only nom, prénom, date de naissance,
sexe, NIR and coordonnées (décret n° 2020-551), read by a selector that fetches nothing else."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Role
from fiches import selectors_tracing, services_tracing
from fiches.audit import audit_log
from fiches.models import DomainError
from fiches.models_tracing import DelivranceMasques
from tracing import lookup, submissions
from tracing.forms import MasquesForm
from tracing.policy import found_scope, get_found_fiche, role_required, visible_fields

pharmacien_required = role_required(Role.PHARMACIEN)


@pharmacien_required
def recherche(request):
    return lookup.recherche(
        request,
        template="tracing/pharmacie/recherche.html",
        personne_url="tracing:pharmacie_personne",
    )


def _page(request, fiche, *, status=200, form=None, confirmer=False):
    today = timezone.localdate()
    semaine = services_tracing.masques_de_la_semaine(fiche.pk, jour=today)
    context = {
        "semaine": semaine,
        "semaine_total": sum(d.nombre for d in semaine),
        "allocation": settings.MASQUES_PAR_SEMAINE,
        "confirmer": confirmer,
        "personne": selectors_tracing.fiche_fields(
            found_scope(request.user), pk=fiche.pk, fields=visible_fields(request.user)
        ),
        "delivrances": DelivranceMasques.objects.filter(fiche_id=fiche.pk).only(
            "id", "date", "nombre"
        ),
        "form": form or MasquesForm(initial={"date": timezone.localdate(), "nombre": 14}),
    }
    return render(request, "tracing/pharmacie/personne.html", context, status=status)


@pharmacien_required
def personne(request, pk):
    fiche = get_found_fiche(request, pk)
    audit_log(actor=request.user, action="fiche.viewed", obj=fiche, request=request)
    return _page(request, fiche)


@require_POST
@pharmacien_required
def masques(request, pk):
    fiche = get_found_fiche(request, pk)
    form = MasquesForm(request.POST)
    if form.is_valid():

        def deliver():
            services_tracing.masques_deliver(
                fiche=fiche, user=request.user, request=request, date=form.cleaned_data["date"],
                nombre=form.cleaned_data["nombre"],
                confirme=form.cleaned_data["confirmer_depassement"],
            )  # fmt: skip
            return reverse("tracing:pharmacie_personne", args=[pk])

        try:
            submissions.once(request, deliver)
        except submissions.Duplicate as duplicate:
            return submissions.already_landed(request, duplicate)
        except services_tracing.ConfirmationNeeded as needed:
            form.add_error(None, needed.message)
            return _page(request, fiche, status=409, form=form, confirmer=True)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, _("Délivrance de %s masques enregistrée.") % form.cleaned_data["nombre"]
            )
            return redirect("tracing:pharmacie_personne", pk=pk)
    return _page(request, fiche, status=400, form=form)

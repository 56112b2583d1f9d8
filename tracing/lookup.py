"""The exact lookup shared by laboratories and pharmacies: throttled per account in the
database (several app servers share the count), audited whether it finds someone or not, and
remembered in the session so that only the persons found can then be opened."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from fiches import selectors_tracing
from fiches.audit import audit_log
from fiches.models import Fiche
from tracing.forms import RecherchePersonneForm
from tracing.policy import THROTTLE_SCOPE, lookup_scope, remember_found, visible_fields
from tracing.throttle import lookup_throttle


def recherche(request, *, template: str, personne_url: str):
    form = RecherchePersonneForm(request.POST or None)
    context = {"form": form, "resultats": None, "personne_url": personne_url}
    if request.method != "POST":
        return render(request, template, context)
    throttle = lookup_throttle(user=request.user, scope=THROTTLE_SCOPE)
    if not throttle.allowed:
        audit_log(actor=request.user, action="fiche.lookup_refused", request=request)
        context["refus"] = _(
            "Trop de recherches en une minute ou dans la journée : par sécurité, votre compte "
            "est limité. Réessayez dans %(delai)s."
        ) % {"delai": throttle.delay_text}
        return render(request, template, context, status=429)
    if not form.is_valid():
        return render(request, template, context, status=400)
    data = form.cleaned_data
    critere = "nir" if data["nir"] else "nom_prenom_date_naissance"
    resultats = selectors_tracing.lookup(
        lookup_scope(request.user),
        fields=visible_fields(request.user),
        nir=data["nir"],
        nom=data["nom"],
        prenom=data["prenom"],
        date_naissance=data["date_naissance"],
    )
    if resultats:
        for row in resultats:
            audit_log(
                actor=request.user,
                action="fiche.lookup",
                obj=Fiche(pk=row["id"]),
                data={"critere": critere, "trouve": True},
                request=request,
            )
    else:
        audit_log(
            actor=request.user,
            action="fiche.lookup",
            data={"critere": critere, "trouve": False},
            request=request,
        )
    remember_found(request, [row["id"] for row in resultats])
    context["resultats"] = resultats
    return render(request, template, context)

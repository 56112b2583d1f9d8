"""The beneficiaries' référentiel seen through a patient zéro's form (doctor and conseiller).

A NIR typed there is looked up and fills in that person's identity: like the laboratories' and
pharmacies' lookups, it is throttled per account in the database and audited.
"""

from django.contrib import messages
from django.utils.translation import gettext as _

from fiches.audit import audit_log
from tracing.throttle import lookup_throttle

THROTTLE_SCOPE = "referentiel"


def lookup_allowed(request):
    """A NIR typed on a patient zéro's form is looked up in the beneficiaries' référentiel, which
    shows that person's identity: like the laboratories' and pharmacies' lookups, it is
    throttled per account (in the database) so that a stolen account cannot scrape it."""
    if not request.POST.get("nir", "").strip():
        return True
    result = lookup_throttle(user=request.user, scope=THROTTLE_SCOPE)
    if not result.allowed:
        audit_log(actor=request.user, action="beneficiaire.lookup_refused", request=request)
        messages.error(
            request,
            _(
                "Trop de recherches de NIR en une minute ou dans la journée : par sécurité, votre "
                "compte est limité. Rien n'a été enregistré ; réessayez dans %(delai)s."
            )
            % {"delai": result.delay_text},
        )
    return result.allowed


def audit_lookup(request, form):
    if request.POST.get("nir", "").strip():
        audit_log(
            actor=request.user,
            action="beneficiaire.lookup",
            obj=form.beneficiaire,
            data={"trouve": form.beneficiaire is not None},
            request=request,
        )

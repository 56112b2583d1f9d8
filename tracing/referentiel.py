"""The beneficiaries' référentiel seen through a patient zéro's form (doctor and conseiller).

A NIR typed there is looked up and fills in that person's identity: like the laboratories' and
pharmacies' lookups, it is throttled per account in the database and audited.
"""

import hmac

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.encoding import force_bytes
from django.utils.translation import gettext as _

from fiches import identity
from fiches.audit import audit_log
from tracing.throttle import lookup_throttle

THROTTLE_SCOPE = "referentiel"


# How many NIRs an account's session remembers having looked up (as keyed digests, never the NIR).
REMEMBERED_LOOKUPS = 50
_SESSION_KEY = "referentiel_lookups"


def _digest(nir13: str) -> str:
    return hmac.new(force_bytes(settings.SECRET_KEY), force_bytes(nir13), "sha256").hexdigest()[:32]


def lookup_allowed(request, *, known_nir=""):
    """A NIR typed on a patient zéro's form is looked up in the beneficiaries' référentiel, which
    shows that person's identity: like the laboratories' and pharmacies' lookups, it is
    throttled per account (in the database) so that a stolen account cannot scrape it.

    Only actual lookups count: a NIR this session has already looked up ("Rechercher l'assuré",
    then VALIDER), the fiche's own NIR (`known_nir`: an edit), or a NIR too malformed to be
    looked up reveal nothing new and cost nothing."""
    try:
        nir = identity.normalize_nir(request.POST.get("nir", ""))[:13]
    except ValidationError:
        return True
    if not nir or nir == (known_nir or "")[:13]:
        return True
    seen = request.session.get(_SESSION_KEY, [])
    digest = _digest(nir)
    if digest in seen:
        return True
    result = lookup_throttle(user=request.user, scope=THROTTLE_SCOPE)
    if result.allowed:
        request.session[_SESSION_KEY] = [*seen, digest][-REMEMBERED_LOOKUPS:]
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

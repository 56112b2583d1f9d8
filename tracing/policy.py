"""The one access policy of Contact COVID.

Every view asks this module who may do what: which pages a role reaches, which fiches a user
sees (another person's fiche is a 404, not a 403) and which fields a role may read. The rules
come from décret n° 2020-551 and the CNIL's opinion: need to know, nothing more.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from fiches.models import Fiche


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str

    @property
    def url(self):
        return reverse(self.url_name)


# What each role finds in the navigation bar. Later issues add each role's own screens.
NAVIGATION = {
    Role.MEDECIN: [NavEntry(_("Mes fiches"), "tracing:home")],
    Role.CONSEILLER: [NavEntry(_("Accueil"), "tracing:home")],
    Role.ARS: [NavEntry(_("Accueil"), "tracing:home")],
    Role.BIOLOGISTE: [NavEntry(_("Accueil"), "tracing:home")],
    Role.PHARMACIEN: [NavEntry(_("Accueil"), "tracing:home")],
    Role.ADMIN: [NavEntry(_("Administration"), "admin:index")],
}


def navigation_for(user):
    if not user.is_authenticated:
        return []
    return NAVIGATION.get(user.role, [])


# ---------------------------------------------------------------------------------------------
# Fiches: who sees and edits which.


def role_required(role):
    """A view for one role: anonymous → sign-in page, another role → 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def fiches_visible_to(user) -> QuerySet[Fiche]:
    """The fiches a user may see. A médecin: the patients zéro they declared and their contacts
    (including contacts later promoted), that is every fiche they are the doctor of. The other
    roles see nothing yet (their rules come with their screens)."""
    if not user.is_authenticated:
        return Fiche.objects.none()
    if user.has_role(Role.MEDECIN):
        return Fiche.objects.filter(medecin=user)
    return Fiche.objects.none()


def can_write(user, fiche: Fiche) -> bool:
    return user.has_role(Role.MEDECIN) and fiche.medecin_id == user.pk


def get_fiche_for_user(user, pk, *, write=False) -> Fiche:
    """The fiche if the user may see it (and edit it, with `write`); otherwise 404, so that a
    fiche's existence is not revealed to who may not see it."""
    fiche = get_object_or_404(
        fiches_visible_to(user).select_related("origine", "beneficiaire", "declarant"), pk=pk
    )
    if write and not can_write(user, fiche):
        raise Http404
    return fiche

"""The one access policy of Contact COVID.

Every view asks this module who may do what: which pages a role reaches, which fiches a user
sees (another person's fiche is a 404, not a 403) and which fields a role may read. The rules
come from décret n° 2020-551 and the CNIL's opinion: need to know, nothing more.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


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

"""The one access policy of Contact COVID.

Every view asks this module who may do what: which pages a role reaches, which fiches a user
sees (another person's fiche is a 404, not a 403) and which fields a role may read. The rules
come from décret n° 2020-551 and the CNIL's opinion: need to know, nothing more.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from fiches.geography import departements_of_region
from fiches.models import Collectivite, Fiche, Nature
from fiches.models_tracing import Prelevement
from fiches.statuses import Statut


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str

    @property
    def url(self):
        return reverse(self.url_name)


# What each role finds in the navigation bar.
NAVIGATION = {
    Role.MEDECIN: [
        NavEntry(_("Mes fiches"), "tracing:home"),
        NavEntry(_("Tableau de bord"), "tracing:indicateurs"),
    ],
    Role.CONSEILLER: [
        NavEntry(_("File d'appels"), "tracing:plateforme_file"),
        NavEntry(_("Tableau de bord"), "tracing:indicateurs"),
    ],
    Role.ARS: [
        NavEntry(_("Collectivités"), "tracing:ars_collectivites"),
        NavEntry(_("Clusters"), "tracing:ars_clusters"),
        NavEntry(_("Tableau de bord"), "tracing:indicateurs"),
    ],
    Role.BIOLOGISTE: [NavEntry(_("Rechercher une personne"), "tracing:laboratoire_recherche")],
    Role.PHARMACIEN: [NavEntry(_("Rechercher une personne"), "tracing:pharmacie_recherche")],
    Role.ADMIN: [
        NavEntry(_("Tableau de bord"), "tracing:indicateurs"),
        NavEntry(_("Administration"), "admin:index"),
    ],
}


def navigation_for(user):
    if not user.is_authenticated:
        return []
    return NAVIGATION.get(user.role, [])


# ---------------------------------------------------------------------------------------------
# Fiches: who sees and edits which.


def role_required(*roles):
    """A view for one role (or a few): anonymous → sign-in page, another role → 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_role(role) for role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _affectation(user):
    try:
        return user.affectation
    except ObjectDoesNotExist:
        return None


def departements_of(user) -> list[str]:
    """The départements a conseiller plateforme covers (its caisse's, set by an admin)."""
    affectation = _affectation(user)
    return affectation.departements_list if affectation else []


def region_of(user) -> str:
    """The région (ISO 3166-2 code) of an agent ARS, or ""."""
    affectation = _affectation(user)
    return affectation.region if affectation else ""


def fiches_visible_to(user) -> QuerySet[Fiche]:
    """The fiches a user may browse.

    - médecin: the patients zéro they declared and their contacts (including contacts later
      promoted), that is every fiche they are the doctor of;
    - conseiller plateforme: the fiches living in the départements of its caisse;
    - agent ARS: the fiches of its région whose patient exposed a collectivité;
    - biologiste, pharmacien: none — they only find one person by an exact lookup
      (`lookup_scope`), never browse;
    - anyone else: none.
    """
    if not user.is_authenticated:
        return Fiche.objects.none()
    if user.has_role(Role.MEDECIN):
        return Fiche.objects.filter(medecin=user)
    if user.has_role(Role.CONSEILLER):
        departements = departements_of(user)
        return Fiche.objects.filter(departement__in=departements, brouillon=False)
    if user.has_role(Role.ARS):
        departements = departements_of_region(region_of(user)) if region_of(user) else []
        return Fiche.objects.filter(departement__in=sorted(departements), brouillon=False).exclude(
            collectivite=Collectivite.NON
        )
    return Fiche.objects.none()


def can_write(user, fiche: Fiche) -> bool:
    """Edit the fiche itself: its doctor, or a conseiller of its département (calls, phone,
    closing). The ARS reads fiches (it only creates contacts, by importing a list on one of its
    clusters: `views_imports.importer_cluster`); laboratories and pharmacies write only their
    own records."""
    if user.has_role(Role.MEDECIN):
        return fiche.medecin_id == user.pk
    if user.has_role(Role.CONSEILLER):
        return fiche.departement in departements_of(user)
    return False


def get_fiche_for_user(user, pk, *, write=False) -> Fiche:
    """The fiche if the user may see it (and edit it, with `write`); otherwise 404, so that a
    fiche's existence is not revealed to who may not see it."""
    fiche = get_object_or_404(
        fiches_visible_to(user).select_related("origine", "beneficiaire", "declarant"), pk=pk
    )
    if write and not can_write(user, fiche):
        raise Http404
    return fiche


# ---------------------------------------------------------------------------------------------
# Laboratories and pharmacies: one person at a time, found by an exact lookup.

LOOKUP_ROLES = (Role.BIOLOGISTE, Role.PHARMACIEN)
THROTTLE_SCOPE = "recherche_personne"
_FOUND_SESSION_KEY = "fiches_trouvees"
_FOUND_MAX = 10

# What each role may read of a fiche it found (décret n° 2020-551). The selectors fetch these
# columns only, so nothing else can reach a template.
IDENTITE_COORDONNEES = (
    "id", "nir", "nom", "prenom", "date_naissance", "telephone", "email", "voie",
    "code_postal", "commune", "beneficiaire__sexe",
)  # fmt: skip
VISIBLE_FIELDS = {
    Role.PHARMACIEN: IDENTITE_COORDONNEES,
    Role.BIOLOGISTE: (*IDENTITE_COORDONNEES, "prelevement_domicile", "destinataire_resultats"),
}


def lookup_scope(user) -> QuerySet[Fiche]:
    """The fiches a laboratory or a pharmacy may find by exact lookup, as the guide gives them
    (décret 2020-551): validated and open *contacts*; the laboratory also the patients zéro
    waiting for their test (its result confirms or closes that fiche). A patient zéro whose
    diagnosis is made is neither's business."""
    open_fiches = Fiche.objects.filter(brouillon=False).exclude(statut=Statut.CLOTURE)
    if user.has_role(Role.BIOLOGISTE):
        return open_fiches.filter(Q(nature=Nature.CONTACT) | Q(statut=Statut.EN_ATTENTE))
    if user.has_role(Role.PHARMACIEN):
        return open_fiches.filter(nature=Nature.CONTACT)
    return Fiche.objects.none()


def resultats_scope(client) -> QuerySet[Fiche]:
    """The fiches a laboratory's system (an API client, issue 16) may record a result on: every
    open, validated fiche — a positive result must reach a patient zéro whose diagnosis is already
    made rather than create a second one. Nothing is listed or returned: a fiche is found only by
    the person's exact identity, and the answer says what the result did, not what the fiche
    holds. A revoked client: none."""
    if client is None or not client.actif:
        return Fiche.objects.none()
    open_fiches = Fiche.objects.filter(brouillon=False, purgee_le__isnull=True)
    return open_fiches.exclude(statut=Statut.CLOTURE)


def lot_of_client(client, pk):
    """A bundle accepted with 202, for the clients of the laboratory that sent it (a secret
    renewed as a new client still follows its lots); None for anyone else."""
    from api.models import LotFHIR

    return LotFHIR.objects.filter(pk=pk, client__laboratoire_id=client.laboratoire_id).first()


def found_scope(user) -> QuerySet[Fiche]:
    """What a laboratory or a pharmacy may open once found: the lookup's scope, and for a
    laboratory the fiches it recorded a sample on (its positive result promoted the contact:
    it still sees its own sample and result, nothing more)."""
    scope = lookup_scope(user)
    if user.has_role(Role.BIOLOGISTE):
        own = Prelevement.objects.filter(by=user).values("fiche_id")
        return Fiche.objects.filter(Q(pk__in=scope.values("pk")) | Q(pk__in=own))
    return scope


def visible_fields(user) -> tuple[str, ...]:
    for role, fields in VISIBLE_FIELDS.items():
        if user.has_role(role):
            return fields
    return ()


def remember_found(request, pks) -> None:
    """The fiches this session found: the only ones it may then open, by their number."""
    found = [pk for pk in request.session.get(_FOUND_SESSION_KEY, []) if pk not in pks]
    request.session[_FOUND_SESSION_KEY] = (found + list(pks))[-_FOUND_MAX:]


def get_found_fiche(request, pk) -> Fiche:
    """A fiche the session found by lookup (otherwise 404: no browsing by number)."""
    if pk not in request.session.get(_FOUND_SESSION_KEY, []):
        raise Http404
    return get_object_or_404(found_scope(request.user).only("id", "statut", "nature"), pk=pk)


def get_import_for_user(user, pk):
    """A contacts import: only the person who made it, on a fiche they may still write — or,
    made from a cluster's page, on a cluster of the agent ARS's région."""
    from tracing.models import ImportContacts

    found = get_object_or_404(
        ImportContacts.objects.select_related("origine", "cluster"), pk=pk, user=user
    )
    if found.cluster_id:
        get_cluster_for_user(user, found.cluster_id)
    else:
        get_fiche_for_user(user, found.origine_id, write=True)
    return found


def clusters_of(user):
    """The clusters an agent ARS follows: those of its région (none for anyone else)."""
    from tracing.models import Cluster

    region = region_of(user) if user.has_role(Role.ARS) else ""
    if not region:
        return Cluster.objects.none()
    return Cluster.objects.filter(region=region)


def get_cluster_for_user(user, pk):
    """A cluster of the agent's région, or 404."""
    return get_object_or_404(clusters_of(user), pk=pk)


# ---------------------------------------------------------------------------------------------
# Indicators: which figures a role counts (aggregates only; never a fiche).


def indicateurs_perimetre(user, *, region: str = ""):
    """The perimeter of the « Tableau de bord »: the country for an admin (or one région it
    picks), its région for an agent ARS, its départements for a conseiller; None for anyone
    else (the doctor has their own small version, counted on their fiches)."""
    from fiches.geography import region_name
    from fiches.indicateurs import NATIONAL
    from fiches.models_indicateurs import Niveau
    from fiches.selectors_indicateurs import Perimetre, zone_name

    def of_region(code):
        return Perimetre(
            libelle=region_name(code), niveau=Niveau.REGION, zones=(code,),
            detail_niveau=Niveau.DEPARTEMENT,
            detail_zones=tuple(sorted(departements_of_region(code))),
            detail_libelle=_("Département"),
        )  # fmt: skip

    if user.has_role(Role.ADMIN):
        if region and region in regions_connues():
            return of_region(region)
        return Perimetre(
            libelle=_("France entière"), niveau=Niveau.NATIONAL, zones=(NATIONAL,),
            detail_niveau=Niveau.REGION, detail_zones=regions_connues(),
            detail_libelle=_("Région"),
        )  # fmt: skip
    if user.has_role(Role.ARS):
        mine = region_of(user)
        return of_region(mine) if mine else None
    if user.has_role(Role.CONSEILLER):
        departements = tuple(sorted(departements_of(user)))
        if not departements:
            return None
        libelle = ", ".join(zone_name(Niveau.DEPARTEMENT, code) for code in departements)
        return Perimetre(
            libelle=libelle, niveau=Niveau.DEPARTEMENT, zones=departements,
            detail_niveau=Niveau.DEPARTEMENT, detail_zones=departements,
            detail_libelle=_("Département"),
        )  # fmt: skip
    return None


def regions_connues() -> tuple[str, ...]:
    """Every French région's code (the admin's choice of perimeter)."""
    from fiches.geography import all_regions

    return all_regions()

"""Reads for the platforms, laboratories, pharmacies and ARS (issue 5).

The work queue is paged by bounded offset: at most `QUEUE_MAX_PAGES` pages of a few dozen rows,
each one indexed query (fiche_file_appels: département, statut, statut_depuis, id). The
laboratories' and pharmacies' reads fetch only the columns the policy lists, as dictionaries,
so a template cannot reach any other field.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from fiches.identity import format_nir, format_phone, normalize_name
from fiches.models import Beneficiaire, Collectivite, Fiche, Nature
from fiches.statuses import Statut

QUEUE_STATUSES = (
    Statut.PATIENT_A_RAPPELER, Statut.A_CONTACTER, Statut.DIAGNOSTIC_CONFIRME,
    Statut.CONTACT_A_TROUVER,
)  # fmt: skip
QUEUE_PAGE_SIZE = 25
QUEUE_MAX_PAGES = 40
LOOKUP_MAX_RESULTS = 5
RESULTAT_MAX_FICHES = 20
ARS_MAX_ROWS = 500
RAPPELS_MAX_ROWS = 50
SEARCH_MAX_RESULTS = 50

_QUEUE_COLUMNS = (
    "id", "nom", "prenom", "nature", "departement", "commune", "telephone", "statut",
    "statut_depuis", "rappel_le", "reservee_jusqua", "reservee_par_id", "origine_id",
    "reservee_par__civilite", "reservee_par__first_name", "reservee_par__last_name",
)  # fmt: skip


@dataclass(frozen=True)
class Segment:
    """One part of the queue, read in its own index order (no CASE over the whole queue)."""

    name: str
    label: str
    condition: Q
    key: str
    statuts: tuple[str, ...]


def queue_segments(now) -> list[Segment]:
    """The queue's order: recalls whose time has come (the most overdue first: a contact
    « Patient à rappeler », or a patient zéro who did not answer), then À contacter, then
    patients zéro not called yet, then Contact à trouver (a phone to find); oldest first in
    each. Each is served by an index: fiche_rappels, or fiche_file_appels (département, statut,
    statut_depuis, id)."""
    return [
        Segment("rappels", "Rappel", Q(rappel_le__lte=now, statut__in=[
            Statut.PATIENT_A_RAPPELER, Statut.DIAGNOSTIC_CONFIRME]), "rappel_le",
            (Statut.PATIENT_A_RAPPELER, Statut.DIAGNOSTIC_CONFIRME)),
        Segment("a_contacter", "À contacter", Q(statut=Statut.A_CONTACTER), "statut_depuis",
                (Statut.A_CONTACTER,)),
        Segment("patients_zero", "Patient zéro à appeler", Q(
            statut=Statut.DIAGNOSTIC_CONFIRME, rappel_le__isnull=True, brouillon=False,
            nature=Nature.PATIENT_ZERO), "statut_depuis", (Statut.DIAGNOSTIC_CONFIRME,)),
        Segment("a_trouver", "Contact à trouver", Q(statut=Statut.CONTACT_A_TROUVER),
                "statut_depuis", (Statut.CONTACT_A_TROUVER,)),
    ]  # fmt: skip


@dataclass
class QueuePage:
    fiches: list[Fiche]
    number: int
    has_next: bool
    has_previous: bool


def file_appels(
    fiches: QuerySet[Fiche], *, departement: str = "", statut: str = "", page: int = 1, now=None
) -> QueuePage:
    """The people to call, in the order of `queue_segments`; a recall still to come is not in
    the queue (see `rappels_planifies`). At most one query per segment, each an index-ordered
    read of at most `QUEUE_MAX_PAGES` pages: constant, whatever the queue's length."""
    now = now or timezone.now()
    page = min(max(page, 1), QUEUE_MAX_PAGES)
    fiches = fiches.filter(purgee_le__isnull=True)  # nobody to call once the identity is gone
    if departement:
        fiches = fiches.filter(departement=departement)
    if statut:
        fiches = fiches.filter(statut=statut)
    start = (page - 1) * QUEUE_PAGE_SIZE
    need = start + QUEUE_PAGE_SIZE + 1
    found: list[Fiche] = []
    for segment in queue_segments(now):
        if len(found) >= need:
            break
        if statut and statut not in segment.statuts:
            continue
        rows = (
            fiches.filter(segment.condition)
            .select_related("reservee_par")
            .only(*_QUEUE_COLUMNS)
            .order_by(segment.key, "id")[: need - len(found)]
        )
        for row in rows:
            row.segment = segment
            found.append(row)
    return QueuePage(
        fiches=found[start : start + QUEUE_PAGE_SIZE],
        number=page,
        has_next=len(found) > start + QUEUE_PAGE_SIZE and page < QUEUE_MAX_PAGES,
        has_previous=page > 1,
    )


def rappels_planifies(fiches: QuerySet[Fiche], *, now=None) -> list[Fiche]:
    """« Rappels planifiés »: the recalls still to come, soonest first (index fiche_rappels);
    bounded."""
    now = now or timezone.now()
    return list(
        fiches.filter(rappel_le__gt=now)
        .exclude(statut=Statut.CLOTURE)
        .select_related("reservee_par")
        .only(*_QUEUE_COLUMNS)
        .order_by("rappel_le", "id")[:RAPPELS_MAX_ROWS]
    )


def recherche_plateforme(
    fiches: QuerySet[Fiche], *, nir: str = "", nom: str = "", prenom: str = "",
    telephone: str = "",
) -> list[Fiche]:  # fmt: skip
    """The platform's search within its départements: the NIR exactly or its first digits, nom
    and prénom by prefix (accents and case aside), the phone exactly (E.164). Prefix or exact
    only, each on its index; bounded, newest first; no count."""
    if nir:
        fiches = fiches.filter(nir=nir) if len(nir) == 15 else fiches.filter(nir__startswith=nir)
    if nom:
        fiches = fiches.filter(nom_normalise__startswith=normalize_name(nom))
    if prenom:
        fiches = fiches.filter(prenom_normalise__startswith=normalize_name(prenom))
    if telephone:
        fiches = fiches.filter(telephone=telephone)
    return list(
        fiches.select_related("reservee_par")
        .only(*_QUEUE_COLUMNS)
        .order_by("-created_at", "-id")[:SEARCH_MAX_RESULTS]
    )


def _with_sexe(row: dict) -> dict:
    """Sexe from the référentiel when the person is known, else from the NIR's first digit;
    NIR and phone as people read them."""
    code = row.pop("beneficiaire__sexe", "") or ""
    if not code and row.get("nir"):
        code = {"1": "M", "3": "M", "7": "M", "2": "F", "4": "F", "8": "F"}.get(row["nir"][0], "")
    row["sexe"] = Beneficiaire.Sexe(code).label if code else ""
    row["nir_affiche"] = format_nir(row.get("nir", ""))
    row["telephone_affiche"] = format_phone(row.get("telephone", ""))
    return row


def lookup(
    fiches: QuerySet[Fiche],
    *,
    fields: tuple[str, ...],
    nir: str = "",
    nom: str = "",
    prenom: str = "",
    date_naissance=None,
) -> list[dict]:
    """Exact lookup only: the whole NIR, or nom + prénom + date de naissance all three exactly
    (accents and case aside). Anything less finds nothing."""
    if nir:
        rows = fiches.filter(nir=nir)
    elif nom and prenom and date_naissance:
        rows = fiches.filter(
            nom_normalise=normalize_name(nom),
            prenom_normalise=normalize_name(prenom),
            date_naissance=date_naissance,
        )
    else:
        return []
    return [
        _with_sexe(row) for row in rows.order_by("-created_at").values(*fields)[:LOOKUP_MAX_RESULTS]
    ]


def fiche_pour_resultat(
    fiches: QuerySet[Fiche], *, nir: str = "", nom: str = "", prenom: str = "", date_naissance=None
) -> Fiche | None:
    """The open fiche a laboratory's result belongs to (issue 16), found like the screens'
    lookup: the NIR exactly, or nom + prénom + date de naissance exactly (accents and case
    aside) on a fiche with no other NIR; both in one query. Of several, the person's patient zéro
    fiche (waiting for its diagnosis first), else their most recent contact fiche: a positive
    result then never makes a second patient zéro of someone who already is one."""
    columns = ("id", "nature", "statut", "created_at")
    meme = Q(pk__in=[])
    if nir:
        # A fiche may hold the 13 characters without the key, as a doctor typed them.
        meme |= Q(nir__in=sorted({nir, nir[:13]}))
    if nom and prenom and date_naissance:
        # The same identity: the same person — unless both carry a NIR and they differ (a fiche
        # without one: a contact, or a patient zéro a laboratory's result created).
        identite = Q(nom_normalise=normalize_name(nom), prenom_normalise=normalize_name(prenom),
                     date_naissance=date_naissance)  # fmt: skip
        meme |= identite & Q(nir="") if nir else identite
    rows = list(fiches.filter(meme).only(*columns)[:RESULTAT_MAX_FICHES])
    if not rows:
        return None

    def rang(fiche):
        return (
            fiche.nature != Nature.PATIENT_ZERO,
            fiche.statut != Statut.EN_ATTENTE,
            -fiche.created_at.timestamp(),
            -fiche.pk,
        )

    return min(rows, key=rang)


def fiche_fields(fiches: QuerySet[Fiche], *, pk: int, fields: tuple[str, ...]) -> dict:
    """One fiche as a dictionary of the allowed fields only."""
    return _with_sexe(fiches.values(*fields).get(pk=pk))


def collectivite_cases(fiches: QuerySet[Fiche]) -> list[Fiche]:
    """An ARS's collectivity cases, ordered to be grouped by kind of collectivité then
    département; bounded."""
    return list(
        fiches.exclude(collectivite=Collectivite.NON)
        .order_by("collectivite", "departement", "-created_at", "-id")
        .only(
            "id", "nom", "prenom", "nature", "collectivite", "departement", "commune", "statut",
            "created_at",
        )[:ARS_MAX_ROWS]
    )  # fmt: skip


@dataclass
class Suivi:
    """What the platforms, laboratories and pharmacies did on a fiche, as its doctor sees it:
    the calls (outcome, consignes, quatorzaine; not the agents' notes), the samples and their
    results, the masks delivered (date and count only: not who delivered them)."""

    appels: list
    prelevements: list
    masques: list

    def __bool__(self):
        return bool(self.appels or self.prelevements or self.masques)


def suivi(fiche: Fiche) -> Suivi:
    """Three indexed reads (by fiche), whatever the fiche's history."""
    return Suivi(
        appels=list(fiche.appels.defer("note").order_by("at", "id")),
        prelevements=list(fiche.prelevements.order_by("created_at", "id")),
        masques=list(fiche.delivrances_masques.order_by("date", "id").values("date", "nombre")),
    )


DOUBLONS_MAX = 10


def doublons_probables(fiche: Fiche, fiches: QuerySet[Fiche]) -> list[Fiche]:
    """Other fiches (within `fiches`, the reader's scope) that are probably the same person: the
    same NIR; or the same nom, prénom and date de naissance; or the same nom, prénom and phone; and
    those already linked as « même personne » (`lie` True). One query, each condition on its
    index (nir, fiche_identite, fiche_telephone, fiche_personne); no pairwise scan."""
    conditions = Q()
    if fiche.nir:
        conditions |= Q(nir=fiche.nir)
    if fiche.nom_normalise and fiche.prenom_normalise and fiche.date_naissance:
        conditions |= Q(
            nom_normalise=fiche.nom_normalise,
            prenom_normalise=fiche.prenom_normalise,
            date_naissance=fiche.date_naissance,
        )
    if fiche.nom_normalise and fiche.prenom_normalise and fiche.telephone:
        # The prénom too: a household shares a name and a phone, not a person.
        conditions |= Q(
            nom_normalise=fiche.nom_normalise,
            prenom_normalise=fiche.prenom_normalise,
            telephone=fiche.telephone,
        )
    if fiche.personne is not None:
        conditions |= Q(personne=fiche.personne)
    if not conditions:
        return []
    # Not the fiche's own patient zéro nor its own contacts (a household shares a name and a
    # phone; and a patient zéro who refused to be named is never shown on a contact's page).
    rows = list(
        fiches.filter(conditions)
        .exclude(pk=fiche.pk)
        .exclude(pk=fiche.origine_id or 0)
        .exclude(origine_id=fiche.pk)
        .only("id", "nom", "prenom", "nature", "statut", "nir", "date_naissance", "telephone",
              "nom_normalise", "prenom_normalise", "personne", "origine_id")
        .order_by("-created_at", "-id")[:DOUBLONS_MAX]
    )  # fmt: skip
    for row in rows:
        row.lie = fiche.personne is not None and row.personne == fiche.personne
        row.raison = _raison_doublon(fiche, row)
    return rows


def _raison_doublon(fiche: Fiche, other: Fiche) -> str:
    if fiche.nir and other.nir == fiche.nir:
        return "même NIR"
    if (other.nom_normalise, other.prenom_normalise, other.date_naissance) == (
        fiche.nom_normalise, fiche.prenom_normalise, fiche.date_naissance,
    ) and fiche.date_naissance:  # fmt: skip
        return "mêmes nom, prénom et date de naissance"
    if fiche.telephone and (other.nom_normalise, other.prenom_normalise, other.telephone) == (
        fiche.nom_normalise, fiche.prenom_normalise, fiche.telephone,
    ):  # fmt: skip
        return "mêmes nom, prénom et téléphone"
    return "liée comme même personne"

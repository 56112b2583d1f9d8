"""Reads for the platforms, laboratories, pharmacies and ARS (issue 5).

The work queue is paged by bounded offset: at most `QUEUE_MAX_PAGES` pages of a few dozen rows,
each one indexed query (fiche_file_appels: département, statut, statut_depuis, id). The
laboratories' and pharmacies' reads fetch only the columns the policy lists, as dictionaries,
so a template cannot reach any other field.
"""

from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils import timezone

from fiches.identity import format_nir, format_phone, normalize_name
from fiches.models import Beneficiaire, Collectivite, Fiche
from fiches.statuses import Statut

QUEUE_STATUSES = (Statut.PATIENT_A_RAPPELER, Statut.A_CONTACTER, Statut.CONTACT_A_TROUVER)
QUEUE_PAGE_SIZE = 25
QUEUE_MAX_PAGES = 40
LOOKUP_MAX_RESULTS = 5
ARS_MAX_ROWS = 500


@dataclass
class QueuePage:
    fiches: list[Fiche]
    number: int
    has_next: bool
    has_previous: bool


def file_appels(
    fiches: QuerySet[Fiche], *, departement: str = "", statut: str = "", page: int = 1, now=None
) -> QueuePage:
    """The people to call: Patient à rappeler whose recall time has come (earliest recall
    first), then À contacter, then Contact à trouver; oldest first in each. A recall still to
    come is not in the queue."""
    now = now or timezone.now()
    page = min(max(page, 1), QUEUE_MAX_PAGES)
    rows = fiches.filter(statut__in=QUEUE_STATUSES).exclude(
        statut=Statut.PATIENT_A_RAPPELER, rappel_le__gt=now
    )
    if departement:
        rows = rows.filter(departement=departement)
    if statut:
        rows = rows.filter(statut=statut)
    rows = rows.annotate(
        rang=Case(
            When(statut=Statut.PATIENT_A_RAPPELER, then=Value(0)),
            When(statut=Statut.A_CONTACTER, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rang", F("rappel_le").asc(nulls_first=True), "statut_depuis", "id")
    rows = rows.only(
        "id", "nom", "prenom", "nature", "departement", "commune", "telephone", "statut",
        "statut_depuis", "rappel_le",
    )  # fmt: skip
    start = (page - 1) * QUEUE_PAGE_SIZE
    found = list(rows[start : start + QUEUE_PAGE_SIZE + 1])
    return QueuePage(
        fiches=found[:QUEUE_PAGE_SIZE],
        number=page,
        has_next=len(found) > QUEUE_PAGE_SIZE and page < QUEUE_MAX_PAGES,
        has_previous=page > 1,
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

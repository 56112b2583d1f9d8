"""Reads of fiches that are more than one line: the list with its search, keyset paging and
capped count.

Scale choices (tens of millions of rows on PostgreSQL):
- Paging is by keyset on (created_at, id), newest first: a page is "the N rows after this
  cursor", an index range scan whatever the depth; no OFFSET that reads and drops every
  preceding row.
- The count is capped: `SELECT count(*) FROM (… LIMIT 1001)` reads at most 1,001 index entries,
  and the screen says "plus de 1 000 fiches trouvées" beyond. An exact count of a doctor's
  fiches would be cheap, but the same list serves platforms that see whole départements.
- Names are searched on stored normalised columns (lowercase, no accents) with a prefix LIKE,
  which the varchar_pattern_ops indexes serve; a NIR by exact value or prefix of its digits.
"""

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from fiches.identity import normalize_name
from fiches.models import Fiche, Prelevement, StatusChange
from fiches.statuses import Statut

COUNT_CAP = 1000
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25


@dataclass(frozen=True)
class Recherche:
    nir: str = ""
    nom: str = ""
    prenom: str = ""
    statut: str = ""
    brouillons: bool = False


def search(fiches: QuerySet[Fiche], recherche: Recherche) -> QuerySet[Fiche]:
    nir = re.sub(r"[\s.\-]", "", recherche.nir).upper()
    if nir:
        fiches = fiches.filter(nir=nir) if len(nir) == 15 else fiches.filter(nir__startswith=nir)
    if nom := normalize_name(recherche.nom):
        fiches = fiches.filter(nom_normalise__startswith=nom)
    if prenom := normalize_name(recherche.prenom):
        fiches = fiches.filter(prenom_normalise__startswith=prenom)
    if recherche.statut:
        fiches = fiches.filter(statut=recherche.statut)
    if recherche.brouillons:
        fiches = fiches.filter(brouillon=True)
    return fiches


@dataclass(frozen=True)
class Nouveautes:
    """What others did on a reader's fiches since a moment (their previous sign-in): a status
    changed by someone else (a call, a promotion, a contact added by a platform), an RT-PCR
    result recorded."""

    depuis: datetime
    lecteur_id: int

    def annotations(self) -> dict:
        """Two per-row EXISTS on the page's rows only (indexed by fiche): no extra query."""
        changes = StatusChange.objects.filter(fiche=OuterRef("pk"), at__gt=self.depuis).exclude(
            by_id=self.lecteur_id
        )
        results = Prelevement.objects.filter(fiche=OuterRef("pk"), resultat_le__gt=self.depuis)
        return {"nouveau_statut": Exists(changes), "nouveau_resultat": Exists(results)}

    def resume(self, fiches: QuerySet[Fiche]) -> list[tuple[str, int]]:
        """(new status, how many fiches moved to it) since then, by others; one query, over the
        fiches whose status moved since (index on medecin, statut_depuis)."""
        moved = fiches.filter(statut_depuis__gt=self.depuis).values("pk")
        rows = (
            StatusChange.objects.filter(fiche__in=moved, at__gt=self.depuis)
            .exclude(by_id=self.lecteur_id)
            .values("to_statut")
            .annotate(fiches=Count("fiche", distinct=True))
            .order_by("-fiches", "to_statut")
        )
        return [(Statut(row["to_statut"]).label, row["fiches"]) for row in rows]


def encode_cursor(fiche: Fiche) -> str:
    raw = f"{fiche.created_at.isoformat()}|{fiche.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """(created_at, id) from a cursor, or None when it was tampered with."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, pk = raw.split("|")
        moment = datetime.fromisoformat(created)
        if moment.tzinfo is not None:
            moment.astimezone(UTC)  # out of range once in UTC: OverflowError
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError):
        return None
    if moment.tzinfo is None or not re.fullmatch(r"[0-9]{1,18}", pk):
        return None  # ours always carry their time zone, and an id that fits a bigint
    return moment, int(pk)


# What a list row shows (tracing/templatetags/fiches_table.py) and its cursor needs: reading
# every column of 100 fiches (and parsing their dates) was a tenth of a list's time.
LIST_COLUMNS = (
    "id", "nom", "prenom", "nir", "brouillon", "statut", "statut_depuis", "created_at",
    "declarant_id", "declarant__civilite", "declarant__first_name", "declarant__last_name",
)  # fmt: skip


@dataclass
class Page:
    fiches: list[Fiche]
    count: int
    count_capped: bool
    next_cursor: str | None
    previous_cursor: str | None
    size: int


def fiche_page(
    fiches: QuerySet[Fiche],
    *,
    size: int = DEFAULT_PAGE_SIZE,
    apres: str = "",
    avant: str = "",
    nouveautes: Nouveautes | None = None,
) -> Page:
    """One page of `fiches`, newest first, after (or before) a cursor: two queries (the capped
    count and the page), whatever the page size and the depth; the rows carry their
    « Nouveau » markers when `nouveautes` is given."""
    if size not in PAGE_SIZES:
        size = DEFAULT_PAGE_SIZE
    count = fiches.order_by()[: COUNT_CAP + 1].count()
    rows = fiches.select_related("declarant").only(*LIST_COLUMNS)
    if nouveautes is not None:
        rows = rows.annotate(**nouveautes.annotations())
    backwards = False
    if avant and (key := decode_cursor(avant)):
        created, pk = key
        # created_at >= x keeps an index range condition; the OR settles ties on id.
        rows = rows.filter(created_at__gte=created).filter(Q(created_at__gt=created) | Q(id__gt=pk))
        rows = rows.order_by("created_at", "id")
        backwards = True
    else:
        if apres and (key := decode_cursor(apres)):
            created, pk = key
            rows = rows.filter(created_at__lte=created).filter(
                Q(created_at__lt=created) | Q(id__lt=pk)
            )
        rows = rows.order_by("-created_at", "-id")
    page = list(rows[: size + 1])
    more = len(page) > size
    page = page[:size]
    if backwards:
        page.reverse()
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, bool(apres)
    return Page(
        fiches=page,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
        next_cursor=encode_cursor(page[-1]) if page and has_next else None,
        previous_cursor=encode_cursor(page[0]) if page and has_previous else None,
        size=size,
    )


def contacts_of(fiche: Fiche, visible: QuerySet[Fiche]) -> QuerySet[Fiche]:
    return visible.filter(origine=fiche)


@dataclass(frozen=True)
class ResumeMedecin:
    """A doctor's small dashboard: their fiches by status, drafts waiting, results since. Each
    count is capped like the list's (COUNT_CAP): "plus de 1000"."""

    par_statut: list[tuple[str, str, int, str, bool]]  # (code, label, fiches, css, capped)
    brouillons: int
    brouillons_capped: bool
    resultats: list[tuple[str, int]]  # (label, how many recorded since `depuis`)
    depuis: datetime

    @property
    def total(self) -> int:
        return sum(row[2] for row in self.par_statut)

    @property
    def total_capped(self) -> bool:
        return any(row[4] for row in self.par_statut)


def _capped_count(fiches: QuerySet[Fiche]) -> tuple[int, bool]:
    count = fiches.order_by()[: COUNT_CAP + 1].count()
    return min(count, COUNT_CAP), count > COUNT_CAP


def resume_medecin(fiches: QuerySet[Fiche], *, depuis: datetime) -> ResumeMedecin:
    """One capped count per status (index fiche_medecin_statut: at most 1,001 index entries
    each), the drafts (fiche_medecin_brouillons), the results since: a constant number of
    queries reading a bounded number of rows, whatever the doctor's number of fiches (a
    GROUP BY over the busiest seeded doctor's million fiches took 670 ms)."""
    par_statut = []
    for statut in Statut:
        n, capped = _capped_count(fiches.filter(statut=statut))
        if n:
            css = f"noeud-{statut.value.replace('_', '-')}"
            par_statut.append((statut.value, statut.label, n, css, capped))
    brouillons, brouillons_capped = _capped_count(fiches.filter(brouillon=True))
    results = (
        Prelevement.objects.filter(fiche__in=fiches.values("pk"), resultat_le__gt=depuis)
        .values("resultat")
        .annotate(n=Count("id"))
        .order_by("resultat")
    )
    labels = dict(Prelevement.Resultat.choices)
    return ResumeMedecin(
        par_statut=par_statut,
        brouillons=brouillons,
        brouillons_capped=brouillons_capped,
        resultats=[(labels.get(row["resultat"], row["resultat"]), row["n"]) for row in results],
        depuis=depuis,
    )

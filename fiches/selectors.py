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

from django.db.models import Q, QuerySet

from fiches.identity import normalize_name
from fiches.models import Fiche

COUNT_CAP = 1000
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25


@dataclass(frozen=True)
class Recherche:
    nir: str = ""
    nom: str = ""
    prenom: str = ""
    statut: str = ""


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
    return fiches


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


@dataclass
class Page:
    fiches: list[Fiche]
    count: int
    count_capped: bool
    next_cursor: str | None
    previous_cursor: str | None
    size: int


def fiche_page(
    fiches: QuerySet[Fiche], *, size: int = DEFAULT_PAGE_SIZE, apres: str = "", avant: str = ""
) -> Page:
    """One page of `fiches`, newest first, after (or before) a cursor: two queries (the capped
    count and the page), whatever the page size and the depth."""
    if size not in PAGE_SIZES:
        size = DEFAULT_PAGE_SIZE
    count = fiches.order_by()[: COUNT_CAP + 1].count()
    rows = fiches.select_related("declarant")
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

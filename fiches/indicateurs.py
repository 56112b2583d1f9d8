"""The indicators' rollup (issue 13): the daily figures the « Tableau de bord » reads.

The dashboard never counts fiches on a page view: it reads `IndicateurJour`, one row per day and
zone, which this module keeps up to date from a worker (`jobs.periodic`: `indicateurs_rollup`
every few minutes, `indicateurs_rollup_fenetre` once a day) or from `manage.py indicateurs`.

What a run recomputes, a whole day at a time (every département of that day, then its régions
and the country, which are their sums):
- today and yesterday (the day's new fiches, its 24 h reach still moving), or every day since
  the last run when the worker was stopped;
- the creation days of the contacts whose first « Appel réalisé » or promotion happened since
  the last run (a contact named a week ago and reached today changes that week-old cohort);
- once a day, the last `FENETRE_JOURS` days whatever happened (a draft validated late, a
  postcode corrected: changes that leave no status behind);
- `manage.py indicateurs --depuis AAAA-MM-JJ` rebuilds any period.
The call queue is counted at each run, per département, onto today's rows.

Each run is one transaction holding the watermark row (`IndicateursEtat`), so two workers never
interleave; rows are derived data, replaced day by day (a fiche is never touched). The rollup
reads the fiches by day through the indexes fiche_created (created_at, id), statuschange_vers_le
(to_statut, at) and fiche_file_appels for the queue.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import add, or_

from django.db import transaction
from django.db.models import Case, Count, F, Min, OuterRef, Q, Subquery, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from fiches.geography import all_regions, departements_of_region, region_for_departement
from fiches.models import Fiche, StatusChange
from fiches.models_indicateurs import IndicateurJour, IndicateursEtat, Niveau, Periode
from fiches.statuses import CONTACT_STATUSES, Statut

NATIONAL = "FR"
ALL_DEPARTEMENTS = frozenset(d for region in all_regions() for d in departements_of_region(region))
FENETRE_JOURS = 14
# Status changes committed late (a transaction begun before the last run) are still seen.
MARGE = timedelta(minutes=10)

# The delays to the first call are counted in buckets, by their lower bound in minutes: every
# 15 minutes for the first day, every hour up to three days, every day up to fourteen, then one
# last bucket. A median is exact at that resolution, whatever days and zones are added up.
DELAI_BUCKETS = (
    list(range(0, 24 * 60, 15))
    + list(range(24 * 60, 72 * 60, 60))
    + list(range(72 * 60, 14 * 24 * 60, 24 * 60))
    + [14 * 24 * 60]
)


def delai_bucket(minutes: float) -> int:
    """The index of the bucket a delay (in minutes, ≥ 0) falls in."""
    minutes = max(minutes, 0)
    if minutes < 24 * 60:
        return int(minutes // 15)
    if minutes < 72 * 60:
        return 96 + int((minutes - 24 * 60) // 60)
    if minutes < 14 * 24 * 60:
        return 144 + int((minutes - 72 * 60) // (24 * 60))
    return len(DELAI_BUCKETS) - 1


def dense(histogramme: Counter) -> list[int]:
    """A histogram as stored: the count of each bucket by index, trailing zeros left out."""
    histogramme = +histogramme  # no empty bucket
    if not histogramme:
        return []
    counts = [0] * (max(histogramme) + 1)
    for bucket, n in histogramme.items():
        counts[bucket] = n
    return counts


def add_dense(a: list[int], b: list[int]) -> list[int]:
    """Two stored histograms added up (a few microseconds: what a page does hundreds of times)."""
    if len(a) < len(b):
        a, b = b, a
    return [*map(add, a, b), *a[len(b) :]]


def median_bucket(counts: list[int]) -> int | None:
    """The bucket of the lower median (PostgreSQL's percentile_disc(0.5)): the ⌈n/2⌉-th delay."""
    n = sum(counts)
    if not n:
        return None
    rank, seen = math.ceil(n / 2), 0
    for bucket, count in enumerate(counts):
        seen += count
        if seen >= rank:
            return bucket
    return None  # pragma: no cover (rank ≤ n)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A day in France, as two aware datetimes (a DST day lasts 23 or 25 hours)."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone)
    return start, end


@dataclass
class _Figures:
    pz_declares: int = 0
    contacts: int = 0
    promotions: int = 0
    joints: int = 0
    joints_24h: int = 0
    delais: Counter = field(default_factory=Counter)
    file_taille: int | None = None
    file_depuis: datetime | None = None

    def add(self, other: "_Figures") -> None:
        self.pz_declares += other.pz_declares
        self.contacts += other.contacts
        self.promotions += other.promotions
        self.joints += other.joints
        self.joints_24h += other.joints_24h
        self.delais.update(other.delais)
        if other.file_taille is not None:
            self.file_taille = (self.file_taille or 0) + other.file_taille
        if other.file_depuis is not None:
            self.file_depuis = min(filter(None, [self.file_depuis, other.file_depuis]))


@dataclass
class RollupReport:
    jours: list[date]
    lignes: int

    def __str__(self):
        if not self.jours:
            return "Indicateurs : rien à recalculer."
        return (
            f"Indicateurs : {len(self.jours)} jour(s) recalculé(s) "
            f"({self.jours[0]:%d/%m/%Y} → {self.jours[-1]:%d/%m/%Y}), {self.lignes} ligne(s)."
        )


def rollup(*, now=None, depuis: date | None = None, fenetre: bool = False) -> RollupReport:
    """Recompute the days whose figures may have changed (see the module's docstring)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        etat = _etat_locked(now)
        jours = {today, today - timedelta(days=1)}
        if etat is not None:
            last = timezone.localdate(etat.jusqua)
            jours.update(_days_between(min(last, today), today))
            jours.update(_cohorts_moved_since(etat.jusqua - MARGE))
        if fenetre:
            jours.update(_days_between(today - timedelta(days=FENETRE_JOURS), today))
        if depuis is not None:
            jours.update(_days_between(depuis, today))
        jours = sorted(day for day in jours if day <= today)
        lignes = _recompute(jours, now=now, today=today)
        IndicateursEtat.objects.update_or_create(pk=1, defaults={"jusqua": now})
    return RollupReport(jours=jours, lignes=lignes)


def _etat_locked(now):
    """The watermark, locked for the run (two workers never interleave); None on the first run
    ever (the row is created, then locked like the others)."""
    etat = IndicateursEtat.objects.select_for_update().filter(pk=1).first()
    if etat is None:
        IndicateursEtat.objects.get_or_create(pk=1, defaults={"jusqua": now})
        IndicateursEtat.objects.select_for_update().get(pk=1)
    return etat


def _days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _cohorts_moved_since(moment) -> set[date]:
    """The creation days of the contacts reached or promoted since `moment`, and the days of
    those changes (a promotion counts on the day it happens)."""
    changes = StatusChange.objects.filter(
        to_statut__in=[Statut.APPEL_REALISE, Statut.DIAGNOSTIC_CONFIRME], at__gte=moment
    )
    cohorts = changes.annotate(jour=TruncDate("fiche__created_at")).values_list("jour", flat=True)
    days = changes.annotate(jour=TruncDate("at")).values_list("jour", flat=True)
    return set(cohorts.order_by().distinct()) | set(days.order_by().distinct())


def _recompute(jours: list[date], *, now, today) -> int:
    if not jours:
        return 0
    kept_queue = defaultdict(dict)  # day → département → (size, since), as counted that day
    for row in (
        IndicateurJour.objects.filter(
            jour__in=jours, niveau=Niveau.DEPARTEMENT, periode=Periode.JOUR
        )
        .exclude(file_taille=None)
        .values("zone", "jour", "file_taille", "file_depuis")
    ):
        kept_queue[row["jour"]][row["zone"]] = (row["file_taille"], row["file_depuis"])
    rows = []
    for day in jours:
        departements = _departements_of_day(day)
        if day == today:
            # Every département gets its count, 0 included: an empty queue reads « 0 », not
            # « not computed ».
            queue = _queue_now(now)
            for departement in ALL_DEPARTEMENTS | set(queue):
                figures = departements.setdefault(departement, _Figures())
                figures.file_taille, figures.file_depuis = queue.get(departement, (0, None))
        else:
            for zone, (taille, depuis) in kept_queue[day].items():
                figures = departements.setdefault(zone, _Figures())
                figures.file_taille, figures.file_depuis = taille, depuis
        rows.extend(_rows_of_day(day, departements, now=now))
    IndicateurJour.objects.filter(jour__in=jours, periode=Periode.JOUR).delete()
    IndicateurJour.objects.bulk_create(rows, batch_size=1000)
    return len(rows) + _recompute_months({day.replace(day=1) for day in jours}, now=now)


def _recompute_months(months: set[date], *, now) -> int:
    """Each month touched, per zone: the sum of its days (the queue, a stock, is left out)."""
    rows = []
    for first in sorted(months):
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        totals: dict[tuple[str, str], _Figures] = defaultdict(_Figures)
        days = IndicateurJour.objects.filter(periode=Periode.JOUR, jour__range=(first, last))
        for row in days.values(
            "niveau", "zone", "pz_declares", "contacts", "promotions", "joints", "joints_24h",
            "delais",
        ).iterator(chunk_size=2000):  # fmt: skip
            figures = totals[(row["niveau"], row["zone"])]
            figures.pz_declares += row["pz_declares"]
            figures.contacts += row["contacts"]
            figures.promotions += row["promotions"]
            figures.joints += row["joints"]
            figures.joints_24h += row["joints_24h"]
            figures.delais.update(dict(enumerate(row["delais"])))
        for (niveau, zone), figures in sorted(totals.items()):
            row = _row(first, niveau, zone, figures, now)
            row.periode = Periode.MOIS
            rows.append(row)
    IndicateurJour.objects.filter(jour__in=months, periode=Periode.MOIS).delete()
    IndicateurJour.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _departements_of_day(day: date) -> dict[str, _Figures]:
    start, end = day_bounds(day)
    figures: dict[str, _Figures] = defaultdict(_Figures)
    created = Fiche.objects.filter(created_at__gte=start, created_at__lt=end, brouillon=False)
    counts = created.values("departement").annotate(
        pz=Count("id", filter=Q(origine__isnull=True)),
        contacts=Count("id", filter=Q(origine__isnull=False)),
    )
    for row in counts.order_by():
        figures[row["departement"]].pz_declares = row["pz"]
        figures[row["departement"]].contacts = row["contacts"]

    first_call = (
        StatusChange.objects.filter(fiche=OuterRef("pk"), to_statut=Statut.APPEL_REALISE)
        .order_by("at", "id")
        .values("at")[:1]
    )
    reached = (
        created.filter(origine__isnull=False)
        .annotate(premier_appel=Subquery(first_call))
        .filter(premier_appel__isnull=False)
        .values_list("departement", "created_at", "premier_appel")
    )
    for departement, created_at, premier_appel in reached.order_by().iterator(chunk_size=5000):
        delay = premier_appel - created_at
        target = figures[departement]
        target.joints += 1
        target.joints_24h += delay <= timedelta(hours=24)
        target.delais[delai_bucket(delay.total_seconds() / 60)] += 1

    promotions = (
        StatusChange.objects.filter(
            to_statut=Statut.DIAGNOSTIC_CONFIRME,
            from_statut__in=sorted(CONTACT_STATUSES),
            at__gte=start,
            at__lt=end,
        )
        .values("fiche__departement")
        .annotate(n=Count("id"))
    )
    for row in promotions.order_by():
        figures[row["fiche__departement"]].promotions = row["n"]
    return figures


def queue_condition(now) -> Q:
    """The fiches waiting in a platform's queue (`selectors_tracing.queue_segments`)."""
    from fiches.selectors_tracing import queue_segments

    segments = reduce(or_, (segment.condition for segment in queue_segments(now)))
    return Q(purgee_le__isnull=True, brouillon=False) & segments


def _queue_now(now) -> dict[str, tuple[int, datetime]]:
    """Per département: how many fiches wait to be called, and since when the oldest waits (a
    recall waits from its time, any other fiche from its status)."""
    waiting_since = Case(
        When(rappel_le__isnull=False, rappel_le__lte=now, then=F("rappel_le")),
        default=F("statut_depuis"),
    )
    rows = (
        Fiche.objects.filter(queue_condition(now))
        .values("departement")
        .annotate(n=Count("id"), depuis=Min(waiting_since))
        .order_by()
    )
    return {row["departement"]: (row["n"], row["depuis"]) for row in rows}


def _rows_of_day(day, departements: dict[str, _Figures], *, now) -> list[IndicateurJour]:
    regions: dict[str, _Figures] = defaultdict(_Figures)
    national = _Figures()
    rows = []
    for code, figures in sorted(departements.items()):
        rows.append(_row(day, Niveau.DEPARTEMENT, code, figures, now))
        region = region_for_departement(code)
        if region:
            regions[region].add(figures)
        national.add(figures)
    for code, figures in sorted(regions.items()):
        rows.append(_row(day, Niveau.REGION, code, figures, now))
    if departements:
        rows.append(_row(day, Niveau.NATIONAL, NATIONAL, national, now))
    return rows


def _row(day, niveau, zone, figures: _Figures, now) -> IndicateurJour:
    return IndicateurJour(
        jour=day,
        niveau=niveau,
        zone=zone,
        pz_declares=figures.pz_declares,
        contacts=figures.contacts,
        promotions=figures.promotions,
        joints=figures.joints,
        joints_24h=figures.joints_24h,
        delais=dense(figures.delais),
        file_taille=figures.file_taille,
        file_depuis=figures.file_depuis,
        calcule_le=now,
    )

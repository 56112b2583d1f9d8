"""What the « Tableau de bord » shows, read from the daily rollup (`IndicateurJour`) only.

A page reads two sets of rows whatever the period or the table's size: the series of its
perimeter (the country, a région, or a conseiller's départements added up) — today's row too,
for the queue now — and the rows of the zones it is broken down into (régions, or
départements). Everything else (sums over the period, ratios, medians) is added up here.
"""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from fiches.geography import departement_name, region_name
from fiches.indicateurs import DELAI_BUCKETS, add_dense, median_bucket
from fiches.models_indicateurs import IndicateurJour, Niveau, Periode

_FIELDS = (
    "jour", "zone", "pz_declares", "contacts", "promotions", "joints", "joints_24h", "delais",
    "file_taille", "file_depuis", "calcule_le",
)  # fmt: skip


@dataclass(frozen=True)
class Perimetre:
    """What a reader may count: the series' zones, and the zones it is broken down into."""

    libelle: str
    niveau: str  # of the series' rows
    zones: tuple[str, ...]
    detail_niveau: str
    detail_zones: tuple[str, ...]
    detail_libelle: str  # "Département" or "Région"


@dataclass
class Ligne:
    """The figures of a day or a zone (or a period), added up from rollup rows."""

    libelle: str = ""
    jour: date | None = None
    pz_declares: int = 0
    contacts: int = 0
    promotions: int = 0
    joints: int = 0
    joints_24h: int = 0
    delais: list = field(default_factory=list)
    file_taille: int | None = None
    file_depuis: datetime | None = None

    def absorb(self, other: "Ligne") -> None:
        self.add(other.__dict__)

    def add(self, row: dict) -> None:
        self.pz_declares += row["pz_declares"]
        self.contacts += row["contacts"]
        self.promotions += row["promotions"]
        self.joints += row["joints"]
        self.joints_24h += row["joints_24h"]
        self.delais = add_dense(self.delais, row["delais"])
        if row["file_taille"] is not None:
            self.file_taille = (self.file_taille or 0) + row["file_taille"]
        if row["file_depuis"] is not None:
            self.file_depuis = min(filter(None, [self.file_depuis, row["file_depuis"]]))

    @property
    def nouveaux_pz(self) -> int:
        """Patients zéro new that day: declared, or contacts who tested positive."""
        return self.pz_declares + self.promotions

    @property
    def contacts_par_pz(self) -> float | None:
        return self.contacts / self.nouveaux_pz if self.nouveaux_pz else None

    @property
    def part_24h(self) -> float | None:
        """% of the contacts named who were reached within 24 hours."""
        return 100 * self.joints_24h / self.contacts if self.contacts else None

    @property
    def part_promotions(self) -> float | None:
        """% of the new patients zéro who were already known as contacts."""
        return 100 * self.promotions / self.nouveaux_pz if self.nouveaux_pz else None

    @property
    def delai_median(self) -> int | None:
        """Minutes: the lower bound of the bucket holding the median delay to the first call."""
        bucket = median_bucket(self.delais)
        return None if bucket is None else DELAI_BUCKETS[bucket]

    @property
    def delai_median_texte(self) -> str:
        return format_delai(self.delai_median)


def format_delai(minutes: int | None) -> str:
    """A bucket's lower bound in words: « moins de 15 min », « 4 h 15 », « 2 j 3 h »."""
    if minutes is None:
        return "—"
    if minutes == 0:
        return "moins de 15 min"
    if minutes >= DELAI_BUCKETS[-1]:
        return "14 j ou plus"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} j {hours} h" if hours else f"{days} j"
    if not hours:
        return f"{mins} min"
    return f"{hours} h {mins:02d}" if mins else f"{hours} h"


@dataclass
class Tableau:
    perimetre: Perimetre
    du: date
    au: date
    jours: list[Ligne]
    zones: list[Ligne]  # over the period
    zones_jours: list[Ligne]  # each zone, day by day (the CSV)
    total: Ligne
    maintenant: Ligne  # today's queue
    calcule_le: datetime | None


def zone_name(niveau: str, zone: str) -> str:
    if niveau == Niveau.REGION:
        return region_name(zone)
    if niveau == Niveau.DEPARTEMENT:
        return f"{zone} — {departement_name(zone)}" if zone else "Sans département"
    return "France"


def tableau(
    perimetre: Perimetre, *, du: date, au: date, today: date | None = None, export: bool = False
) -> Tableau:
    """Two queries on the rollup table, whatever the period and the number of fiches. With
    `export`, each zone's figures day by day too (the CSV's lines)."""
    today = today or timezone.localdate()
    serie = IndicateurJour.objects.filter(
        niveau=perimetre.niveau, zone__in=perimetre.zones, periode=Periode.JOUR
    )
    serie_rows = list(serie.filter(Q(jour__range=(du, au)) | Q(jour=today)).values(*_FIELDS))
    par_jour = {du + timedelta(days=n): Ligne() for n in range((au - du).days + 1)}
    for day, ligne in par_jour.items():
        ligne.jour = day
    total, maintenant = Ligne(libelle=perimetre.libelle), Ligne()
    calcule_le = None
    for row in serie_rows:
        if row["jour"] == today:
            maintenant.add(row)
            calcule_le = max(filter(None, [calcule_le, row["calcule_le"]]))
        if du <= row["jour"] <= au:
            par_jour[row["jour"]].add(row)
            total.add(row)

    detail = IndicateurJour.objects.filter(
        niveau=perimetre.detail_niveau, zone__in=perimetre.detail_zones
    ).filter(Q(periode=Periode.JOUR, jour__range=(du, au)) if export else _days_and_months(du, au))
    detail = detail.values(*_FIELDS[:-1])  # not calcule_le: the series says it
    par_zone: dict[str, Ligne] = defaultdict(Ligne)
    zones_jours = []
    for row in detail.order_by("zone", "jour"):
        par_zone[row["zone"]].add(row)
        if export:
            ligne = Ligne(libelle=zone_name(perimetre.detail_niveau, row["zone"]), jour=row["jour"])
            ligne.add(row)
            zones_jours.append(ligne)
    for code, ligne in par_zone.items():
        ligne.libelle = zone_name(perimetre.detail_niveau, code)
    # Départements by their number, régions by their name (« Île » with the I's).
    zones = sorted(
        par_zone.values(),
        key=lambda ligne: unicodedata.normalize("NFKD", ligne.libelle).casefold(),
    )
    return Tableau(
        perimetre=perimetre,
        du=du,
        au=au,
        jours=list(par_jour.values()),
        zones=zones,
        zones_jours=zones_jours,
        total=total,
        maintenant=maintenant,
        calcule_le=calcule_le,
    )


def _days_and_months(du: date, au: date) -> Q:
    """The period as the rows that cover it: its whole months by their month row, the days
    before and after them by their day rows (a year: twelve rows and a few days a zone)."""
    first_month = du if du.day == 1 else (du.replace(day=1) + timedelta(days=32)).replace(day=1)
    end_month = (au + timedelta(days=1)).replace(day=1)  # first day after the last whole month
    if first_month >= end_month:
        return Q(periode=Periode.JOUR, jour__range=(du, au))
    months, month = [], first_month
    while month < end_month:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    condition = Q(periode=Periode.MOIS, jour__in=months)
    if du < first_month:
        condition |= Q(periode=Periode.JOUR, jour__range=(du, first_month - timedelta(days=1)))
    if end_month <= au:
        condition |= Q(periode=Periode.JOUR, jour__range=(end_month, au))
    return condition


def par_semaine(jours: list[Ligne]) -> list[Ligne]:
    """Days added up by week (from Monday; the first and last weeks may be partial): what a
    chart of several months shows, a bar a day being too thin to read."""
    semaines: dict[date, Ligne] = {}
    file: dict[date, tuple] = {}
    for ligne in jours:
        monday = max(ligne.jour - timedelta(days=ligne.jour.weekday()), jours[0].jour)
        semaines.setdefault(monday, Ligne(jour=monday)).absorb(ligne)
        if ligne.file_taille is not None:  # a queue is a stock: the week's last count
            file[monday] = (ligne.file_taille, ligne.file_depuis)
    for monday, semaine in semaines.items():
        semaine.file_taille, semaine.file_depuis = file.get(monday, (None, None))
    return list(semaines.values())

"""The indicators' daily rollup (issue 13): what the « Tableau de bord » reads, never the fiches.

One row per day and zone — a département, a région (its départements added up) and the whole
country — written only by `fiches.indicateurs.rollup` (a periodic job, and `manage.py
indicateurs`). The figures are those of that day:

- `pz_declares`: patients zéro declared that day (validated fiches created without an origin);
- `contacts`: contacts named that day (validated fiches created with a patient zéro of origin);
- `promotions`: contacts who became patients zéro that day (whatever day they were named);
- `joints`, `joints_24h`, `delais`: of the contacts named that day (a cohort), those whose first
  « Appel réalisé » is known, those reached within 24 hours of their creation, and the delays to
  that first call as a histogram (the count per bucket of `DELAI_BUCKETS`, by index) from which
  any median is taken exactly at its resolution, for a day, a period or a set of zones alike;
- `file_taille`, `file_depuis`: the call queue (as the platforms' « fiche suivante » serves it)
  at the last run of that day: its size, and since when its oldest fiche waits.

Each month also has its row per zone (`periode` « mois », `jour` its first day): the sum of its
days, so that a year is read as twelve rows a zone rather than 366.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Niveau(models.TextChoices):
    DEPARTEMENT = "dep", _("département")
    REGION = "reg", _("région")
    NATIONAL = "nat", _("national")


class Periode(models.TextChoices):
    JOUR = "j", _("jour")
    MOIS = "m", _("mois")


class IndicateurJour(models.Model):
    jour = models.DateField(_("jour"))
    periode = models.CharField(_("période"), max_length=1, choices=Periode, default=Periode.JOUR)
    niveau = models.CharField(_("niveau"), max_length=3, choices=Niveau)
    zone = models.CharField(_("zone"), max_length=10)  # '93', 'FR-IDF' or 'FR'
    pz_declares = models.PositiveIntegerField(_("patients zéro déclarés"), default=0)
    contacts = models.PositiveIntegerField(_("nouveaux contacts"), default=0)
    promotions = models.PositiveIntegerField(_("contacts devenus patients zéro"), default=0)
    joints = models.PositiveIntegerField(_("contacts joints"), default=0)
    joints_24h = models.PositiveIntegerField(_("contacts joints en 24 h"), default=0)
    delais = models.JSONField(_("délais jusqu'au premier appel réalisé"), default=list)
    file_taille = models.PositiveIntegerField(_("fiches en file d'appels"), null=True)
    file_depuis = models.DateTimeField(_("plus ancienne fiche en attente depuis"), null=True)
    calcule_le = models.DateTimeField(_("calculé le"))

    class Meta:
        verbose_name = _("indicateur du jour")
        verbose_name_plural = _("indicateurs par jour")
        constraints = [
            models.UniqueConstraint(
                fields=["niveau", "zone", "periode", "jour"], name="indicateur_unique"
            )
        ]
        # The dashboard's reads: one zone (or a région's départements) over a period.
        indexes = [
            models.Index(fields=["niveau", "periode", "jour", "zone"], name="indicateur_jour")
        ]

    def __str__(self):
        return f"{self.zone} {self.jour}"


class IndicateursEtat(models.Model):
    """The rollup's watermark (one row): the status changes before `jusqua` are counted."""

    jusqua = models.DateTimeField(_("calculé jusqu'à"))

    class Meta:
        verbose_name = _("état du calcul des indicateurs")

    def __str__(self):
        return f"Indicateurs calculés jusqu'au {self.jusqua:%d/%m/%Y %H:%M}"

"""What the call platforms, laboratories and pharmacies record on a fiche (issue 5): calls,
samples with their RT-PCR result, mask deliveries. Append-only like the status history: each is
an event, kept for the fiche's history; written only by `fiches.services_tracing`.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fiches.choices_display import ChoicesDisplay

QUATORZAINE = timedelta(days=14)


class _AppendOnlyQuerySet(models.QuerySet):
    def delete(self):
        from fiches.models import DeletionForbidden

        raise DeletionForbidden(_("Cet historique ne peut pas être supprimé."))

    delete.queryset_only = True


class _AppendOnly(ChoicesDisplay, models.Model):
    objects = _AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        from fiches.models import DeletionForbidden

        raise DeletionForbidden(_("Cet historique ne peut pas être supprimé."))


class Appel(_AppendOnly):
    """One call of the platform to the person of a fiche, its outcome and the instructions."""

    class Issue(models.TextChoices):
        JOINT = "joint", _("Personne jointe")
        PAS_DE_REPONSE = "pas_de_reponse", _("Pas de réponse (à rappeler)")
        FAUX_NUMERO = "faux_numero", _("Faux numéro")
        NON_AVERE = "non_avere", _("Contact non avéré")
        REFUS = "refus", _("Refus de la personne")

    fiche = models.ForeignKey(
        "fiches.Fiche", on_delete=models.PROTECT, related_name="appels", verbose_name=_("fiche")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("par")
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    issue = models.CharField(_("issue de l'appel"), max_length=16, choices=Issue)
    rappel_le = models.DateTimeField(_("à rappeler le"), null=True, blank=True)
    consigne_masque = models.BooleanField(_("Masque"), default=False)
    consigne_test = models.BooleanField(_("Test RT-PCR"), default=False)
    consigne_isolement = models.BooleanField(_("Isolement / quatorzaine"), default=False)
    date_dernier_contact = models.DateField(_("date du dernier contact"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("appel")
        verbose_name_plural = _("appels")
        ordering = ["fiche", "at", "id"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_issue_display()}"

    @property
    def fin_quatorzaine(self):
        """Date du dernier contact + 14 jours (the guide's quatorzaine)."""
        if self.date_dernier_contact is None:
            return None
        return self.date_dernier_contact + QUATORZAINE

    @property
    def consignes(self):
        given = []
        if self.consigne_masque:
            given.append(str(_("masque")))
        if self.consigne_test:
            given.append(str(_("test RT-PCR")))
        if self.consigne_isolement:
            given.append(str(_("isolement / quatorzaine")))
        return given


class Prelevement(_AppendOnly):
    """A sample taken by a laboratory, then its RT-PCR result (once)."""

    class Resultat(models.TextChoices):
        POSITIF = "positif", _("Positif")
        NEGATIF = "negatif", _("Négatif")

    fiche = models.ForeignKey(
        "fiches.Fiche",
        on_delete=models.PROTECT,
        related_name="prelevements",
        verbose_name=_("fiche"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("par")
    )
    date = models.DateField(_("date du prélèvement"))
    lieu = models.CharField(_("lieu du prélèvement"), max_length=200)
    created_at = models.DateTimeField(_("enregistré le"), default=timezone.now)
    resultat = models.CharField(_("résultat RT-PCR"), max_length=8, choices=Resultat, blank=True)
    resultat_le = models.DateTimeField(_("résultat enregistré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("prélèvement")
        verbose_name_plural = _("prélèvements")
        ordering = ["fiche", "created_at", "id"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.lieu} {self.get_resultat_display() or ''}".strip()


class DelivranceMasques(_AppendOnly):
    """Masks handed to a contact by a pharmacy."""

    fiche = models.ForeignKey(
        "fiches.Fiche",
        on_delete=models.PROTECT,
        related_name="delivrances_masques",
        verbose_name=_("fiche"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("par")
    )
    date = models.DateField(_("date de délivrance"))
    nombre = models.PositiveSmallIntegerField(_("nombre de masques"), default=14)
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        verbose_name = _("délivrance de masques")
        verbose_name_plural = _("délivrances de masques")
        ordering = ["fiche", "date", "id"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} : {self.nombre} masques"


class CorrectionResultat(_AppendOnly):
    """A laboratory corrected a result it recorded (within `CORRECTION_DELAI`): who, when, from
    what to what, why, and whether the positive result's promotion was undone (issue 17 § 6)."""

    prelevement = models.ForeignKey(
        Prelevement, on_delete=models.PROTECT, related_name="corrections",
        verbose_name=_("prélèvement"),
    )  # fmt: skip
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("par")
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    avant = models.CharField(_("résultat corrigé"), max_length=8, choices=Prelevement.Resultat)
    apres = models.CharField(_("nouveau résultat"), max_length=8, choices=Prelevement.Resultat)
    motif = models.CharField(_("motif"), max_length=300)
    promotion_annulee = models.BooleanField(_("passage en patient zéro annulé"), default=False)

    class Meta:
        verbose_name = _("correction de résultat")
        verbose_name_plural = _("corrections de résultats")
        ordering = ["prelevement", "at", "id"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_avant_display()} → {self.get_apres_display()}"


CORRECTION_DELAI = timedelta(days=1)

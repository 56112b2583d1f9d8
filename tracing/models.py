from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fiches.models import Collectivite


class ThrottleWindow(models.Model):
    """How many times one account did one kind of lookup in one window of time.

    Kept in the database, so the limit holds across every app server process.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(_("type de recherche"), max_length=32)
    window_start = models.DateTimeField(_("début de la fenêtre"))
    hits = models.PositiveIntegerField(_("recherches"), default=0)

    class Meta:
        verbose_name = _("compteur de recherches")
        verbose_name_plural = _("compteurs de recherches")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scope", "window_start"], name="throttle_one_row_per_window"
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.scope} {self.window_start:%H:%M} : {self.hits}"


class Affectation(models.Model):
    """Where a platform or ARS agent works: the caisse and the départements it covers (a
    conseiller plateforme), or the région (an agent ARS). Edited by administrators."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="affectation",
        verbose_name=_("compte"),
    )
    caisse = models.ForeignKey(
        "accounts.Caisse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("caisse (conseiller plateforme)"),
    )
    departements = models.CharField(
        _("départements couverts"),
        max_length=200,
        blank=True,
        help_text=_("Codes séparés par des virgules, par exemple « 93, 94 »."),
    )
    region = models.CharField(
        _("région (agent ARS)"),
        max_length=10,
        blank=True,
        help_text=_("Code ISO 3166-2, par exemple « FR-IDF »."),
    )

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations (plateformes et ARS)")

    def __str__(self):
        return f"{self.user} — {self.region or self.departements}"

    @property
    def departements_list(self):
        return [code.strip().upper() for code in self.departements.split(",") if code.strip()]


class Cluster(models.Model):
    """A named collectivity under investigation by an ARS, with the fiches linked to it."""

    class Statut(models.TextChoices):
        OUVERT = "ouvert", _("Ouvert")
        EN_INVESTIGATION = "en_investigation", _("En cours d'investigation")
        MAITRISE = "maitrise", _("Maîtrisé")
        CLOS = "clos", _("Clos")

    nom = models.CharField(_("nom de la collectivité"), max_length=200)
    collectivite = models.CharField(
        _("type de collectivité"), max_length=20, choices=Collectivite.choices
    )
    region = models.CharField(_("région"), max_length=10, db_index=True)
    departement = models.CharField(_("département"), max_length=3, blank=True)
    statut = models.CharField(_("statut"), max_length=20, choices=Statut, default=Statut.OUVERT)
    notes = models.TextField(_("notes"), blank=True)
    # Optimistic concurrency: two agents editing the follow-up at once never overwrite each other.
    version = models.PositiveIntegerField(default=1, editable=False)
    fiches = models.ManyToManyField(
        "fiches.Fiche", related_name="clusters", blank=True, verbose_name=_("fiches liées")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ouvert par"),
    )
    created_at = models.DateTimeField(_("ouvert le"), auto_now_add=True)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.nom


class Submission(models.Model):
    """A form submission that landed: its token (a hidden field of each form render), so that
    the same submission posted again (a double click, a resent request, a reloaded page) does
    not write twice but leads to where the first one did. Kept a day (periodic pruning)."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("soumission de formulaire")
        verbose_name_plural = _("soumissions de formulaire")

    def __str__(self):
        return str(self.token)


class ImportContacts(models.Model):
    """A list of contacts read from a CSV or XLSX file, checked and shown before anything is
    written; confirmed, a job creates them in one transaction (fiches.imports). Its rows hold
    identities: deleted by the retention purge a day after."""

    class Etat(models.TextChoices):
        APERCU = "apercu", _("Aperçu")
        EN_COURS = "en_cours", _("Import en cours")
        TERMINE = "termine", _("Importé")
        ECHEC = "echec", _("Échec")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    origine = models.ForeignKey(
        "fiches.Fiche", on_delete=models.PROTECT, related_name="+", verbose_name=_("patient zéro")
    )
    # An import made from a cluster's page (ARS): its contacts are linked to the cluster too.
    cluster = models.ForeignKey(
        "tracing.Cluster", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    nom_fichier = models.CharField(_("fichier"), max_length=200)
    lignes = models.JSONField(_("lignes valides"), default=list)
    erreurs = models.JSONField(_("erreurs"), default=list)
    etat = models.CharField(_("état"), max_length=10, choices=Etat, default=Etat.APERCU)
    crees = models.PositiveIntegerField(_("contacts créés"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("import de contacts")
        verbose_name_plural = _("imports de contacts")

    def __str__(self):
        return f"{self.nom_fichier} ({self.get_etat_display()})"

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class Caisse(models.Model):
    """A caisse gestionnaire (CPAM) as the référentiel knows it."""

    nom = models.CharField(_("nom"), max_length=150, unique=True)
    adresse = models.CharField(_("adresse"), max_length=200, blank=True)
    code_postal = models.CharField(_("code postal"), max_length=5, blank=True)
    ville = models.CharField(_("ville"), max_length=100, blank=True)
    telephone = models.CharField(_("téléphone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("caisse gestionnaire")
        verbose_name_plural = _("caisses gestionnaires")
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Professionnel(models.Model):
    """A health professional or an establishment known to the Assurance Maladie (référentiel).

    One account (User.professionnel) covers every practice place of the professional.
    """

    class Civilite(models.TextChoices):
        DOCTEUR = "Dr", _("Docteur")
        MADAME = "Mme", _("Madame")
        MONSIEUR = "M.", _("Monsieur")

    class Profession(models.TextChoices):
        MEDECIN = "medecin", _("Médecin")
        BIOLOGISTE = "biologiste", _("Biologiste / laboratoire")
        PHARMACIEN = "pharmacien", _("Pharmacien / pharmacie")
        INFIRMIER = "infirmier", _("Infirmier")
        AUTRE = "autre", _("Autre profession de santé")

    civilite = models.CharField(_("civilité"), max_length=3, choices=Civilite, blank=True)
    nom = models.CharField(_("nom"), max_length=150, blank=True)
    prenom = models.CharField(_("prénom"), max_length=150, blank=True)
    raison_sociale = models.CharField(_("raison sociale"), max_length=200, blank=True)
    profession = models.CharField(_("profession"), max_length=20, choices=Profession)
    specialite = models.CharField(_("spécialité"), max_length=150, blank=True)
    situation_conventionnelle = models.CharField(
        _("situation conventionnelle"), max_length=150, blank=True
    )
    nir = models.CharField(
        _("NIR"), max_length=15, blank=True, help_text=_("15 chiffres, sans espace.")
    )
    # The national professional number (RPPS, 11 digits): what Pro Santé Connect asserts.
    rpps = models.CharField(
        _("N° RPPS"), max_length=11, blank=True, help_text=_("11 chiffres, sans espace.")
    )
    iban_fin = models.CharField(
        _("4 derniers caractères de l'IBAN professionnel"), max_length=4, blank=True
    )
    # Throttle of the security key (NIR + IBAN) at account creation: a row, taken with a lock.
    cle_echecs = models.PositiveSmallIntegerField(_("échecs de clé de sécurité"), default=0)
    cle_bloquee_jusqua = models.DateTimeField(
        _("clé de sécurité bloquée jusqu'à"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("professionnel de santé")
        verbose_name_plural = _("professionnels de santé (référentiel)")
        ordering = ["nom", "raison_sociale"]
        constraints = [
            models.UniqueConstraint(
                fields=["rpps"], condition=~models.Q(rpps=""), name="professionnel_rpps_unique"
            )
        ]

    def __str__(self):
        return self.nom_complet

    @property
    def nom_complet(self):
        """ "Dr Yves OLIVIER" or "Pharmacie DEMO"."""
        if self.raison_sociale and not self.nom:
            return self.raison_sociale
        parts = [self.civilite, self.prenom, self.nom.upper()]
        return " ".join(part for part in parts if part)

    @property
    def is_etablissement(self):
        """Establishments (pharmacies, laboratories) are known by FINESS numbers only."""
        lieux = list(self.lieux.all())
        return bool(lieux) and all(
            lieu.type_numero == LieuExercice.TypeNumero.FINESS for lieu in lieux
        )


class LieuExercice(models.Model):
    """A practice place of a professional, identified by its AM or FINESS number."""

    class TypeNumero(models.TextChoices):
        AM = "AM", _("N° d'Assurance Maladie")
        FINESS = "FINESS", _("N° FINESS")

    professionnel = models.ForeignKey(
        Professionnel,
        on_delete=models.PROTECT,
        related_name="lieux",
        verbose_name=_("professionnel"),
    )
    type_numero = models.CharField(_("type de numéro"), max_length=6, choices=TypeNumero)
    numero = models.CharField(_("numéro AM ou FINESS"), max_length=9, unique=True)
    libelle = models.CharField(_("libellé"), max_length=100, blank=True, default="Cabinet")
    adresse = models.CharField(_("adresse"), max_length=200)
    code_postal = models.CharField(_("code postal"), max_length=5)
    ville = models.CharField(_("ville"), max_length=100)
    caisse = models.ForeignKey(
        Caisse,
        on_delete=models.PROTECT,
        related_name="lieux",
        verbose_name=_("caisse gestionnaire"),
    )

    class Meta:
        verbose_name = _("lieu d'exercice")
        verbose_name_plural = _("lieux d'exercice")
        ordering = ["professionnel", "id"]

    def __str__(self):
        return f"{self.get_type_numero_display()} {self.numero} — {self.adresse}, {self.ville}"


class User(AbstractUser):
    """A person who signs in: a health professional (médecin, laboratoire, pharmacie), a
    call-platform agent, an ARS agent or an administrator.

    `username` is an internal, unique identifier; people sign in with their e-mail (when no other
    professional shares it) or the AM / FINESS number of one of their practice places. That is why
    the e-mail is not unique here.
    """

    class Civilite(models.TextChoices):
        DOCTEUR = "Dr", _("Docteur")
        MADAME = "Mme", _("Madame")
        MONSIEUR = "M.", _("Monsieur")

    civilite = models.CharField(_("civilité"), max_length=3, choices=Civilite, blank=True)
    email = models.EmailField(_("adresse e-mail"), blank=True, db_index=True)
    professionnel = models.OneToOneField(
        Professionnel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compte",
        verbose_name=_("professionnel du référentiel"),
    )
    # Lockout: per account, in the database, changed only under a row lock (accounts.services).
    echecs_connexion = models.PositiveSmallIntegerField(_("échecs de connexion"), default=0)
    bloque_jusqua = models.DateTimeField(_("compte bloqué jusqu'à"), null=True, blank=True)
    email_en_attente = models.EmailField(
        _("nouvelle adresse e-mail à valider"), blank=True, default=""
    )
    bienvenue_vue = models.BooleanField(_("fenêtre de bienvenue vue"), default=False)
    doit_changer_mot_de_passe = models.BooleanField(
        _("doit choisir un nouveau mot de passe"), default=False
    )
    # At most one reset e-mail per RESET_EMAIL_INTERVAL: "Mot de passe oublié" must not become a
    # way to flood someone's mailbox.
    reinitialisation_envoyee_le = models.DateTimeField(
        _("dernier e-mail de réinitialisation"), null=True, blank=True
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self):
        return self.display_name or self.username

    @property
    def display_name(self):
        """How the header names the person: "Dr Sophie GÉNÉRALISTE"."""
        parts = [self.civilite, self.first_name, self.last_name.upper()]
        return " ".join(part for part in parts if part)

    @cached_property
    def roles(self):
        """The user's roles, read once per request from their groups."""
        if not self.is_authenticated:
            return frozenset()
        names = set(self.groups.values_list("name", flat=True))
        return frozenset(role for role in Role if role.value in names)

    def has_role(self, role):
        return role in self.roles

    @property
    def role(self):
        """The user's main role (one per account in practice), or None."""
        return next((role for role in Role if role in self.roles), None)

    @property
    def est_bloque(self):
        return self.bloque_jusqua is not None and self.bloque_jusqua > timezone.now()


class SecurityEvent(models.Model):
    """Append-only journal of what happens to an account: who, what, when, from which IP.

    Never a password nor a token: only the action and, for failures, the kind of identifier.
    """

    class Action(models.TextChoices):
        SIGNED_IN = "account.signed_in", _("Connexion par identifiant et mot de passe")
        SIGN_IN_FAILED = "account.sign_in_failed", _("Échec de connexion (mot de passe erroné)")
        LOCKED = "account.locked", _("Blocage du compte")
        UNLOCKED = "account.unlocked", _("Déblocage du compte")
        SIGNED_OUT = "account.signed_out", _("Déconnexion")
        RESET_REQUESTED = (
            "account.reset_requested",
            _("Demande de réinitialisation de mot de passe"),
        )
        PASSWORD_RESET = "account.password_reset", _("Réinitialisation de mot de passe")
        PASSWORD_CHANGED = "account.password_changed", _("Modification du mot de passe")
        EMAIL_CHANGE_REQUESTED = (
            "account.email_change_requested",
            _("Demande de modification d'adresse e-mail"),
        )
        EMAIL_CHANGED = "account.email_changed", _("Modification d'adresse e-mail")
        CREATED = "account.created", _("Création du compte")
        EMAIL_VALIDATED = "account.email_validated", _("Validation de l'adresse e-mail")
        PSC_SIGNED_IN = "account.psc_signed_in", _("Connexion par Pro Santé Connect")
        SECOND_FACTOR_ENABLED = (
            "account.otp_enabled",
            _("Activation de la double authentification"),
        )
        SECOND_FACTOR_FAILED = (
            "account.otp_failed",
            _("Échec de connexion (code de double authentification erroné)"),
        )
        RECOVERY_CODE_USED = "account.recovery_code_used", _("Connexion avec un code de secours")
        OTHER_SESSIONS_ENDED = "account.other_sessions_ended", _("Fermeture des autres sessions")
        PSC_REFUSED = "account.psc_refused", _("Connexion par Pro Santé Connect refusée")

    # None: a refused Pro Santé Connect sign-in of no known account (an unknown professional,
    # a forged answer); the detail says why.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="security_events",
        verbose_name=_("compte"),
        null=True,
        blank=True,
    )
    action = models.CharField(_("évènement"), max_length=40, choices=Action)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    detail = models.CharField(_("détail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("évènement de sécurité")
        verbose_name_plural = _("évènements de sécurité")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.get_action_display()}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Le journal de sécurité ne se supprime pas.")


class SessionOuverte(models.Model):
    """A signed-in session of an account, for « Sessions ouvertes » in Gestion de compte (issue
    15): the session store keeps sessions by key only. A row is written at sign-in, removed at
    sign-out or when its session is found gone; its id lives in the session itself, so the row
    follows the session when its key changes (a password change)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sessions_ouvertes",
        verbose_name=_("compte"),
    )
    cle = models.CharField(_("clé de session"), max_length=40, db_index=True)
    ouverte_le = models.DateTimeField(_("ouverte le"), default=timezone.now)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    navigateur = models.CharField(_("navigateur"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("session ouverte")
        verbose_name_plural = _("sessions ouvertes")
        ordering = ["-ouverte_le", "-id"]

    def __str__(self):
        return f"{self.user_id} {self.ouverte_le:%d/%m/%Y %H:%M}"


class CodeSecours(models.Model):
    """A one-time recovery code of the second factor, kept only as its SHA-256 digest (the code
    is random, 50 bits: a digest is enough, and checking ten of them stays instant)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="codes_secours",
        verbose_name=_("compte"),
    )
    empreinte = models.CharField(_("empreinte"), max_length=64)
    utilise_le = models.DateTimeField(_("utilisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("code de secours")
        verbose_name_plural = _("codes de secours")

    def __str__(self):
        return f"{self.user_id} {'utilisé' if self.utilise_le else 'disponible'}"


class CourrierPostal(models.Model):
    """The outbox of postal letters (temporary passwords), as A4 PDFs admins print and post."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="courriers",
        verbose_name=_("compte"),
    )
    lieu = models.ForeignKey(
        LieuExercice, on_delete=models.PROTECT, related_name="+", verbose_name=_("adressé au lieu")
    )
    # The letter holds a temporary password in clear: kept only until it is posted, used or
    # cancelled (then emptied, issue 12).
    pdf = models.BinaryField(_("courrier PDF"), blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    envoye_le = models.DateTimeField(_("posté le"), null=True, blank=True)
    utilise_le = models.DateTimeField(_("utilisé le"), null=True, blank=True)
    annule_le = models.DateTimeField(_("annulé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("courrier postal")
        verbose_name_plural = _("courriers postaux (boîte d'envoi)")
        ordering = ["-created_at"]

    def __str__(self):
        return f"Courrier pour {self.lieu.professionnel} ({self.created_at:%d/%m/%Y})"


class CreationAttempt(models.Model):
    """One try at « Créer mon compte » (a number typed), to limit them per address and per number:
    the answer says whether a number is known, so it must not be asked 40 times a second."""

    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    numero = models.CharField(_("numéro"), max_length=9)
    at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("tentative de création de compte")
        verbose_name_plural = _("tentatives de création de compte")
        indexes = [
            models.Index(fields=["ip", "at"], name="creation_ip_at"),
            models.Index(fields=["numero", "at"], name="creation_numero_at"),
        ]

    def __str__(self):
        return f"{self.numero} ({self.at:%d/%m/%Y %H:%M})"


class EssaiInconnu(models.Model):
    """Wrong sign-ins on an identifier no account has, counted like an account's (issue 17 § 4):
    the same warning before the last try, then the same block, so that the page never tells
    whether an account exists. Keyed by a keyed digest of the identifier, never the identifier;
    forgotten after a day by the retention job."""

    cle = models.CharField(_("empreinte de l'identifiant"), max_length=64, unique=True)
    echecs = models.PositiveSmallIntegerField(_("échecs"), default=0)
    bloque_jusqua = models.DateTimeField(_("bloqué jusqu'à"), null=True, blank=True)
    dernier_essai = models.DateTimeField(_("dernier essai"), default=timezone.now)

    class Meta:
        verbose_name = _("essai sur un identifiant inconnu")
        verbose_name_plural = _("essais sur des identifiants inconnus")
        indexes = [models.Index(fields=["dernier_essai"], name="essai_inconnu_date")]

    def __str__(self):
        return f"{self.cle[:8]}… : {self.echecs}"

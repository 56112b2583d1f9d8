"""The laboratories' systems (issue 16): their API clients, the access tokens those obtain, every
result received (the idempotency record) and the bundles processed in the background.

No health data is kept here past its processing: a result's receipt holds its identifier, a digest
of what it said and what it did (the fiche it touched), never the person's identity; a background
bundle's content is emptied once processed.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fiches.choices_display import ChoicesDisplay


class ClientAPI(models.Model):
    """One laboratory system allowed to post results, known by the laboratory's FINESS.

    OAuth 2.0 client-credentials (RFC 6749 § 4.4): `client_id` is public, the secret is shown once
    to the admin who creates the client and kept only as a hash (Argon2, like passwords). The
    client acts through `compte`, a technical account that can never sign in (inactive, no
    password) and that the histories and the audit log name as the author of what it records.
    """

    client_id = models.CharField(_("identifiant du client"), max_length=48, unique=True)
    secret_hash = models.CharField(_("empreinte du secret"), max_length=256)
    nom = models.CharField(_("nom du système"), max_length=150)
    laboratoire = models.ForeignKey(
        "accounts.LieuExercice",
        on_delete=models.PROTECT,
        related_name="clients_api",
        verbose_name=_("laboratoire (FINESS)"),
    )
    compte = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="client_api",
        verbose_name=_("compte technique"),
    )
    actif = models.BooleanField(_("actif"), default=True)
    cree_le = models.DateTimeField(_("créé le"), default=timezone.now)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("créé par"),
    )
    revoque_le = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("client API d'un laboratoire")
        verbose_name_plural = _("clients API des laboratoires")
        ordering = ["-cree_le"]

    def __str__(self):
        return f"{self.nom} ({self.finess})"

    @property
    def finess(self) -> str:
        return self.laboratoire.numero

    # Authlib's ClientMixin, for the client-credentials grant only.
    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return SCOPE

    def check_redirect_uri(self, redirect_uri):
        return False

    def check_client_secret(self, client_secret):
        from django.contrib.auth.hashers import check_password

        return self.actif and check_password(client_secret, self.secret_hash)

    def check_endpoint_auth_method(self, method, endpoint):
        return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return False

    def check_grant_type(self, grant_type):
        return grant_type == "client_credentials"


SCOPE = "resultats"


class JetonAPI(models.Model):
    """An access token issued to a client: only its SHA-256 is kept (a token is a random 42
    characters: a plain digest suffices, and a lookup by it is one index read per call)."""

    client = models.ForeignKey(ClientAPI, on_delete=models.CASCADE, related_name="jetons")
    empreinte = models.CharField(_("empreinte du jeton"), max_length=64, unique=True)
    scope = models.CharField(_("portée"), max_length=64, default=SCOPE)
    emis_le = models.DateTimeField(_("émis le"), default=timezone.now)
    expire_le = models.DateTimeField(_("expire le"))
    revoque = models.BooleanField(_("révoqué"), default=False)

    class Meta:
        verbose_name = _("jeton d'accès")
        verbose_name_plural = _("jetons d'accès")
        indexes = [models.Index(fields=["expire_le"], name="jeton_expire_idx")]

    def __str__(self):
        return f"{self.client_id} {self.emis_le:%d/%m/%Y %H:%M}"

    # Authlib's TokenMixin.
    def check_client(self, client):
        return self.client_id == client.pk

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return int((self.expire_le - self.emis_le).total_seconds())

    def is_expired(self):
        return self.expire_le <= timezone.now()

    def is_revoked(self):
        return self.revoque or not self.client.actif

    def get_user(self):
        return self.client.compte

    def get_client(self):
        return self.client


class ResultatRecu(ChoicesDisplay, models.Model):
    """One RT-PCR result received from a laboratory's system, by its `Observation.identifier`:
    the second time the same identifier comes, nothing is recorded again. Append-only."""

    class Effet(models.TextChoices):
        CONTACT_PROMU = "contact_promu", _("Contact devenu patient zéro")
        DIAGNOSTIC_CONFIRME = "diagnostic_confirme", _("Diagnostic du patient zéro confirmé")
        PATIENT_ZERO_CREE = "patient_zero_cree", _("Patient zéro créé (plateforme)")
        RESULTAT_ENREGISTRE = "resultat_enregistre", _("Résultat enregistré sur la fiche")
        SANS_FICHE = "sans_fiche", _("Négatif sans fiche ouverte : rien à suivre")

    client = models.ForeignKey(ClientAPI, on_delete=models.PROTECT, related_name="+")
    finess = models.CharField(_("FINESS du laboratoire"), max_length=9)
    identifiant_systeme = models.CharField(_("système de l'identifiant"), max_length=255)
    identifiant = models.CharField(_("identifiant du résultat"), max_length=128)
    empreinte = models.CharField(_("empreinte du contenu"), max_length=64)
    resultat = models.CharField(_("résultat"), max_length=8)
    effet = models.CharField(_("effet"), max_length=24, choices=Effet)
    fiche = models.ForeignKey(
        "fiches.Fiche", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recu_le = models.DateTimeField(_("reçu le"), default=timezone.now)

    class Meta:
        verbose_name = _("résultat reçu")
        verbose_name_plural = _("résultats reçus")
        constraints = [
            models.UniqueConstraint(
                fields=["finess", "identifiant_systeme", "identifiant"],
                name="resultat_recu_une_fois",
            )
        ]

    def __str__(self):
        return f"{self.finess} {self.identifiant}"


class LotFHIR(ChoicesDisplay, models.Model):
    """A large bundle accepted with 202 and processed by the job runner; its status URL answers
    202 until it is done, then the response bundle (FHIR asynchronous request pattern)."""

    class Etat(models.TextChoices):
        EN_ATTENTE = "en_attente", _("En attente")
        TERMINE = "termine", _("Terminé")
        ECHEC = "echec", _("Échec technique")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(ClientAPI, on_delete=models.PROTECT, related_name="lots")
    etat = models.CharField(_("état"), max_length=12, choices=Etat, default=Etat.EN_ATTENTE)
    entrees = models.PositiveIntegerField(_("entrées"))
    contenu = models.JSONField(_("contenu (vidé une fois traité)"), null=True, blank=True)
    statut_http = models.PositiveSmallIntegerField(_("statut HTTP de la réponse"), null=True)
    reponse = models.JSONField(_("réponse"), null=True, blank=True)
    recu_le = models.DateTimeField(_("reçu le"), default=timezone.now)
    pris_le = models.DateTimeField(_("pris par un worker le"), null=True, blank=True)
    tentatives = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    termine_le = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("lot FHIR")
        verbose_name_plural = _("lots FHIR")
        ordering = ["-recu_le"]
        indexes = [
            # The relaunch of lots left waiting: a few rows at any time.
            models.Index(
                fields=["recu_le"],
                name="lot_en_attente",
                condition=models.Q(etat="en_attente"),
            )
        ]

    def __str__(self):
        return f"{self.id} ({self.get_etat_display()})"

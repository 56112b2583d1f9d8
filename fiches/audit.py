"""The audit log: who did what to which record, when and from where. Append-only.

Modelled on pretix's LogEntry: an actor, a dotted action name (`fiche.viewed`,
`fiche.status_changed`, `fiche.lookup`…), the object (any model, by content type and id, so the
log outlives any change of the fiches' shape), JSON data with secrets masked, the IP, a time.

No code path updates or deletes an entry: the model, its queryset and (on PostgreSQL) a trigger
refuse it.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    """Raised when anything tries to change or delete an audit entry."""


SECRET_KEYS = ("password", "mot_de_passe", "token", "secret", "cle", "iban", "csrf")
MASK = "********"


def mask_secrets(data):
    """A copy of `data` where any key that names a secret has its value masked, at any depth."""
    if isinstance(data, dict):
        return {
            key: MASK
            if any(word in str(key).lower() for word in SECRET_KEYS)
            else mask_secrets(value)
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [mask_secrets(value) for value in data]
    return data


# Every action the services write, with what a person reads in the journal. The admin filters
# on this fixed list (no DISTINCT over millions of entries); a new action must be added here
# (`test_every_audited_action_has_a_label` reads the code for them).
ACTIONS = {
    "fiche.viewed": _("Fiche consultée"),
    "fiche.created": _("Fiche créée"),
    "fiche.updated": _("Fiche modifiée"),
    "fiche.status_changed": _("État de la fiche changé"),
    "fiche.lookup": _("Recherche d'une personne (laboratoire, pharmacie)"),
    "fiche.lookup_refused": _("Recherche d'une personne refusée"),
    "fiche.searched": _("Recherche dans la plateforme"),
    "fiche.reserved": _("Fiche prise par un conseiller"),
    "fiche.call_recorded": _("Appel enregistré"),
    "fiche.recall_moved": _("Rappel déplacé"),
    "fiche.transferred": _("Fiche transmise à une autre caisse"),
    "fiche.consent_changed": _("Accord du patient zéro modifié"),
    "fiche.same_person_linked": _("Fiches liées comme une même personne"),
    "fiche.sample_recorded": _("Prélèvement enregistré"),
    "fiche.result_recorded": _("Résultat RT-PCR enregistré"),
    "fiche.result_corrected": _("Résultat RT-PCR corrigé par le laboratoire"),
    "fiche.masks_delivered": _("Masques délivrés"),
    "fiche.form_sent": _("Formulaire de contact envoyé"),
    "fiche.import_confirmed": _("Import de contacts confirmé"),
    "fiche.linked_to_cluster": _("Fiche liée à un cluster"),
    "fiches.listed": _("Liste de fiches affichée"),
    "beneficiaire.lookup": _("Recherche d'un assuré"),
    "beneficiaire.lookup_refused": _("Recherche d'un assuré refusée"),
    "cluster.created": _("Cluster ouvert"),
    "cluster.updated": _("Cluster mis à jour"),
    "cluster.viewed": _("Cluster consulté"),
    "cluster.contacts_imported": _("Contacts importés dans un cluster"),
    "ars.export_csv": _("Export des cas (ARS) demandé"),
    "ars.export_csv_complete": _("Export des cas (ARS) envoyé en entier"),
    "admin.viewed": _("Consultation dans l'administration"),
    "admin.listed": _("Liste affichée dans l'administration"),
    "admin.letter_downloaded": _("Courrier postal téléchargé"),
    "api.client_created": _("Client API d'un laboratoire créé"),
    "api.secret_renewed": _("Secret d'un client API renouvelé"),
    "api.client_revoked": _("Client API révoqué"),
    "api.token_issued": _("Jeton d'accès délivré à un client API"),
    "api.bundle_received": _("Résultats reçus d'un laboratoire (FHIR)"),
    "api.lot_processed": _("Lot de résultats traité (FHIR)"),
    "api.lot_failed": _("Lot de résultats en échec (FHIR)"),
}


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly(_("Le journal d'audit ne se modifie pas."))

    def delete(self):
        raise AuditLogIsAppendOnly(_("Le journal d'audit ne se supprime pas."))

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=obj.pk,
        )


class AuditLog(models.Model):
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField(_("rôle"), max_length=40, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("type d'objet"),
    )  # fmt: skip
    object_id = models.BigIntegerField(_("n° de l'objet"), null=True, blank=True)
    data = models.JSONField(_("données"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "Qui a consulté cette fiche": the entries of one object, newest first.
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="audit_object_idx"
            ),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
            # The admin's filter on one action, newest first (a rare one, too).
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditLogIsAppendOnly(_("Le journal d'audit ne se modifie pas."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly(_("Le journal d'audit ne se supprime pas."))


# The address of the request being served (set by contactcovid.middleware.AuditContextMiddleware),
# so that an entry written by a service deep below the view still says where the person was.
_current_ip: ContextVar[str | None] = ContextVar("audit_current_ip", default=None)


@contextmanager
def request_ip(ip):
    token = _current_ip.set(ip or None)
    try:
        yield
    finally:
        _current_ip.reset(token)


def client_ip(request):
    """The client's address (behind proxies, ForwardedForMiddleware has set REMOTE_ADDR); else
    the address of the request being served; None outside a request (a command, a job)."""
    if request is not None:
        return request.META.get("REMOTE_ADDR") or None
    return _current_ip.get()


def audit_log(*, actor, action, obj=None, data=None, request=None):
    """Append one entry to the audit log (in the caller's transaction, if any)."""
    role = getattr(actor, "role", None) if actor is not None else None
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_role=role.value if role is not None else "",
        action=action,
        content_type=(
            ContentType.objects.get_for_model(obj, for_concrete_model=False) if obj else None
        ),
        object_id=obj.pk if obj is not None else None,
        data=mask_secrets(data or {}),
        ip=client_ip(request),
    )

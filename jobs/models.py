"""What the job runner keeps beside django-tasks' own queue table: e-mails and periodic runs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """One e-mail to send, written in the same transaction as the change that needs it.

    The request only writes this row and enqueues `jobs.tasks.send_email`; a worker talks to the
    SMTP server. Once sent, the bodies and the attachment are blanked: links and health data do
    not stay in the database longer than their delivery.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    to = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet"), max_length=255)
    body_text = models.TextField(_("texte"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    attachment_name = models.CharField(_("pièce jointe"), max_length=100, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    # A worker sending it holds this claim; another job for the same e-mail then does nothing.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail sortant")
        verbose_name_plural = _("e-mails sortants")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweeper's and the health check's read: pending e-mails, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                name="jobs_email_pending_idx",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class PeriodicRun(models.Model):
    """When a periodic task is next due; claimed with one UPDATE, so one worker runs it."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tâche périodique")
        verbose_name_plural = _("tâches périodiques")

    def __str__(self):
        return self.name

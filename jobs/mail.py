"""E-mail as durable jobs: `enqueue_email` in the request's transaction, `deliver` in a worker.

Rules:
- the request never talks to the SMTP server: it writes an `OutgoingEmail` row and enqueues its
  job in the same transaction, so a committed change always has its e-mail and a rolled-back one
  never does;
- a failed delivery is retried with back-off (`RETRY_DELAYS`: the first retries within a minute,
  then spaced out over about fifteen hours), then the e-mail is marked failed: listed in the admin
  with an action to send it again, and logged at ERROR (never silent);
- delivering is idempotent: a second job for an e-mail already sent, or being sent by another
  worker (`claimed_until`), does nothing. A worker that dies mid-send leaves a claim that expires;
  the periodic sweeper enqueues the e-mail again.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from jobs.models import OutgoingEmail

logger = logging.getLogger(__name__)

# Seconds to wait before each retry; len(RETRY_DELAYS) + 1 attempts in all.
RETRY_DELAYS = (15, 45, 120, 300, 900, 1800, 3600, 3600, 7200, 7200, 14400, 14400)
# A send holds its e-mail for this long at most (SMTP timeouts included), then the claim expires.
CLAIM_SECONDS = 300


def enqueue_email(*, to, subject, text, html="", attachment=None) -> OutgoingEmail:
    """Write the e-mail and enqueue its delivery, in the caller's transaction if there is one.

    `attachment` is (file name, content bytes, MIME type) or None.
    """
    from jobs.tasks import send_email

    name, content, mimetype = attachment or ("", b"", "")
    with transaction.atomic():
        email = OutgoingEmail.objects.create(
            to=to,
            subject=" ".join(subject.split())[:255],
            body_text=text,
            body_html=html,
            attachment_name=name,
            attachment=content,
            attachment_type=mimetype,
            next_attempt_at=timezone.now(),
        )
        send_email.enqueue(email.pk)
    return email


def _claim(email_id, now):
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != OutgoingEmail.Status.PENDING:
            return None
        if email.claimed_until and email.claimed_until > now:
            return None
        email.claimed_until = now + timedelta(seconds=CLAIM_SECONDS)
        email.save(update_fields=["claimed_until"])
    return email


def _message(email):
    message = EmailMultiAlternatives(
        email.subject, email.body_text, settings.DEFAULT_FROM_EMAIL, [email.to]
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.attachment_name:
        message.attach(email.attachment_name, bytes(email.attachment), email.attachment_type)
    return message


def deliver(*, email_id) -> str:
    """Send one e-mail (a worker's job); on failure, schedule the next attempt or give up."""
    from jobs.tasks import send_email

    now = timezone.now()
    email = _claim(email_id, now)
    if email is None:
        return "skipped"
    try:
        with get_connection(timeout=settings.EMAIL_TIMEOUT) as connection:
            connection.send_messages([_message(email)])
    except Exception as error:  # noqa: BLE001 (any failure is retried, then shown to admins)
        permanent = isinstance(error, smtplib.SMTPRecipientsRefused)
        return _failed(email, error, permanent=permanent, retry=send_email)
    with transaction.atomic():
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=OutgoingEmail.Status.SENT,
            sent_at=timezone.now(),
            attempts=email.attempts + 1,
            claimed_until=None,
            next_attempt_at=None,
            last_error="",
            # Delivered: the links and the health data it carried have no reason to stay here.
            body_text="",
            body_html="",
            attachment=b"",
        )
    logger.info("E-mail %s envoyé (essai %s)", email.pk, email.attempts + 1)
    return "sent"


def _failed(email, error, *, permanent, retry):
    attempts = email.attempts + 1
    description = f"{type(error).__name__}: {error}"[:500]
    with transaction.atomic():
        if permanent or attempts > len(RETRY_DELAYS):
            fields = {"status": OutgoingEmail.Status.FAILED, "next_attempt_at": None}
            logger.error(
                "E-mail %s abandonné après %s essais (%s) : à renvoyer depuis l'admin",
                email.pk,
                attempts,
                type(error).__name__,
            )
        else:
            when = timezone.now() + timedelta(seconds=RETRY_DELAYS[attempts - 1])
            fields = {"next_attempt_at": when}
            retry.using(run_after=when).enqueue(email.pk)
            logger.warning(
                "E-mail %s : essai %s échoué (%s), nouvel essai à %s",
                email.pk,
                attempts,
                type(error).__name__,
                when.isoformat(timespec="seconds"),
            )
        OutgoingEmail.objects.filter(pk=email.pk).update(
            attempts=attempts, last_error=description, claimed_until=None, **fields
        )
    return "failed" if "status" in fields else "retry"


def resend(*, email_ids) -> int:
    """An admin's "send again" on failed e-mails: a fresh series of attempts for each."""
    from jobs.tasks import send_email

    with transaction.atomic():
        emails = list(
            OutgoingEmail.objects.select_for_update().filter(
                pk__in=email_ids, status=OutgoingEmail.Status.FAILED
            )
        )
        for email in emails:
            email.status = OutgoingEmail.Status.PENDING
            email.attempts = 0
            email.next_attempt_at = timezone.now()
            email.save(update_fields=["status", "attempts", "next_attempt_at"])
            send_email.enqueue(email.pk)
    return len(emails)


def requeue_stale(*, older_than=timedelta(minutes=10)) -> int:
    """Pending e-mails whose attempt is long overdue (a worker died mid-send, a job was lost):
    enqueue them again. Harmless when the job was only late: delivery is idempotent."""
    from jobs.tasks import send_email

    now = timezone.now()
    stale = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.PENDING, next_attempt_at__lt=now - older_than
    ).exclude(claimed_until__gt=now)
    with transaction.atomic():
        ids = list(stale.values_list("pk", flat=True)[:1000])
        # Due again from now: the next sweep leaves them alone for `older_than`.
        OutgoingEmail.objects.filter(pk__in=ids).update(next_attempt_at=now)
        for email_id in ids:
            send_email.enqueue(email_id)
    count = len(ids)
    if count:
        logger.warning("%s e-mails en retard remis dans la file", count)
    return count

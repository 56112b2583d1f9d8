"""E-mails are durable jobs: the request writes, a worker delivers through a real SMTP server."""

import email as email_parser
from datetime import timedelta
from email import policy as email_policy

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fiches.tests.factories import FicheFactory
from jobs import mail
from jobs.models import OutgoingEmail
from jobs.testing import run_ready_jobs
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ask_reset(client, user):
    return client.post(
        reverse("accounts:password_forgotten"), {"identifiant": user.email}, follow=True
    )


def text_of(envelope):
    message = email_parser.message_from_bytes(envelope.content, policy=email_policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def make_due(email):
    """Time passes: the retry waiting for `email` is due now."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())


@pytest.fixture
def user(db):
    return UserFactory(email="sophie@exemple.fr")


def test_the_request_only_enqueues_and_a_worker_delivers_the_email_once(client, smtp, user):
    smtp.start()

    response = ask_reset(client, user)

    assert response.status_code == 200
    assert "correspond à un compte, un e-mail" in response.content.decode()
    assert smtp.messages == []  # the request did not talk to the SMTP server
    assert not OutgoingEmail.objects.exists()  # nor even looked the account up (a job does)
    run_ready_jobs(limit=1)  # the reset job: the e-mail is queued
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.PENDING

    run_ready_jobs()
    run_ready_jobs()
    mail.deliver(email_id=email.pk)  # a duplicate job changes nothing

    assert len(smtp.messages) == 1
    assert smtp.messages[0].rcpt_tos == ["sophie@exemple.fr"]
    assert "/compte/reinitialiser/" in text_of(smtp.messages[0])
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 1
    assert (email.body_text, email.body_html) == ("", "")  # the link does not stay here


def test_smtp_down_the_email_waits_and_is_retried_then_delivered_once(client, smtp, user):
    ask_reset(client, user)

    run_ready_jobs()  # nothing listens: refused

    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.PENDING
    assert email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error
    wait = (email.next_attempt_at - timezone.now()).total_seconds()
    assert 0 < wait <= mail.RETRY_DELAYS[0]  # the first retry comes within a minute
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == email.next_attempt_at
    assert run_ready_jobs() == 0  # not before its time
    assert smtp.messages == []

    smtp.start()
    make_due(email)
    run_ready_jobs()
    run_ready_jobs()

    assert len(smtp.messages) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")


def test_a_server_that_never_answers_does_not_hold_the_request(client, silent_smtp, user):
    response = ask_reset(client, user)

    assert response.status_code == 200
    run_ready_jobs(limit=1)  # the reset job: the e-mail is queued, not sent
    email = OutgoingEmail.objects.get()
    assert email.attempts == 0

    run_ready_jobs()  # the worker waits EMAIL_TIMEOUT (2 s here), then plans a retry

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.PENDING
    assert email.attempts == 1
    assert "timed out" in email.last_error or "Timeout" in email.last_error


def test_retries_are_spaced_out_over_hours_then_the_email_is_failed_and_listed(smtp, user):
    email = mail.enqueue_email(to="x@exemple.fr", subject="Objet", text="Texte")
    delays = []
    for _ in range(len(mail.RETRY_DELAYS) + 1):
        before = timezone.now()
        mail.deliver(email_id=email.pk)
        email.refresh_from_db()
        if email.next_attempt_at:
            delays.append((email.next_attempt_at - before).total_seconds())

    assert sum(mail.RETRY_DELAYS[:2]) <= 60
    assert sum(mail.RETRY_DELAYS) >= 12 * 3600
    assert [round(d) for d in delays] == list(mail.RETRY_DELAYS)
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.attempts == len(mail.RETRY_DELAYS) + 1


def test_an_admin_sends_a_failed_email_again(admin_client, smtp):
    email = mail.enqueue_email(to="x@exemple.fr", subject="Objet", text="Texte")
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.FAILED, attempts=13
    )
    DBTaskResult.objects.all().delete()
    changelist = reverse("admin:jobs_outgoingemail_changelist")
    listed = admin_client.get(changelist + "?status__exact=failed")
    assert "Objet" in listed.content.decode()

    admin_client.post(
        changelist, {"action": "send_again", "_selected_action": [email.pk]}, follow=True
    )
    smtp.start()
    run_ready_jobs()

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert len(smtp.messages) == 1


def test_a_rolled_back_change_sends_no_email(smtp, user):
    with pytest.raises(RuntimeError), transaction.atomic():
        mail.enqueue_email(to="x@exemple.fr", subject="Objet", text="Texte")
        raise RuntimeError

    assert not OutgoingEmail.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_refused_recipient_is_not_retried(smtp):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            return "550 No such user"

    smtp.recorder = Refusing()
    smtp.start()
    email = mail.enqueue_email(to="inconnu@exemple.fr", subject="Objet", text="Texte")

    run_ready_jobs()

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert "SMTPRecipientsRefused" in email.last_error


def test_the_sweeper_enqueues_again_an_email_left_behind_by_a_dead_worker(smtp):
    email = mail.enqueue_email(to="x@exemple.fr", subject="Objet", text="Texte")
    DBTaskResult.objects.all().delete()  # its job was lost
    long_ago = timezone.now() - timedelta(minutes=30)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=long_ago, claimed_until=long_ago
    )
    recent = mail.enqueue_email(to="y@exemple.fr", subject="Objet", text="Texte")

    assert mail.requeue_stale() == 1
    assert mail.requeue_stale() == 0  # not twice in a row

    smtp.start()
    run_ready_jobs()
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == ["x@exemple.fr", "y@exemple.fr"]
    recent.refresh_from_db()
    assert recent.status == OutgoingEmail.Status.SENT


def test_a_worker_sending_an_email_keeps_a_second_job_off_it(smtp):
    smtp.start()
    email = mail.enqueue_email(to="x@exemple.fr", subject="Objet", text="Texte")
    OutgoingEmail.objects.filter(pk=email.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=1)
    )

    assert mail.deliver(email_id=email.pk) == "skipped"
    assert smtp.messages == []


def test_the_contact_form_reaches_the_patient_with_its_pdf(client, smtp, medecin):
    fiche = FicheFactory(declarant=medecin, email="patient@exemple.fr")
    client.force_login(medecin)

    response = client.post(reverse("tracing:formulaire_contact_envoyer", args=[fiche.pk]))

    assert response.status_code == 302
    assert smtp.messages == []
    smtp.start()
    run_ready_jobs()
    assert len(smtp.messages) == 1
    content = smtp.messages[0].content.decode()
    assert 'filename="formulaire-de-contact.pdf"' in content

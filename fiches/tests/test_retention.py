"""Retention (issue 12): three months after collection, the identity goes; statistics stay."""

from datetime import date, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from accounts.models import CourrierPostal, CreationAttempt, SecurityEvent
from fiches import retention, services_tracing
from fiches.audit import AuditLog, audit_log
from fiches.models import Fiche, StatusChange
from fiches.models_tracing import Appel
from fiches.statuses import Statut
from fiches.tests.factories import ContactFactory, FicheFactory
from jobs.models import OutgoingEmail

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(timezone.datetime(2026, 11, 28, 3, 0))


def _collected(days_ago, medecin, **extra):
    at = NOW - timedelta(days=days_ago)
    patient = FicheFactory(declarant=medecin, created_at=at, date_naissance=date(1980, 5, 17),
                           telephone="+33612345678", email="kevan@exemple.fr",
                           voie="12 rue des Lilas", code_postal="93100", departement="93",
                           commune="Montreuil", collectivite="scolaire", **extra)  # fmt: skip
    return patient


def test_a_fiche_is_untouched_the_day_before_and_purged_the_day_after(medecin, settings):
    settings.RETENTION_DAYS = 90
    before = _collected(89, medecin, nom="Avant")
    after = _collected(91, medecin, nom="Apres", precisions="")

    report = retention.purge(now=NOW)

    before.refresh_from_db()
    after.refresh_from_db()
    assert before.nom == "Avant" and before.purgee_le is None and before.nir
    assert report.fiches == 1
    assert (after.nom, after.prenom, after.nir, after.telephone, after.email, after.voie,
            after.code_postal, after.commune, after.date_naissance) == (
        "", "", "", "", "", "", "", "", None)  # fmt: skip
    assert after.purgee_le == NOW and after.annee_naissance == 1980
    # What statistics need stays.
    assert (after.nature, after.departement, after.statut, after.collectivite) == (
        "patient_zero", "93", Statut.DIAGNOSTIC_CONFIRME, "scolaire")  # fmt: skip


def test_calls_lose_their_notes_and_history_its_free_reasons_audit_keeps_the_number(
    medecin, conseiller
):
    patient = _collected(100, medecin)
    contact = ContactFactory(origine=patient, created_at=NOW - timedelta(days=100),
                             statut="a_contacter", telephone="+33600000000")  # fmt: skip
    services_tracing.appel_record(fiche=contact, user=conseiller, issue=Appel.Issue.JOINT,
                                  note="Vit avec sa mère, Mme Caron")  # fmt: skip
    audit_log(actor=medecin, action="fiche.viewed", obj=contact)

    retention.purge(now=NOW)

    appel = Appel.objects.get(fiche=contact)
    assert appel.note == "" and appel.issue == "joint"
    assert not StatusChange.objects.filter(fiche=contact).exclude(motif="").exists()
    assert StatusChange.objects.filter(fiche=contact, to_statut="appel_realise").exists()
    assert AuditLog.objects.for_object(contact).filter(action="fiche.viewed").exists()


def test_the_purge_is_idempotent_resumable_and_bounded_per_transaction(medecin):
    for _ in range(7):
        _collected(120, medecin)

    first = retention.purge(now=NOW, batch=3, max_batches=2)  # cut short
    second = retention.purge(now=NOW, batch=3)
    third = retention.purge(now=NOW, batch=3)

    assert (first.fiches, first.batches) == (6, 2)
    assert (second.fiches, second.batches) == (1, 1)
    assert third.fiches == 0
    assert not Fiche.objects.filter(purgee_le__isnull=True).exclude(nom="").exists()


def test_sessions_mails_letters_tries_and_old_ip_addresses_are_forgotten(medecin, settings):
    settings.SECURITY_EVENT_IP_DAYS = 365
    expired = SessionStore()
    expired["tracing.found"] = [1, 2]
    expired.set_expiry(-10)
    expired.save()
    live = SessionStore()
    live.save()
    OutgoingEmail.objects.create(to="a@exemple.fr", subject="Formulaire", body_text="Kevan",
                                 status=OutgoingEmail.Status.SENT)  # fmt: skip
    OutgoingEmail.objects.filter().update(created_at=NOW - timedelta(days=100))
    pending = OutgoingEmail.objects.create(to="b@exemple.fr", subject="En attente")
    CreationAttempt.objects.create(ip="198.51.100.4", numero="931111116",
                                   at=NOW - timedelta(days=2))  # fmt: skip
    signed_in = {"user": medecin, "action": "account.signed_in"}
    old = SecurityEvent.objects.create(
        **signed_in, ip="203.0.113.7", created_at=NOW - timedelta(days=400)
    )
    recent = SecurityEvent.objects.create(
        **signed_in, ip="203.0.113.8", created_at=NOW - timedelta(days=10)
    )

    report = retention.purge(now=timezone.now())

    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert Session.objects.filter(session_key=live.session_key).exists()
    assert list(OutgoingEmail.objects.all()) == [pending]
    assert not CreationAttempt.objects.exists()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.ip is None and recent.ip == "203.0.113.8"
    assert report.others["sessions expirées"] >= 1
    assert "imports de contacts" in report.others


def test_an_unused_letter_older_than_the_retention_loses_its_pdf(medecin):
    from tests.factories import LieuExerciceFactory

    lieu = LieuExerciceFactory()
    courrier = CourrierPostal.objects.create(user=medecin, lieu=lieu, pdf=b"%PDF-mot-de-passe",
                                             created_at=NOW - timedelta(days=100))  # fmt: skip

    retention.purge(now=NOW)

    courrier.refresh_from_db()
    assert bytes(courrier.pdf) == b"" and courrier.annule_le is not None


def test_the_worker_runs_it_every_day_and_the_command_prints_counts(medecin, capsys):
    from jobs import periodic

    assert periodic.PERIODIC["retention_purge"][1] == timedelta(days=1)
    _collected(200, medecin)

    call_command("purge_retention")

    assert "1 fiches purgées" in capsys.readouterr().out

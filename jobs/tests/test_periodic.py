"""Periodic tasks on django-tasks' queue, the worker command, and the queue in /healthz."""

import signal
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs import periodic
from jobs.mail import enqueue_email
from jobs.models import OutgoingEmail, PeriodicRun
from jobs.tasks import scheduler_tick
from jobs.testing import run_ready_jobs


def waiting(task_path):
    return DBTaskResult.objects.filter(task_path=task_path, status="READY").count()


@pytest.mark.django_db
def test_each_periodic_task_is_enqueued_once_per_period():
    now = timezone.now()

    first = periodic.run_due(now=now)
    again = periodic.run_due(now=now + timedelta(seconds=30))
    later = periodic.run_due(now=now + timedelta(minutes=5))

    assert sorted(first) == sorted(periodic.PERIODIC)
    assert again == []
    # every 5 minutes (e-mails, waiting FHIR lots, the rollup); the pruning and the purge daily
    assert later == ["requeue_stale_emails", "relancer_lots_fhir", "indicateurs_rollup"]
    assert waiting("jobs.tasks.requeue_stale_emails") == 2
    assert PeriodicRun.objects.get(name="prune_finished_jobs").next_run_at == now + timedelta(
        days=1
    )


@pytest.mark.django_db
def test_a_tick_enqueues_what_is_due_and_the_next_tick():
    assert periodic.ensure_tick() is True
    assert periodic.ensure_tick() is False  # one tick waiting is enough

    run_ready_jobs()

    assert PeriodicRun.objects.count() == len(periodic.PERIODIC)
    next_tick = DBTaskResult.objects.get(task_path=scheduler_tick.module_path, status="READY")
    assert next_tick.run_after > timezone.now() + timedelta(seconds=periodic.TICK_SECONDS - 5)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1 + len(periodic.PERIODIC)


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_the_queue_and_keeps_a_tick_waiting(settings):
    email = enqueue_email(to="x@exemple.fr", subject="Objet", text="Texte")
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert len(django_mail.outbox) == 1
    assert waiting(scheduler_tick.module_path) == 1


@pytest.mark.django_db
def test_healthz_reports_a_late_queue_and_failed_emails(client):
    enqueue_email(to="x@exemple.fr", subject="Objet", text="Texte")
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=10))
    OutgoingEmail.objects.create(to="y@exemple.fr", subject="Objet", status="failed")

    queue = client.get("/healthz").json()["queue"]

    assert queue["status"] == "late"
    assert queue["oldest_waiting_seconds"] >= 600
    assert queue["emails_failed"] is True


@pytest.mark.django_db
def test_two_tick_chains_merge_back_into_one():
    scheduler_tick.enqueue()
    scheduler_tick.enqueue()  # two workers started at the same moment

    run_ready_jobs()

    assert waiting(scheduler_tick.module_path) == 1

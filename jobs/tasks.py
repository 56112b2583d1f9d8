"""The jobs a worker runs (`python manage.py worker`). Each is idempotent: it may run twice."""

from django.core.management import call_command
from django_tasks import task

from jobs import mail, periodic


@task()
def send_email(email_id: int) -> str:
    return mail.deliver(email_id=email_id)


@task()
def requeue_stale_emails() -> int:
    return mail.requeue_stale()


@task()
def prune_finished_jobs() -> None:
    """Finished jobs leave the queue table after a week, failed ones after a month (the e-mails
    keep their own rows)."""
    call_command(
        "prune_db_task_results", queue_name="*", min_age_days=7, failed_min_age_days=30, verbosity=0
    )


@task()
def scheduler_tick() -> list[str]:
    """Enqueue the periodic tasks that are due, then the next tick (whatever happened)."""
    try:
        return periodic.run_due()
    finally:
        periodic.next_tick()

"""Reads about the job queue (for /healthz and the admins)."""

from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from jobs.models import OutgoingEmail

# A job waiting longer than this means the workers are down or overwhelmed.
QUEUE_LATE_SECONDS = 300


def queue_health(*, now=None) -> dict:
    """The oldest job waiting to run (due, not taken by a worker) and whether an e-mail has
    failed for good. Two indexed reads, whatever the size of the tables."""
    now = now or timezone.now()
    ready = DBTaskResult.objects.ready()
    oldest_immediate = (
        ready.filter(run_after=get_date_max()).order_by("enqueued_at").values_list(
            "enqueued_at", flat=True
        ).first()
    )  # fmt: skip
    oldest_deferred = (
        ready.exclude(run_after=get_date_max()).order_by("run_after").values_list(
            "run_after", flat=True
        ).first()
    )  # fmt: skip
    waiting_since = min(filter(None, [oldest_immediate, oldest_deferred]), default=None)
    oldest = int((now - waiting_since).total_seconds()) if waiting_since else 0
    return {
        "status": "late" if oldest > QUEUE_LATE_SECONDS else "ok",
        "oldest_waiting_seconds": max(oldest, 0),
        "emails_failed": OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).exists(),
    }

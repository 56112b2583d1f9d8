"""Jobs of the fiches (run by `manage.py worker`; see jobs.periodic)."""

from django_tasks import task

from fiches import retention


@task()
def retention_purge() -> str:
    """Every day: the identity of fiches collected more than RETENTION_DAYS ago is purged."""
    return str(retention.purge())

"""Jobs of the tracing screens (run by `manage.py worker`; see jobs.periodic)."""

from django_tasks import task

from tracing import submissions


@task()
def prune_submissions() -> int:
    return submissions.prune()

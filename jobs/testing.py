"""For tests: run the jobs that are due, in this thread, as a worker would."""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


def run_ready_jobs(*, limit=1000) -> int:
    """Take and run every ready job (the ones whose `run_after` has come), oldest first, with
    django-tasks-db's own claim and run; return how many ran. Unlike `worker --batch`, it never
    closes the database connection, so it runs inside a test's transaction."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    for count in range(limit):
        with exclusive_transaction(DBTaskResult.objects.db):
            job = DBTaskResult.objects.ready().get_locked()
            if job is not None:
                job.claim(worker.worker_id)
        if job is None:
            return count
        worker.run_task(job)
    return limit

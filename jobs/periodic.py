"""Periodic tasks, which django-tasks does not have: a few lines of ours on its queue.

`PERIODIC` names each task and its interval. `scheduler_tick` (a task itself) enqueues every
task that is due and enqueues the next tick; the worker command makes sure a tick is waiting
when it starts. Any number of workers may tick: a periodic task is claimed with one conditional
UPDATE of its `PeriodicRun` row, in the transaction that enqueues it, so it runs once per period.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from jobs.models import PeriodicRun

TICK_SECONDS = 60
# name → (dotted path of the task, interval)
PERIODIC = {
    "requeue_stale_emails": ("jobs.tasks.requeue_stale_emails", timedelta(minutes=5)),
    "prune_finished_jobs": ("jobs.tasks.prune_finished_jobs", timedelta(days=1)),
    "prune_submissions": ("tracing.tasks.prune_submissions", timedelta(days=1)),
    "retention_purge": ("fiches.tasks.retention_purge", timedelta(days=1)),
    "relancer_lots_fhir": ("api.tasks.relancer_lots", timedelta(minutes=5)),
    "indicateurs_rollup": ("fiches.tasks.indicateurs_rollup", timedelta(minutes=5)),
    "indicateurs_rollup_fenetre": ("fiches.tasks.indicateurs_rollup_fenetre", timedelta(days=1)),
}


def run_due(*, now=None) -> list[str]:
    """Enqueue each periodic task whose time has come; return their names."""
    now = now or timezone.now()
    enqueued = []
    for name, (path, interval) in PERIODIC.items():
        try:
            with transaction.atomic():
                PeriodicRun.objects.get_or_create(name=name, defaults={"next_run_at": now})
        except IntegrityError:
            pass  # another worker created it at the same moment
        with transaction.atomic():
            claimed = PeriodicRun.objects.filter(name=name, next_run_at__lte=now).update(
                next_run_at=now + interval, last_run_at=now
            )
            if claimed:
                import_string(path).enqueue()
                enqueued.append(name)
    return enqueued


def ensure_tick(*, delay: timedelta | None = None) -> bool:
    """Enqueue a tick (after `delay`) unless one is already waiting; True when one was. Two
    workers starting at once may both enqueue one: the next ticks see each other and the chains
    merge back into one."""
    from django_tasks_db.models import DBTaskResult

    from jobs.tasks import scheduler_tick

    with transaction.atomic():
        waiting = DBTaskResult.objects.filter(
            task_path=scheduler_tick.module_path, status="READY"
        ).exists()
        if not waiting:
            task = scheduler_tick
            if delay is not None:
                task = scheduler_tick.using(run_after=timezone.now() + delay)
            task.enqueue()
    return not waiting


def next_tick() -> bool:
    return ensure_tick(delay=timedelta(seconds=TICK_SECONDS))

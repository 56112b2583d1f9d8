"""Jobs of the fiches (run by `manage.py worker`; see jobs.periodic)."""

from django_tasks import task

from fiches import retention


@task()
def retention_purge() -> str:
    """Every day: the identity of fiches collected more than RETENTION_DAYS ago is purged."""
    return str(retention.purge())


@task()
def indicateurs_rollup() -> str:
    """Every few minutes: the dashboard's daily figures of the days that moved."""
    from fiches import indicateurs

    return str(indicateurs.rollup())


@task()
def indicateurs_rollup_fenetre() -> str:
    """Every day: the last fortnight recomputed whatever happened (late drafts, postcodes)."""
    from fiches import indicateurs

    return str(indicateurs.rollup(fenetre=True))

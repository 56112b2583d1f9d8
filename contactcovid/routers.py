"""Reads that may lag go to the replica (issue 14, goal 7).

Only what a view marks with `lectures_differees()` is read from the replica — the dashboard's
rollup, the exports, the ARS's lists: figures and lists that may be a second late. Everything
else reads the primary, so a person always sees what they have just written; every write goes
to the primary. Without DATABASE_REPLICA_URL, everything reads the primary.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_differees: ContextVar[bool] = ContextVar("lectures_differees", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def alias_de_lecture() -> str:
    """Where the reads of the current block go. `REPLICA_READS` off (the test suite, whose
    data live in uncommitted transactions the replica never sees) keeps them on the primary."""
    if _differees.get() and replica_configured() and getattr(settings, "REPLICA_READS", True):
        return REPLICA
    return "default"


@contextmanager
def lectures_differees():
    """The reads in this block may come from the replica (a second behind the primary)."""
    token = _differees.set(True)
    try:
        yield alias_de_lecture()
    finally:
        _differees.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return alias_de_lecture()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both servers

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica follows the primary's WAL, schema included

"""Per-account limits on the biologists' and pharmacists' lookups (anti-scraping).

In 2022, abused professional accounts scraped about 510,000 records from a similar national
portal. Each lookup counts in a fixed one-minute window and in a fixed one-day window kept in
the database (30 a minute alone would still allow 43,000 a day); the row is locked while it is
counted, so parallel requests on several app servers cannot slip past the limit.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tracing.models import ThrottleWindow

WINDOW = timedelta(minutes=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class ThrottleResult:
    allowed: bool
    retry_after_seconds: int

    @property
    def delay_text(self):
        """ "45 secondes", "3 min", "7 h": how long to wait, for the French message."""
        seconds = self.retry_after_seconds
        if seconds < 90:
            return f"{seconds} secondes"
        if seconds < 90 * 60:
            return f"{math.ceil(seconds / 60)} min"
        return f"{math.ceil(seconds / 3600)} h"


def _window_start(now, window):
    if window == DAY:
        return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return now.replace(second=0, microsecond=0)


def lookup_throttle(*, user, scope):
    """The limits of a patient lookup: LOOKUP_THROTTLE_PER_MINUTE, then LOOKUP_THROTTLE_PER_DAY."""
    result = throttle_hit(user=user, scope=scope)
    if not result.allowed:
        return result
    return throttle_hit(
        user=user, scope=f"{scope}:jour", limit=settings.LOOKUP_THROTTLE_PER_DAY, window=DAY
    )


def throttle_hit(*, user, scope, limit=None, now=None, window=WINDOW):
    """Count one lookup by `user`; refuse it (allowed=False) past `limit` in the current window
    (a minute, or a day from local midnight).

    One statement: the window's row is created at its first lookup, or its count raised only
    while under the limit (PostgreSQL and SQLite's `INSERT … ON CONFLICT DO UPDATE … WHERE`,
    the row locked while it is counted, so parallel requests on several app servers cannot
    slip past the limit). A refused lookup is not counted, so the account can look up again
    in the next window. Before: get_or_create, a locked read and a save, 7 statements.
    """
    limit = settings.LOOKUP_THROTTLE_PER_MINUTE if limit is None else limit
    now = now or timezone.now()
    start = _window_start(now, window)
    table = connection.ops.quote_name(ThrottleWindow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, scope, window_start, hits) VALUES (%s, %s, %s, 1) "  # noqa: S608 (our table)
            f"ON CONFLICT (user_id, scope, window_start) DO UPDATE SET hits = {table}.hits + 1 "
            f"WHERE {table}.hits < %s RETURNING hits",
            [user.pk, scope, connection.ops.adapt_datetimefield_value(start), limit],
        )
        counted = cursor.fetchone()
    if counted is None:
        retry = math.ceil((start + window - now).total_seconds())
        return ThrottleResult(allowed=False, retry_after_seconds=retry)
    if counted[0] == 1:
        # A new window: the account's earlier windows of this scope are of no use.
        ThrottleWindow.objects.filter(user=user, scope=scope, window_start__lt=start).delete()
    return ThrottleResult(allowed=True, retry_after_seconds=0)

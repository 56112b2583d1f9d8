"""Per-account limits on the biologists' and pharmacists' lookups (anti-scraping).

In 2022, abused professional accounts scraped about 510,000 records from a similar national
portal. Each lookup counts in a fixed one-minute window kept in the database; the row is locked
while it is counted, so parallel requests on several app servers cannot slip past the limit.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tracing.models import ThrottleWindow

WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class ThrottleResult:
    allowed: bool
    retry_after_seconds: int


def _window_start(now):
    return now.replace(second=0, microsecond=0)


def throttle_hit(*, user, scope, limit=None, now=None):
    """Count one lookup by `user`; refuse it (allowed=False) past `limit` in the current minute.

    A refused lookup is not counted, so the account can look up again in the next window.
    """
    limit = settings.LOOKUP_THROTTLE_PER_MINUTE if limit is None else limit
    now = now or timezone.now()
    start = _window_start(now)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ThrottleWindow.objects.get_or_create(user=user, scope=scope, window_start=start)
        except IntegrityError:
            pass  # Another request created the row first; it is there now.
        window = ThrottleWindow.objects.select_for_update().get(
            user=user, scope=scope, window_start=start
        )
        if window.hits >= limit:
            retry = math.ceil((start + WINDOW - now).total_seconds())
            return ThrottleResult(allowed=False, retry_after_seconds=retry)
        window.hits += 1
        window.save(update_fields=["hits"])
    # Old windows are of no use: forget this account's windows older than an hour.
    ThrottleWindow.objects.filter(
        user=user, scope=scope, window_start__lt=start - timedelta(hours=1)
    ).delete()
    return ThrottleResult(allowed=True, retry_after_seconds=0)

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tracing.models import ThrottleWindow
from tracing.throttle import throttle_hit


def test_the_31st_lookup_in_a_minute_is_refused(pharmacien, settings):
    settings.LOOKUP_THROTTLE_PER_MINUTE = 30
    now = timezone.now().replace(second=10, microsecond=0)

    results = [throttle_hit(user=pharmacien, scope="lookup", now=now) for _ in range(31)]

    assert all(result.allowed for result in results[:30])
    assert not results[30].allowed
    assert results[30].retry_after_seconds == 50


def test_lookups_are_allowed_again_in_the_next_minute(pharmacien):
    now = timezone.now().replace(second=30)
    for _ in range(3):
        throttle_hit(user=pharmacien, scope="lookup", limit=3, now=now)
    assert not throttle_hit(user=pharmacien, scope="lookup", limit=3, now=now).allowed

    later = now + timedelta(minutes=1)

    assert throttle_hit(user=pharmacien, scope="lookup", limit=3, now=later).allowed


def test_each_account_has_its_own_count(pharmacien, biologiste):
    now = timezone.now()
    throttle_hit(user=pharmacien, scope="lookup", limit=1, now=now)

    assert not throttle_hit(user=pharmacien, scope="lookup", limit=1, now=now).allowed
    assert throttle_hit(user=biologiste, scope="lookup", limit=1, now=now).allowed


def test_windows_older_than_an_hour_are_forgotten(pharmacien):
    now = timezone.now()
    throttle_hit(user=pharmacien, scope="lookup", now=now - timedelta(hours=2))

    throttle_hit(user=pharmacien, scope="lookup", now=now)

    assert ThrottleWindow.objects.filter(user=pharmacien).count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_lookups_let_exactly_the_limit_through(pharmacien):
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite serialises the whole database)")
    now = timezone.now().replace(second=5)
    allowed = []
    barrier = threading.Barrier(50)

    def lookup():
        try:
            barrier.wait()
            allowed.append(throttle_hit(user=pharmacien, scope="lookup", limit=30, now=now).allowed)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=lookup) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(allowed) == 50
    assert allowed.count(True) == 30
    assert ThrottleWindow.objects.get(user=pharmacien).hits == 30


def test_a_day_of_lookups_is_limited_too(pharmacien, settings):
    from tracing.throttle import lookup_throttle

    settings.LOOKUP_THROTTLE_PER_MINUTE = 1000
    settings.LOOKUP_THROTTLE_PER_DAY = 5

    results = [lookup_throttle(user=pharmacien, scope="lookup") for _ in range(6)]

    assert [result.allowed for result in results] == [True] * 5 + [False]
    assert results[5].retry_after_seconds > 60
    assert results[5].delay_text.endswith(("min", "h"))

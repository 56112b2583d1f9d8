from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jobs.selectors import queue_health


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not. No session.

    Beside it, the job queue: how long its oldest due job has waited ("late" past 5 minutes:
    the workers are down or overwhelmed) and whether an e-mail failed for good. A late queue
    does not make the app server unhealthy (the status stays 200): monitoring alerts on it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        queue = queue_health()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "queue": queue})


def csrf_failure(request, reason=""):
    """A French page in our layout when a form is refused for a missing or stale CSRF token."""
    return render(request, "403_csrf.html", status=403)

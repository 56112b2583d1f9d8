"""Error pages that always render: they never read the request body, and the 500/503 ones never
touch the database (no session, no user), since either may be what failed.

Django's own handlers are decorated with `requires_csrf_token`, which reads `request.POST`: a body
Django refused to parse (a urlencoded form in another charset than UTF-8) was refused again
inside the 400 handler, and the visitor got a raw English "Internal Server Error".
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader

from contactcovid.forms import labelled, posted_fields

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """500, or 503 when what failed is the database connection (an outage, not a bug)."""
    error = sys.exc_info()[1]
    if database_unavailable(error):
        return service_unavailable(request)
    return HttpResponse(loader.render_to_string("500.html", {}), status=500)


def database_unavailable(error) -> bool:
    """The database cannot be reached (down, restarting, failing over, out of connections)."""
    return isinstance(error, OperationalError | InterfaceError)


def service_unavailable(request):
    """503 with Retry-After: a French page, and the posted form with what was typed."""
    logger.error("Base de données injoignable : %s %s → 503", request.method, request.path)
    fields = posted_fields(request)
    typed = labelled(fields)
    try:
        csrf_token = get_token(request) if typed else ""
    except Exception:  # noqa: BLE001 (the page must render whatever happened)
        csrf_token = ""
    context = {"typed": typed, "fields": fields, "action": request.path, "csrf_token": csrf_token}
    response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
